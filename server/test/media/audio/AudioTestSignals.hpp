#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "media/audio/AudioConstants.hpp"
#include "media/audio/OpusEncoderStage.hpp"
#include "media/audio/OpusPacket.hpp"

namespace medicall::media::audio::test {

using Frame = std::array<int16_t, kFrameSamples>;

// Frame `index` of a continuous sine (phase carries over from frame to frame).
inline Frame SineFrame(double hz, double amplitude, std::size_t index) {
  Frame f{};
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    const double t = static_cast<double>(index * kFrameSamples + i) / kSampleRate;
    f[i] = static_cast<int16_t>(std::lround(amplitude * 32767.0 * std::sin(2.0 * std::numbers::pi * hz * t)));
  }
  return f;
}

inline Frame DcFrame(int16_t value) {
  Frame f;
  f.fill(value);
  return f;
}

inline double Rms(std::span<const int16_t> pcm) {
  double sum = 0;
  for (int16_t s : pcm) sum += static_cast<double>(s) * s;
  return pcm.empty() ? 0.0 : std::sqrt(sum / static_cast<double>(pcm.size()));
}

// Power of the component at `hz` (Goertzel), normalised so a full-scale sine at hz gives about 0.25.
inline double ToneEnergy(std::span<const int16_t> pcm, double hz) {
  const double w = 2.0 * std::numbers::pi * hz / kSampleRate;
  const double coeff = 2.0 * std::cos(w);
  double s1 = 0, s2 = 0;
  for (int16_t x : pcm) {
    const double s0 = x / 32768.0 + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const double power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  const double n = static_cast<double>(pcm.size());
  return power / (n * n);
}

// `count` Opus packets of a continuous sine, as a WebRTC sender would produce them.
inline std::vector<std::vector<uint8_t>> EncodeSine(double hz, double amplitude, std::size_t count,
                                                    const OpusEncoderConfig& config = {}) {
  OpusEncoderStage encoder(config);
  std::vector<std::vector<uint8_t>> packets;
  for (std::size_t i = 0; i < count; ++i) {
    const Frame f = SineFrame(hz, amplitude, i);
    const auto out = encoder.Encode(f);
    packets.emplace_back(out.begin(), out.end());
  }
  return packets;
}

// Index of the first packet at or after `from` that carries LBRR (in-band FEC), or 0 if none does.
inline std::size_t FirstWithLbrr(const std::vector<std::vector<uint8_t>>& packets, std::size_t from) {
  for (std::size_t i = from; i < packets.size(); ++i) {
    if (OpusPacket::HasLbrr(packets[i])) return i;
  }
  return 0;
}

}  // namespace medicall::media::audio::test
