#pragma once
// Wall-clock source for the control plane, injectable so that tests can move time.
#include <chrono>
#include <cstdint>
#include <functional>

namespace medicall::meetings {

// Returns Unix time in seconds.
using Clock = std::function<int64_t()>;

inline int64_t SystemClockSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace medicall::meetings
