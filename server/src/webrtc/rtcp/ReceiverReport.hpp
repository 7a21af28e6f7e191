#pragma once
// Receiver report, RFC 3550 section 6.4.2 (https://www.rfc-editor.org/rfc/rfc3550#section-6.4.2):
//  |V=2|P|    RC   |   PT=RR=201   |             length            |
//  |                     SSRC of packet sender                     |
//  |                 report blocks (RC x 24 bytes)                 |
//  |                  profile-specific extensions                  |
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/ReportBlock.hpp"

namespace medicall::webrtc::rtcp {

struct ReceiverReport {
  uint32_t senderSsrc = 0;
  std::array<ReportBlock, ReportBlock::kMaxCount> blocks{};
  size_t blockCount = 0;

  static std::optional<ReceiverReport> Parse(std::span<const uint8_t> packet);
  size_t SerializedSize() const { return 8 + ReportBlock::kSize * blockCount; }
  size_t Serialize(std::span<uint8_t> out) const;
  bool AddBlock(const ReportBlock& block);
};

}  // namespace medicall::webrtc::rtcp
