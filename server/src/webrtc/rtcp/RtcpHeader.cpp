#include "webrtc/rtcp/RtcpHeader.hpp"

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtcp {

std::optional<RtcpHeader> RtcpHeader::Parse(std::span<const uint8_t> data) {
  if (data.size() < kSize || (data[0] >> 6) != 2) return std::nullopt;
  RtcpHeader h;
  h.padding = (data[0] & 0x20) != 0;
  h.count = data[0] & 0x1F;
  h.packetType = data[1];
  h.packetSize = (static_cast<size_t>(ReadU16(&data[2])) + 1) * 4;
  if (h.packetSize > data.size()) return std::nullopt;
  if (h.padding) {
    const size_t pad = data[h.packetSize - 1];
    if (pad == 0 || pad > h.packetSize - kSize) return std::nullopt;
  }
  return h;
}

std::span<const uint8_t> RtcpHeader::Body(std::span<const uint8_t> data) const {
  size_t end = packetSize;
  if (padding) end -= data[packetSize - 1];
  return data.subspan(kSize, end - kSize);
}

void RtcpHeader::Write(uint8_t* out, uint8_t count, uint8_t packetType, size_t packetSize) {
  out[0] = static_cast<uint8_t>(0x80 | (count & 0x1F));
  out[1] = packetType;
  WriteU16(out + 2, static_cast<uint16_t>(packetSize / 4 - 1));
}

bool RtcpHeader::LooksLikeRtcp(std::span<const uint8_t> data) {
  return data.size() >= kSize && (data[0] >> 6) == 2 && data[1] >= 192 && data[1] <= 223;
}

}  // namespace medicall::webrtc::rtcp
