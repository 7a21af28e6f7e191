#include "media/audio/OpusPacket.hpp"

#include <opus.h>

namespace medicall::media::audio {

int OpusPacket::Samples48k(std::span<const uint8_t> packet) {
  if (packet.empty()) return -1;
  const int samples =
      opus_packet_get_nb_samples(packet.data(), static_cast<opus_int32>(packet.size()), 48000);
  return samples > 0 ? samples : -1;
}

bool OpusPacket::HasLbrr(std::span<const uint8_t> packet) {
  if (packet.empty()) return false;
  const int config = packet[0] >> 3;
  if (config >= 16) return false;  // CELT-only: no SILK layer, no LBRR
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  const int count = opus_packet_parse(packet.data(), static_cast<opus_int32>(packet.size()), nullptr, frames,
                                      sizes, nullptr);
  if (count <= 0 || sizes[0] <= 0) return false;  // malformed, or a DTX frame with no payload
  const int frameSamples = opus_packet_get_samples_per_frame(packet.data(), 48000);
  const int silkFrames = frameSamples > 960 ? frameSamples / 960 : 1;  // 40/60 ms: 2/3 SILK frames
  const uint8_t first = frames[0][0];
  bool lbrr = ((first >> (7 - silkFrames)) & 1) != 0;
  const bool stereo = (packet[0] & 0x04) != 0;
  if (stereo) lbrr = lbrr || ((first >> (6 - 2 * silkFrames)) & 1) != 0;
  return lbrr;
}

}  // namespace medicall::media::audio
