#pragma once
// Reception report block, RFC 3550 section 6.4.1 (https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1):
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |                 SSRC_1 (SSRC of first source)                 |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | fraction lost |       cumulative number of packets lost       |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           extended highest sequence number received           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                      interarrival jitter                      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         last SR (LSR)                         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                   delay since last SR (DLSR)                  |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
#include <cstddef>
#include <cstdint>

namespace medicall::webrtc::rtcp {

struct ReportBlock {
  static constexpr size_t kSize = 24;
  static constexpr size_t kMaxCount = 31;  // the 5-bit RC field

  uint32_t ssrc = 0;
  uint8_t fractionLost = 0;
  int32_t cumulativeLost = 0;  // signed 24-bit
  uint32_t extendedHighestSeq = 0;
  uint32_t jitter = 0;
  uint32_t lastSr = 0;
  uint32_t delaySinceLastSr = 0;  // units of 1/65536 s

  bool operator==(const ReportBlock&) const = default;

  // p points at kSize readable bytes.
  static ReportBlock Read(const uint8_t* p);
  // p points at kSize writable bytes. cumulativeLost is clamped to the 24-bit signed range.
  void Write(uint8_t* p) const;
};

}  // namespace medicall::webrtc::rtcp
