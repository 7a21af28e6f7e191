#include "webrtc/rtcp/Nack.hpp"

#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

namespace {

// Groups lost sequence numbers into PID/BLP items; calls emit(pid, blp) for each.
template <typename Emit>
void Group(std::span<const uint16_t> lost, Emit&& emit) {
  size_t i = 0;
  while (i < lost.size()) {
    const uint16_t pid = lost[i++];
    uint16_t blp = 0;
    while (i < lost.size()) {
      const uint16_t d = static_cast<uint16_t>(lost[i] - pid);
      if (d == 0) {  // duplicate of the PID
        ++i;
        continue;
      }
      if (d > 16) break;
      blp = static_cast<uint16_t>(blp | (1u << (d - 1)));
      ++i;
    }
    emit(pid, blp);
  }
}

}  // namespace

std::optional<Nack> Nack::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kRtpfb) ||
      header->count != kFmtNack) {
    return std::nullopt;
  }
  const auto body = header->Body(packet);
  // Two SSRCs and at least one whole FCI entry (RFC 4585 section 6.2.1: one or more).
  if (body.size() < 12 || body.size() % 4 != 0) return std::nullopt;
  Nack nack;
  nack.senderSsrc_ = ReadU32(&body[0]);
  nack.mediaSsrc_ = ReadU32(&body[4]);
  nack.fci_ = body.subspan(8);
  return nack;
}

size_t Nack::LostPackets(std::span<uint16_t> out) const {
  size_t n = 0;
  ForEachLost([&](uint16_t seq) {
    if (n < out.size()) out[n++] = seq;
  });
  return n;
}

size_t Nack::SerializedSize(std::span<const uint16_t> lost) {
  size_t items = 0;
  Group(lost, [&](uint16_t, uint16_t) { ++items; });
  return items ? RtcpHeader::kFeedbackHeaderSize + 4 * items : 0;
}

size_t Nack::Serialize(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<const uint16_t> lost,
                       std::span<uint8_t> out) {
  const size_t size = SerializedSize(lost);
  if (size == 0 || size > out.size() || size > size_t{4} * 65536) return 0;
  uint8_t* p = out.data();
  RtcpHeader::Write(p, kFmtNack, static_cast<uint8_t>(PacketType::kRtpfb), size);
  WriteU32(p + 4, senderSsrc);
  WriteU32(p + 8, mediaSsrc);
  size_t pos = RtcpHeader::kFeedbackHeaderSize;
  Group(lost, [&](uint16_t pid, uint16_t blp) {
    WriteU16(p + pos, pid);
    WriteU16(p + pos + 2, blp);
    pos += 4;
  });
  return size;
}

}  // namespace medicall::webrtc::rtcp
