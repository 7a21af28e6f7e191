#include "media/bwe/PaddingBudget.hpp"

#include <algorithm>

namespace medicall::media::bwe {

size_t PaddingBudget::Take(uint64_t targetBps, int64_t nowUs) {
  const int64_t elapsedUs = lastUs_ == 0 ? 0 : std::clamp<int64_t>(nowUs - lastUs_, 0, kMaxIntervalUs);
  lastUs_ = nowUs;
  const uint64_t sent = sentBytes_;
  sentBytes_ = 0;
  if (targetBps == 0 || elapsedUs == 0) return 0;
  const uint64_t owed = targetBps * static_cast<uint64_t>(elapsedUs) / 8'000'000;
  if (owed <= sent) return 0;
  return static_cast<size_t>(std::min<uint64_t>(owed - sent, kMaxBytesPerTick));
}

}  // namespace medicall::media::bwe
