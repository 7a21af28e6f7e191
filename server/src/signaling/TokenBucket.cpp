#include "signaling/TokenBucket.hpp"

#include <algorithm>

namespace medicall::signaling {

TokenBucket::TokenBucket(double ratePerSecond, double burst, int64_t nowNs)
    : ratePerNs_(std::max(0.0, ratePerSecond) / 1e9),
      burst_(std::max(0.0, burst)),
      tokens_(burst_),
      lastNs_(nowNs) {}

void TokenBucket::Refill(int64_t nowNs) {
  if (nowNs <= lastNs_) return;  // clock did not advance (or a caller passed an older time)
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(nowNs - lastNs_) * ratePerNs_);
  lastNs_ = nowNs;
}

bool TokenBucket::TryTake(int64_t nowNs) {
  Refill(nowNs);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

double TokenBucket::Available(int64_t nowNs) {
  Refill(nowNs);
  return tokens_;
}

}  // namespace medicall::signaling
