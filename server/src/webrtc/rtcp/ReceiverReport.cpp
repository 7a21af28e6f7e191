#include "webrtc/rtcp/ReceiverReport.hpp"

#include "common/Bytes.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"

namespace medicall::webrtc::rtcp {

std::optional<ReceiverReport> ReceiverReport::Parse(std::span<const uint8_t> packet) {
  const auto header = RtcpHeader::Parse(packet);
  if (!header || header->packetType != static_cast<uint8_t>(PacketType::kRr)) return std::nullopt;
  const auto body = header->Body(packet);
  if (body.size() < 4 + ReportBlock::kSize * header->count) return std::nullopt;
  ReceiverReport rr;
  rr.senderSsrc = ReadU32(&body[0]);
  rr.blockCount = header->count;
  for (size_t i = 0; i < rr.blockCount; ++i)
    rr.blocks[i] = ReportBlock::Read(&body[4 + ReportBlock::kSize * i]);
  return rr;
}

size_t ReceiverReport::Serialize(std::span<uint8_t> out) const {
  const size_t size = SerializedSize();
  if (blockCount > ReportBlock::kMaxCount || size > out.size()) return 0;
  uint8_t* p = out.data();
  RtcpHeader::Write(p, static_cast<uint8_t>(blockCount), static_cast<uint8_t>(PacketType::kRr), size);
  WriteU32(p + 4, senderSsrc);
  for (size_t i = 0; i < blockCount; ++i) blocks[i].Write(p + 8 + ReportBlock::kSize * i);
  return size;
}

bool ReceiverReport::AddBlock(const ReportBlock& block) {
  if (blockCount >= ReportBlock::kMaxCount) return false;
  blocks[blockCount++] = block;
  return true;
}

}  // namespace medicall::webrtc::rtcp
