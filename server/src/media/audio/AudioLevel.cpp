#include "media/audio/AudioLevel.hpp"

#include <cmath>

#include "media/audio/AudioConstants.hpp"

namespace medicall::media::audio {

float AudioLevel::RmsDbov(std::span<const int16_t> pcm) {
  if (pcm.empty()) return kSilenceDbov;
  int64_t sumSquares = 0;
  for (int16_t s : pcm) sumSquares += static_cast<int64_t>(s) * s;
  if (sumSquares == 0) return kSilenceDbov;
  const double meanSquare = static_cast<double>(sumSquares) / static_cast<double>(pcm.size());
  const double dbov = 10.0 * std::log10(meanSquare / (32768.0 * 32768.0));
  if (dbov < kSilenceDbov) return kSilenceDbov;
  return dbov > 0.0 ? 0.0f : static_cast<float>(dbov);
}

}  // namespace medicall::media::audio
