#pragma once
// Token bucket: `burst` tokens at most, refilled at `ratePerSecond`. Used for the per-attendee
// DATA_MESSAGE rate limit. Time is passed in (monotonic nanoseconds) so tests stay deterministic.
#include <cstdint>

namespace medicall::signaling {

class TokenBucket {
 public:
  // Starts full. A non-positive rate never refills; a burst below 1 never admits anything.
  TokenBucket(double ratePerSecond, double burst, int64_t nowNs);

  // Takes one token if available.
  bool TryTake(int64_t nowNs);
  double Available(int64_t nowNs);

 private:
  void Refill(int64_t nowNs);

  double ratePerNs_;
  double burst_;
  double tokens_;
  int64_t lastNs_;
};

}  // namespace medicall::signaling
