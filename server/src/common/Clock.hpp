#pragma once
// Time, once for the whole server. Monotonic time (steady_clock) drives timers, throttles and
// statistics; wall time (system_clock) only goes into protocol fields (NTP timestamps, expiry).
// Components that decide by time take a `const Clock&` so tests can inject a ManualClock instead of
// sleeping on the wall clock.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace medicall {

// Monotonic microseconds (arbitrary epoch).
inline int64_t MonotonicNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Unix time in microseconds.
inline int64_t WallNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowUs() const = 0;      // monotonic
  virtual int64_t WallNowUs() const = 0;  // Unix
  int64_t NowMs() const { return NowUs() / 1000; }

  // The process-wide real clock.
  static const Clock& System();
};

class SystemClock final : public Clock {
 public:
  int64_t NowUs() const override { return MonotonicNowUs(); }
  int64_t WallNowUs() const override { return medicall::WallNowUs(); }
};

inline const Clock& Clock::System() {
  static const SystemClock clock;
  return clock;
}

// A clock that moves only when told (tests). Thread-safe reads.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t startUs = 1'000'000'000, int64_t wallStartUs = 1'700'000'000'000'000)
      : nowUs_(startUs), wallOffsetUs_(wallStartUs - startUs) {}
  int64_t NowUs() const override { return nowUs_.load(); }
  int64_t WallNowUs() const override { return nowUs_.load() + wallOffsetUs_; }
  void AdvanceUs(int64_t us) { nowUs_ += us; }
  void AdvanceMs(int64_t ms) { nowUs_ += ms * 1000; }

 private:
  std::atomic<int64_t> nowUs_;
  int64_t wallOffsetUs_;
};

}  // namespace medicall
