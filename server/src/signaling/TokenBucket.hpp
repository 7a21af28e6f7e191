#pragma once
// Token bucket: `burst` tokens at most, refilled at `ratePerSecond`. Used for the per-session limits
// of every frame type (SignalingSession). Time is passed in (monotonic microseconds, Clock::NowUs)
// so tests stay deterministic.
#include <cstdint>

namespace medicall::signaling {

class TokenBucket {
 public:
  // Starts full. A non-positive rate never refills; a burst below 1 never admits anything.
  TokenBucket(double ratePerSecond, double burst, int64_t nowUs);

  // Takes one token if available.
  bool TryTake(int64_t nowUs);
  double Available(int64_t nowUs);
  // Microseconds until TryTake can succeed: 0 when a token is there now, -1 when none ever will
  // (no refill, or a burst below 1).
  int64_t UsUntilAvailable(int64_t nowUs);

 private:
  void Refill(int64_t nowUs);

  double ratePerUs_;
  double burst_;
  double tokens_;
  int64_t lastUs_;
};

}  // namespace medicall::signaling
