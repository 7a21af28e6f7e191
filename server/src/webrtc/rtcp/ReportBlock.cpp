#include "webrtc/rtcp/ReportBlock.hpp"

#include <algorithm>

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtcp {

ReportBlock ReportBlock::Read(const uint8_t* p) {
  ReportBlock b;
  b.ssrc = ReadU32(p);
  b.fractionLost = p[4];
  uint32_t lost = ReadU24(p + 5);
  if (lost & 0x800000) lost |= 0xFF000000;  // sign-extend
  b.cumulativeLost = static_cast<int32_t>(lost);
  b.extendedHighestSeq = ReadU32(p + 8);
  b.jitter = ReadU32(p + 12);
  b.lastSr = ReadU32(p + 16);
  b.delaySinceLastSr = ReadU32(p + 20);
  return b;
}

void ReportBlock::Write(uint8_t* p) const {
  WriteU32(p, ssrc);
  p[4] = fractionLost;
  const int32_t lost = std::clamp<int32_t>(cumulativeLost, -0x800000, 0x7FFFFF);
  WriteU24(p + 5, static_cast<uint32_t>(lost) & 0xFFFFFF);
  WriteU32(p + 8, extendedHighestSeq);
  WriteU32(p + 12, jitter);
  WriteU32(p + 16, lastSr);
  WriteU32(p + 20, delaySinceLastSr);
}

}  // namespace medicall::webrtc::rtcp
