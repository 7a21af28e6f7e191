#pragma once
// Goodbye, RFC 3550 section 6.6 (https://www.rfc-editor.org/rfc/rfc3550#section-6.6):
//  |V=2|P|    SC   |   PT=BYE=203  |             length            |
//  |                           SSRC/CSRC                           |
//  :                              ...                              :
//  |     length    |               reason for leaving            ... (opt)
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace medicall::webrtc::rtcp {

struct Bye {
  static constexpr size_t kMaxSsrcs = 31;

  std::array<uint32_t, kMaxSsrcs> ssrcs{};
  size_t ssrcCount = 0;
  std::string_view reason;  // points into the parsed buffer

  static std::optional<Bye> Parse(std::span<const uint8_t> packet);
  bool AddSsrc(uint32_t ssrc);
  size_t SerializedSize() const;
  // 0 when out is too small or the reason is longer than 255 bytes.
  size_t Serialize(std::span<uint8_t> out) const;
};

}  // namespace medicall::webrtc::rtcp
