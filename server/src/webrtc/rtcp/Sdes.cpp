#include "webrtc/rtcp/Sdes.hpp"

#include <cstring>

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

std::string_view Sdes::Chunk::Cname() const {
  for (size_t i = 0; i < itemCount; ++i) {
    if (items[i].type == kCname) return items[i].text;
  }
  return {};
}

bool Sdes::Chunk::AddItem(uint8_t type, std::string_view text) {
  if (itemCount >= kMaxItems || type == 0 || text.size() > 255) return false;
  items[itemCount++] = Item{type, text};
  return true;
}

std::optional<Sdes> Sdes::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kSdes)) return std::nullopt;
  const auto body = header->Body(packet);
  Sdes sdes;
  size_t pos = 0;
  for (size_t c = 0; c < header->count; ++c) {
    if (body.size() - pos < 4) return std::nullopt;
    Chunk& chunk = sdes.chunks[c];
    chunk.ssrc = ReadU32(&body[pos]);
    pos += 4;
    while (true) {
      if (pos >= body.size()) return std::nullopt;  // no END item
      const uint8_t type = body[pos];
      if (type == 0) {
        ++pos;
        break;
      }
      if (body.size() - pos < 2) return std::nullopt;
      const size_t len = body[pos + 1];
      if (len > body.size() - pos - 2) return std::nullopt;
      if (chunk.itemCount < kMaxItems) {
        chunk.items[chunk.itemCount++] =
            Item{type, std::string_view(reinterpret_cast<const char*>(&body[pos + 2]), len)};
      }
      pos += 2 + len;
    }
    // Null octets up to the next 32-bit boundary (the body starts aligned).
    while (pos % 4 != 0) {
      if (pos >= body.size() || body[pos] != 0) return std::nullopt;
      ++pos;
    }
    sdes.chunkCount = c + 1;
  }
  if (pos != body.size()) return std::nullopt;  // SC does not match the length
  return sdes;
}

bool Sdes::AddCname(uint32_t ssrc, std::string_view cname) {
  if (chunkCount >= kMaxChunks) return false;
  Chunk chunk;
  chunk.ssrc = ssrc;
  if (!chunk.AddItem(kCname, cname)) return false;
  chunks[chunkCount++] = chunk;
  return true;
}

size_t Sdes::SerializedSize() const {
  size_t size = 4;
  for (size_t c = 0; c < chunkCount; ++c) {
    size_t n = 4 + 1;  // SSRC and END
    for (size_t i = 0; i < chunks[c].itemCount; ++i) n += 2 + chunks[c].items[i].text.size();
    size += (n + 3) & ~size_t{3};
  }
  return size;
}

size_t Sdes::Serialize(std::span<uint8_t> out) const {
  if (chunkCount > kMaxChunks) return 0;
  const size_t size = SerializedSize();
  if (size > out.size()) return 0;
  uint8_t* p = out.data();
  size_t pos = 4;
  for (size_t c = 0; c < chunkCount; ++c) {
    const Chunk& chunk = chunks[c];
    WriteU32(p + pos, chunk.ssrc);
    pos += 4;
    for (size_t i = 0; i < chunk.itemCount && i < kMaxItems; ++i) {
      const Item& item = chunk.items[i];
      if (item.type == 0 || item.text.size() > 255) return 0;
      p[pos] = item.type;
      p[pos + 1] = static_cast<uint8_t>(item.text.size());
      if (!item.text.empty()) std::memcpy(p + pos + 2, item.text.data(), item.text.size());
      pos += 2 + item.text.size();
    }
    do {
      p[pos++] = 0;  // END, then padding
    } while (pos % 4 != 0);
  }
  RtcpHeader::Write(p, static_cast<uint8_t>(chunkCount), static_cast<uint8_t>(PacketType::kSdes), size);
  return size;
}

}  // namespace medicall::webrtc::rtcp
