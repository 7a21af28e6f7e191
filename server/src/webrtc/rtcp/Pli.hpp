#pragma once
// Picture Loss Indication, RFC 4585 section 6.3.1 (https://www.rfc-editor.org/rfc/rfc4585#section-6.3.1):
//  |V=2|P| FMT=1   |   PT=PSFB=206 |          length=2             |
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source                         |
// PLI carries no FCI.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medicall::webrtc::rtcp {

struct Pli {
  static constexpr size_t kSize = 12;

  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;

  bool operator==(const Pli&) const = default;
  static std::optional<Pli> Parse(std::span<const uint8_t> packet);
  size_t SerializedSize() const { return kSize; }
  size_t Serialize(std::span<uint8_t> out) const;
};

}  // namespace medicall::webrtc::rtcp
