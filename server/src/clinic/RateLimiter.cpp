#include "clinic/RateLimiter.hpp"

namespace medicall::clinic {

RateLimiter::RateLimiter(int maxFailures, int64_t windowUs, const Clock& clock)
    : maxFailures_(maxFailures), windowUs_(windowUs), clock_(clock) {}

void RateLimiter::Prune(std::deque<int64_t>& times, int64_t now) const {
  while (!times.empty() && now - times.front() >= windowUs_) times.pop_front();
}

int64_t RateLimiter::RetryAfterSeconds(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  const int64_t now = clock_.NowUs();
  Prune(it->second, now);
  if (it->second.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<int>(it->second.size()) < maxFailures_) return 0;
  // Allowed again once the oldest failure that keeps the key over the limit leaves the window.
  const int64_t freeAt = it->second[it->second.size() - static_cast<size_t>(maxFailures_)] + windowUs_;
  return std::max<int64_t>(1, (freeAt - now + 999'999) / 1'000'000);
}

void RateLimiter::RecordFailure(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto& times = failures_[key];
  const int64_t now = clock_.NowUs();
  Prune(times, now);
  times.push_back(now);
  // Bounded memory per key: only the newest maxFailures_ matter.
  while (static_cast<int>(times.size()) > maxFailures_) times.pop_front();
  // Bounded number of keys: forget keys with no failure in the window when the map grows.
  if (failures_.size() > 100'000) {
    for (auto i = failures_.begin(); i != failures_.end();) {
      Prune(i->second, now);
      i = i->second.empty() ? failures_.erase(i) : std::next(i);
    }
  }
}

void RateLimiter::Reset(const std::string& key) {
  std::lock_guard lock(mutex_);
  failures_.erase(key);
}

}  // namespace medicall::clinic
