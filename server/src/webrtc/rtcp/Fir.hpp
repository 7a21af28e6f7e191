#pragma once
// Full Intra Request, RFC 5104 section 4.3.1 (https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1):
//  |V=2|P| FMT=4   |   PT=PSFB=206 |          length               |
//  |                  SSRC of packet sender                        |
//  |             SSRC of media source (unused, 0)                  |
// FCI entries, one per target:
//  |                              SSRC                             |
//  | Seq nr.       |    Reserved                                   |
// At most kMaxEntries entries are kept; the rest are validated and skipped.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medicall::webrtc::rtcp {

struct Fir {
  static constexpr size_t kMaxEntries = 16;
  struct Entry {
    uint32_t ssrc = 0;
    uint8_t seqNr = 0;
    bool operator==(const Entry&) const = default;
  };

  uint32_t senderSsrc = 0;
  std::array<Entry, kMaxEntries> entries{};
  size_t entryCount = 0;

  static std::optional<Fir> Parse(std::span<const uint8_t> packet);
  bool AddEntry(uint32_t ssrc, uint8_t seqNr);
  size_t SerializedSize() const { return 12 + 8 * entryCount; }
  size_t Serialize(std::span<uint8_t> out) const;
};

}  // namespace medicall::webrtc::rtcp
