#pragma once

#include <cstdint>
#include <span>

namespace medicall::media::audio {

// Read-only facts about one Opus packet (RFC 6716 section 3), without decoding it.
//
//    0 1 2 3 4 5 6 7
//   +-+-+-+-+-+-+-+-+
//   | config  |s| c |     TOC byte (RFC 6716 section 3.1)
//   +-+-+-+-+-+-+-+-+
//
// config 0..11 SILK-only, 12..15 hybrid, 16..31 CELT-only; s = stereo; c = frame count code.
class OpusPacket {
 public:
  // Total duration in samples at 48 kHz, or -1 for a malformed packet.
  static int Samples48k(std::span<const uint8_t> packet);

  // True when the first Opus frame carries SILK low-bit-rate redundancy (in-band FEC) for the
  // previous frame. libopus 1.5 exports opus_packet_has_lbrr; Debian 12 ships 1.3.1, so this reads
  // the flags itself: the SILK layer opens each Opus frame with one VAD flag per 20 ms SILK frame
  // and then the LBRR flag, for the mid channel and then for the side channel (RFC 6716 section
  // 4.2.3), all coded with probability 1/2 so they are the leading bits of the frame's first byte.
  static bool HasLbrr(std::span<const uint8_t> packet);
};

}  // namespace medicall::media::audio
