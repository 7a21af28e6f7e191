#pragma once
// Time source of the signaling layer: wall clock for frame timestamps and data-message ingest times,
// monotonic clock for rate limits. Tests substitute a manual clock.
#include <cstdint>

namespace medicall::signaling {

class Clock {
 public:
  virtual ~Clock() = default;
  // Nanoseconds since the Unix epoch (timestamp_ms, ingest_time_ns).
  virtual int64_t UnixNs() const = 0;
  // Nanoseconds on a clock that never goes backwards (token buckets, expiry).
  virtual int64_t MonotonicNs() const = 0;

  int64_t UnixMs() const { return UnixNs() / 1'000'000; }

  // The process-wide system clock.
  static const Clock& System();
};

}  // namespace medicall::signaling
