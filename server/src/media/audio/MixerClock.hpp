#pragma once

#include <cstdint>

#include "media/audio/AudioConstants.hpp"

namespace medicall::media::audio {

// Schedules the mixer's 20 ms ticks on a fixed grid of monotonic time, so timer lateness never
// accumulates: tick n is due at start + n * period whatever happened before. After a stall the owner
// runs the due ticks back to back, at most maxCatchUp of them; older ones are dropped (counted), and
// the RTP timestamps of the output should then jump by the dropped time (AudioMixer::SkipTicks).
//
// Usage on the worker: arm a steady_timer at NextDeadlineUs(); on expiry call Advance(now) and run
// `ticks` mixer ticks; re-arm at NextDeadlineUs().
class MixerClock {
 public:
  struct Due {
    uint32_t ticks = 0;    // to run now
    uint32_t dropped = 0;  // skipped (a stall longer than maxCatchUp periods)
  };

  explicit MixerClock(int64_t startUs, int64_t periodUs = kFrameDurationUs, uint32_t maxCatchUp = 3);

  Due Advance(int64_t nowUs);
  int64_t NextDeadlineUs() const { return nextUs_; }
  uint64_t TicksRun() const { return ticksRun_; }
  uint64_t TicksDropped() const { return ticksDropped_; }

 private:
  int64_t periodUs_;
  uint32_t maxCatchUp_;
  int64_t nextUs_;
  uint64_t ticksRun_ = 0;
  uint64_t ticksDropped_ = 0;
};

}  // namespace medicall::media::audio
