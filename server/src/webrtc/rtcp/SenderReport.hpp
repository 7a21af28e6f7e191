#pragma once
// Sender report, RFC 3550 section 6.4.1 (https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1):
//  |V=2|P|    RC   |   PT=SR=200   |             length            |
//  |                         SSRC of sender                        |
//  |              NTP timestamp, most significant word             |
//  |             NTP timestamp, least significant word             |
//  |                         RTP timestamp                         |
//  |                     sender's packet count                     |
//  |                      sender's octet count                     |
//  |                 report blocks (RC x 24 bytes)                 |
//  |                  profile-specific extensions                  |
// RC must fit in the length; anything after the blocks is a profile extension and is skipped.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtcp/ReportBlock.hpp"

namespace medicall::webrtc::rtcp {

struct SenderReport {
  uint32_t senderSsrc = 0;
  uint64_t ntpTimestamp = 0;  // 32.32 fixed point seconds since 1900
  uint32_t rtpTimestamp = 0;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;
  std::array<ReportBlock, ReportBlock::kMaxCount> blocks{};
  size_t blockCount = 0;

  // packet: one RTCP packet (as RtcpCompound hands out), header included.
  static std::optional<SenderReport> Parse(std::span<const uint8_t> packet);
  size_t SerializedSize() const { return 28 + ReportBlock::kSize * blockCount; }
  // Returns the size written, 0 when out is too small or blockCount is above 31.
  size_t Serialize(std::span<uint8_t> out) const;
  bool AddBlock(const ReportBlock& block);
};

}  // namespace medicall::webrtc::rtcp
