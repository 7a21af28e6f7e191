#include "webrtc/rtp/Vp8PayloadDescriptor.hpp"

namespace medicall::webrtc::rtp {

std::optional<Vp8PayloadDescriptor> Vp8PayloadDescriptor::Parse(std::span<const uint8_t> payload) {
  if (payload.empty()) return std::nullopt;
  Vp8PayloadDescriptor d;
  const uint8_t b0 = payload[0];
  d.nonReference = (b0 & 0x20) != 0;
  d.startOfPartition = (b0 & 0x10) != 0;
  d.partitionId = b0 & 0x0F;
  size_t pos = 1;
  if (b0 & 0x80) {
    if (pos >= payload.size()) return std::nullopt;
    const uint8_t x = payload[pos++];
    if (x & 0x80) {  // I
      if (pos >= payload.size()) return std::nullopt;
      const uint8_t p0 = payload[pos++];
      if (p0 & 0x80) {  // M: 15-bit picture id
        if (pos >= payload.size()) return std::nullopt;
        d.pictureId = static_cast<uint16_t>(((p0 & 0x7F) << 8) | payload[pos++]);
        d.pictureId15Bit = true;
      } else {
        d.pictureId = p0 & 0x7F;
      }
    }
    if (x & 0x40) {  // L
      if (pos >= payload.size()) return std::nullopt;
      d.tl0PicIdx = payload[pos++];
    }
    if (x & 0x30) {  // T or K share one byte
      if (pos >= payload.size()) return std::nullopt;
      const uint8_t tk = payload[pos++];
      if (x & 0x20) {
        d.temporalId = tk >> 6;
        d.layerSync = (tk & 0x20) != 0;
      }
      if (x & 0x10) d.keyIdx = tk & 0x1F;
    }
  }
  // A descriptor with no VP8 data after it is not a valid packet (RFC 7741 section 4.4).
  if (pos >= payload.size()) return std::nullopt;
  d.size = pos;
  return d;
}

bool Vp8PayloadDescriptor::IsKeyframe(std::span<const uint8_t> payload) {
  const auto d = Parse(payload);
  if (!d || !d->startOfPartition || d->partitionId != 0) return false;
  const auto frame = payload.subspan(d->size);
  // Key frame header: 3-byte frame tag, start code, 2+2 bytes of dimensions (RFC 6386 section 9.1).
  if (frame.size() < 10) return false;
  if (frame[0] & 0x01) return false;  // P = 1: interframe
  return frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a;
}

}  // namespace medicall::webrtc::rtp
