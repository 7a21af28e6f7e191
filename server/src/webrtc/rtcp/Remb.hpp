#pragma once
// Receiver Estimated Max Bitrate, draft-alvestrand-rmcat-remb-03 section 2.2
// (https://datatracker.ietf.org/doc/html/draft-alvestrand-rmcat-remb-03#section-2.2), an application layer
// feedback message (RFC 4585 section 6.4):
//  |V=2|P| FMT=15  |   PT=206      |             length            |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source (0)                     |
//  |  Unique identifier 'R' 'E' 'M' 'B'                            |
//  |  Num SSRC     | BR Exp    |  BR Mantissa                      |
//  |   SSRC feedback                                               |
//  |  ...                                                          |
// Bitrate in bits/s = mantissa (18 bits) * 2^exp (6 bits). Num SSRC must match the length exactly.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medicall::webrtc::rtcp {

struct Remb {
  static constexpr size_t kMaxSsrcs = 255;

  uint32_t senderSsrc = 0;
  uint64_t bitrate = 0;  // bits per second
  std::array<uint32_t, kMaxSsrcs> ssrcs{};
  size_t ssrcCount = 0;

  // nullopt for other application feedback, a count that disagrees with the length, or a bitrate that
  // does not fit 64 bits.
  static std::optional<Remb> Parse(std::span<const uint8_t> packet);
  static bool IsRemb(std::span<const uint8_t> packet);
  bool AddSsrc(uint32_t ssrc);
  size_t SerializedSize() const { return 20 + 4 * ssrcCount; }
  // The bitrate is rounded down to what mantissa and exponent can express.
  size_t Serialize(std::span<uint8_t> out) const;
};

}  // namespace medicall::webrtc::rtcp
