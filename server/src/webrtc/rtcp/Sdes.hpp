#pragma once
// Source description, RFC 3550 section 6.5 (https://www.rfc-editor.org/rfc/rfc3550#section-6.5):
//  |V=2|P|    SC   |  PT=SDES=202  |             length            |
//  |                          SSRC/CSRC_1                          |
//  |                           SDES items                          |
//  |                              ...                              |
//  |                          SSRC/CSRC_2                          |
// Item (section 6.5): |  type (8)  |  length (8)  | text (length octets) |
// Each chunk's item list ends with a null octet (END), then null octets up to the next 32-bit boundary.
// Text views point into the parsed buffer. At most kMaxItems items per chunk are kept; further items are
// validated and skipped.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace medicall::webrtc::rtcp {

struct Sdes {
  static constexpr size_t kMaxChunks = 31;
  static constexpr size_t kMaxItems = 8;
  static constexpr uint8_t kCname = 1;

  struct Item {
    uint8_t type = 0;
    std::string_view text;
  };
  struct Chunk {
    uint32_t ssrc = 0;
    std::array<Item, kMaxItems> items{};
    size_t itemCount = 0;
    // The CNAME item's text, empty when absent.
    std::string_view Cname() const;
    bool AddItem(uint8_t type, std::string_view text);
  };

  std::array<Chunk, kMaxChunks> chunks{};
  size_t chunkCount = 0;

  static std::optional<Sdes> Parse(std::span<const uint8_t> packet);
  // Adds a chunk with one CNAME item.
  bool AddCname(uint32_t ssrc, std::string_view cname);
  size_t SerializedSize() const;
  // 0 when out is too small, an item is longer than 255 bytes or has type 0.
  size_t Serialize(std::span<uint8_t> out) const;
};

}  // namespace medicall::webrtc::rtcp
