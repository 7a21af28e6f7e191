#include "media/audio/MixerClock.hpp"

#include <algorithm>

namespace medicall::media::audio {

MixerClock::MixerClock(int64_t startUs, int64_t periodUs, uint32_t maxCatchUp)
    : periodUs_(std::max<int64_t>(periodUs, 1)),
      maxCatchUp_(std::max<uint32_t>(maxCatchUp, 1)),
      nextUs_(startUs) {}

MixerClock::Due MixerClock::Advance(int64_t nowUs) {
  Due due;
  if (nowUs < nextUs_) return due;
  const int64_t count = (nowUs - nextUs_) / periodUs_ + 1;
  nextUs_ += count * periodUs_;  // stay on the grid
  const auto total = static_cast<uint64_t>(count);
  due.ticks = static_cast<uint32_t>(std::min<uint64_t>(total, maxCatchUp_));
  due.dropped = static_cast<uint32_t>(std::min<uint64_t>(total - due.ticks, UINT32_MAX));
  ticksRun_ += due.ticks;
  ticksDropped_ += total - due.ticks;
  return due;
}

}  // namespace medicall::media::audio
