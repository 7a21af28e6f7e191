#include "media/audio/PcmMixer.hpp"

#include <algorithm>

namespace medicall::media::audio {

namespace {
inline int16_t Clip(int32_t v) { return static_cast<int16_t>(std::clamp<int32_t>(v, INT16_MIN, INT16_MAX)); }
}  // namespace

PcmMixer::PcmMixer(std::size_t maxTalkers) : minus_(maxTalkers) {}

void PcmMixer::Mix(std::span<const ConstPcmFrame> talkers) {
  talkerCount_ = std::min(talkers.size(), minus_.size());
  full_.fill(0);
  for (std::size_t t = 0; t < talkerCount_; ++t) {
    const ConstPcmFrame& pcm = talkers[t];
    for (std::size_t i = 0; i < kFrameSamples; ++i) full_[i] += pcm[i];
  }
  for (std::size_t i = 0; i < kFrameSamples; ++i) shared_[i] = Clip(full_[i]);
  for (std::size_t t = 0; t < talkerCount_; ++t) {
    const ConstPcmFrame& pcm = talkers[t];
    auto& out = minus_[t];
    for (std::size_t i = 0; i < kFrameSamples; ++i) out[i] = Clip(full_[i] - pcm[i]);
  }
}

void PcmMixer::NaiveMix(std::span<const ConstPcmFrame> frames, std::size_t excluded, std::span<int16_t> out) {
  for (std::size_t i = 0; i < out.size() && i < kFrameSamples; ++i) {
    int32_t sum = 0;
    for (std::size_t f = 0; f < frames.size(); ++f) {
      if (f != excluded) sum += frames[f][i];
    }
    out[i] = Clip(sum);
  }
}

}  // namespace medicall::media::audio
