#include "webrtc/rtcp/Remb.hpp"

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

namespace {
constexpr uint32_t kUniqueId = 0x52454D42;  // "REMB"
}

bool Remb::IsRemb(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kPsfb) || header->count != kFmtAfb) {
    return false;
  }
  const auto body = header->Body(packet);
  return body.size() >= 16 && ReadU32(&body[8]) == kUniqueId;
}

std::optional<Remb> Remb::Parse(std::span<const uint8_t> packet) {
  if (!IsRemb(packet)) return std::nullopt;
  const auto body = RtcpHeader::Parse(packet)->Body(packet);
  const size_t count = body[12];
  if (body.size() != 16 + 4 * count) return std::nullopt;
  const uint8_t exponent = body[13] >> 2;
  const uint64_t mantissa = ReadU24(&body[13]) & 0x3FFFF;
  if (exponent > 0 && (mantissa >> (64 - exponent)) != 0) return std::nullopt;  // overflow
  Remb remb;
  remb.senderSsrc = ReadU32(&body[0]);
  remb.bitrate = mantissa << exponent;
  remb.ssrcCount = count;
  for (size_t i = 0; i < count; ++i) remb.ssrcs[i] = ReadU32(&body[16 + 4 * i]);
  return remb;
}

bool Remb::AddSsrc(uint32_t ssrc) {
  if (ssrcCount >= kMaxSsrcs) return false;
  ssrcs[ssrcCount++] = ssrc;
  return true;
}

size_t Remb::Serialize(std::span<uint8_t> out) const {
  if (ssrcCount > kMaxSsrcs) return 0;
  const size_t size = SerializedSize();
  if (size > out.size()) return 0;
  uint64_t mantissa = bitrate;
  uint32_t exponent = 0;
  while (mantissa > 0x3FFFF) {
    mantissa >>= 1;
    ++exponent;
  }
  uint8_t* p = out.data();
  RtcpHeader::Write(p, kFmtAfb, static_cast<uint8_t>(PacketType::kPsfb), size);
  WriteU32(p + 4, senderSsrc);
  WriteU32(p + 8, 0);
  WriteU32(p + 12, kUniqueId);
  p[16] = static_cast<uint8_t>(ssrcCount);
  WriteU24(p + 17, (exponent << 18) | static_cast<uint32_t>(mantissa));
  for (size_t i = 0; i < ssrcCount; ++i) WriteU32(p + 20 + 4 * i, ssrcs[i]);
  return size;
}

}  // namespace medicall::webrtc::rtcp
