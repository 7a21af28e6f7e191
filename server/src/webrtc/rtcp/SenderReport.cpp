#include "webrtc/rtcp/SenderReport.hpp"

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

std::optional<SenderReport> SenderReport::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kSr)) return std::nullopt;
  const auto body = header->Body(packet);
  if (body.size() < 24 + ReportBlock::kSize * header->count) return std::nullopt;
  SenderReport sr;
  sr.senderSsrc = ReadU32(&body[0]);
  sr.ntpTimestamp = ReadU64(&body[4]);
  sr.rtpTimestamp = ReadU32(&body[12]);
  sr.packetCount = ReadU32(&body[16]);
  sr.octetCount = ReadU32(&body[20]);
  sr.blockCount = header->count;
  for (size_t i = 0; i < sr.blockCount; ++i)
    sr.blocks[i] = ReportBlock::Read(&body[24 + ReportBlock::kSize * i]);
  return sr;
}

size_t SenderReport::Serialize(std::span<uint8_t> out) const {
  const size_t size = SerializedSize();
  if (blockCount > ReportBlock::kMaxCount || size > out.size()) return 0;
  uint8_t* p = out.data();
  RtcpHeader::Write(p, static_cast<uint8_t>(blockCount), static_cast<uint8_t>(PacketType::kSr), size);
  WriteU32(p + 4, senderSsrc);
  WriteU64(p + 8, ntpTimestamp);
  WriteU32(p + 16, rtpTimestamp);
  WriteU32(p + 20, packetCount);
  WriteU32(p + 24, octetCount);
  for (size_t i = 0; i < blockCount; ++i) blocks[i].Write(p + 28 + ReportBlock::kSize * i);
  return size;
}

bool SenderReport::AddBlock(const ReportBlock& block) {
  if (blockCount >= ReportBlock::kMaxCount) return false;
  blocks[blockCount++] = block;
  return true;
}

}  // namespace medicall::webrtc::rtcp
