#include "webrtc/rtcp/Fir.hpp"

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

std::optional<Fir> Fir::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kPsfb) || header->count != kFmtFir) {
    return std::nullopt;
  }
  const auto body = header->Body(packet);
  // Two SSRCs, then at least one whole 8-byte entry and nothing else.
  if (body.size() < 16 || (body.size() - 8) % 8 != 0) return std::nullopt;
  Fir fir;
  fir.senderSsrc = ReadU32(&body[0]);
  const size_t count = (body.size() - 8) / 8;
  for (size_t i = 0; i < count && i < kMaxEntries; ++i) {
    fir.entries[i] = Entry{ReadU32(&body[8 + 8 * i]), body[12 + 8 * i]};
    fir.entryCount = i + 1;
  }
  return fir;
}

bool Fir::AddEntry(uint32_t ssrc, uint8_t seqNr) {
  if (entryCount >= kMaxEntries) return false;
  entries[entryCount++] = Entry{ssrc, seqNr};
  return true;
}

size_t Fir::Serialize(std::span<uint8_t> out) const {
  if (entryCount == 0 || entryCount > kMaxEntries) return 0;
  const size_t size = SerializedSize();
  if (size > out.size()) return 0;
  uint8_t* p = out.data();
  RtcpHeader::Write(p, kFmtFir, static_cast<uint8_t>(PacketType::kPsfb), size);
  WriteU32(p + 4, senderSsrc);
  WriteU32(p + 8, 0);
  for (size_t i = 0; i < entryCount; ++i) {
    WriteU32(p + 12 + 8 * i, entries[i].ssrc);
    WriteU32(p + 16 + 8 * i, static_cast<uint32_t>(entries[i].seqNr) << 24);
  }
  return size;
}

}  // namespace medicall::webrtc::rtcp
