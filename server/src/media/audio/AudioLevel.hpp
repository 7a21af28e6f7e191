#pragma once

#include <cstdint>
#include <span>

namespace medicall::media::audio {

// Audio level of one frame in dBov (dB relative to the overload point of int16: a full-scale square
// wave is 0 dBov, a full-scale sine about -3 dBov), the unit of RFC 6464.
class AudioLevel {
 public:
  // RMS over the frame, clamped to [-127, 0]; an all-zero frame gives -127.
  static float RmsDbov(std::span<const int16_t> pcm);

  // RFC 6464 section 3: the extension carries the level as 0..127, meaning -0 .. -127 dBov.
  //    0                   1
  //    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
  //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
  //   |  ID   | len=0 |V| level       |
  //   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
  // `level` is the 7-bit value (the caller strips the V bit).
  static float FromRtpExtension(uint8_t level) { return -static_cast<float>(level & 0x7f); }
};

}  // namespace medicall::media::audio
