#include "signaling/TokenBucket.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::signaling {

TokenBucket::TokenBucket(double ratePerSecond, double burst, int64_t nowUs)
    : ratePerUs_(std::max(0.0, ratePerSecond) / 1e6),
      burst_(std::max(0.0, burst)),
      tokens_(burst_),
      lastUs_(nowUs) {}

void TokenBucket::Refill(int64_t nowUs) {
  if (nowUs <= lastUs_) return;  // clock did not advance (or a caller passed an older time)
  tokens_ = std::min(burst_, tokens_ + static_cast<double>(nowUs - lastUs_) * ratePerUs_);
  lastUs_ = nowUs;
}

bool TokenBucket::TryTake(int64_t nowUs) {
  Refill(nowUs);
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

double TokenBucket::Available(int64_t nowUs) {
  Refill(nowUs);
  return tokens_;
}

int64_t TokenBucket::UsUntilAvailable(int64_t nowUs) {
  Refill(nowUs);
  if (tokens_ >= 1.0) return 0;
  if (ratePerUs_ <= 0.0 || burst_ < 1.0) return -1;
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1.0 - tokens_) / ratePerUs_)));
}

}  // namespace medicall::signaling
