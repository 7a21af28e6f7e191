#pragma once
// Failed-attempt limiter (login): at most `maxFailures` failures per key within `windowUs`; while a
// key is over, Check answers how long to wait. Keys are e.g. "account:<email>" and "address:<ip>".
// Thread-safe; time from the injected clock.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "common/Clock.hpp"

namespace medicall::clinic {

class RateLimiter {
 public:
  RateLimiter(int maxFailures, int64_t windowUs, const Clock& clock);
  // 0 when another attempt is allowed, else the seconds until one is (>= 1).
  int64_t RetryAfterSeconds(const std::string& key);
  void RecordFailure(const std::string& key);
  void Reset(const std::string& key);

 private:
  void Prune(std::deque<int64_t>& times, int64_t now) const;

  const int maxFailures_;
  const int64_t windowUs_;
  const Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, std::deque<int64_t>> failures_;
};

}  // namespace medicall::clinic
