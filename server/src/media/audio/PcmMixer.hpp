#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/audio/AudioConstants.hpp"

namespace medicall::media::audio {

using ConstPcmFrame = std::span<const int16_t, kFrameSamples>;

// The arithmetic of an N-1 conference mix for one tick, on PCM only (no codec), so it can be checked
// sample by sample. Given the frames of the selected talkers it computes, in 32 bits:
//   full = sum of all talkers
//   shared mix        = clip(full)             heard by every listener who is not a talker
//   mix for talker t  = clip(full - pcm_t)     heard by talker t (everyone but itself)
// Clipping to int16 happens once, on the final sums, never on partial sums. The cost is
// O(talkers * samples): it does not depend on the number of listeners.
class PcmMixer {
 public:
  explicit PcmMixer(std::size_t maxTalkers);

  // `talkers` may be empty (the shared mix is silence). At most maxTalkers frames.
  void Mix(std::span<const ConstPcmFrame> talkers);

  ConstPcmFrame SharedMix() const { return ConstPcmFrame(shared_.data(), kFrameSamples); }
  // The mix heard by the talker at position `talker` of the last Mix() call.
  ConstPcmFrame MixWithout(std::size_t talker) const {
    return ConstPcmFrame(minus_[talker].data(), kFrameSamples);
  }
  std::size_t TalkerCount() const { return talkerCount_; }

  // Reference: the sum of every frame but `excluded`, clipped once (SIZE_MAX excludes none).
  // Costs one pass per listener: what the shared mix avoids.
  static void NaiveMix(std::span<const ConstPcmFrame> frames, std::size_t excluded, std::span<int16_t> out);

 private:
  std::size_t talkerCount_ = 0;
  std::array<int32_t, kFrameSamples> full_{};
  std::array<int16_t, kFrameSamples> shared_{};
  std::vector<std::array<int16_t, kFrameSamples>> minus_;
};

}  // namespace medicall::media::audio
