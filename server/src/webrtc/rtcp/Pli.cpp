#include "webrtc/rtcp/Pli.hpp"

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

std::optional<Pli> Pli::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kPsfb) || header->count != kFmtPli) {
    return std::nullopt;
  }
  const auto body = header->Body(packet);
  if (body.size() < 8) return std::nullopt;
  return Pli{ReadU32(&body[0]), ReadU32(&body[4])};
}

size_t Pli::Serialize(std::span<uint8_t> out) const {
  if (out.size() < kSize) return 0;
  RtcpHeader::Write(out.data(), kFmtPli, static_cast<uint8_t>(PacketType::kPsfb), kSize);
  WriteU32(&out[4], senderSsrc);
  WriteU32(&out[8], mediaSsrc);
  return kSize;
}

}  // namespace medicall::webrtc::rtcp
