#include "webrtc/rtcp/Bye.hpp"

#include <cstring>

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

std::optional<Bye> Bye::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kBye)) return std::nullopt;
  const auto body = header->Body(packet);
  const size_t ssrcBytes = 4 * static_cast<size_t>(header->count);
  if (body.size() < ssrcBytes) return std::nullopt;
  Bye bye;
  bye.ssrcCount = header->count;
  for (size_t i = 0; i < bye.ssrcCount; ++i) bye.ssrcs[i] = ReadU32(&body[4 * i]);
  if (body.size() > ssrcBytes) {
    const size_t len = body[ssrcBytes];
    if (len > body.size() - ssrcBytes - 1) return std::nullopt;
    bye.reason = std::string_view(reinterpret_cast<const char*>(&body[ssrcBytes + 1]), len);
  }
  return bye;
}

bool Bye::AddSsrc(uint32_t ssrc) {
  if (ssrcCount >= kMaxSsrcs) return false;
  ssrcs[ssrcCount++] = ssrc;
  return true;
}

size_t Bye::SerializedSize() const {
  size_t size = 4 + 4 * ssrcCount;
  if (!reason.empty()) size += (1 + reason.size() + 3) & ~size_t{3};
  return size;
}

size_t Bye::Serialize(std::span<uint8_t> out) const {
  if (ssrcCount > kMaxSsrcs || reason.size() > 255) return 0;
  const size_t size = SerializedSize();
  if (size > out.size()) return 0;
  uint8_t* p = out.data();
  RtcpHeader::Write(p, static_cast<uint8_t>(ssrcCount), static_cast<uint8_t>(PacketType::kBye), size);
  size_t pos = 4;
  for (size_t i = 0; i < ssrcCount; ++i, pos += 4) WriteU32(p + pos, ssrcs[i]);
  if (!reason.empty()) {
    p[pos++] = static_cast<uint8_t>(reason.size());
    std::memcpy(p + pos, reason.data(), reason.size());
    pos += reason.size();
    std::memset(p + pos, 0, size - pos);
  }
  return size;
}

}  // namespace medicall::webrtc::rtcp
