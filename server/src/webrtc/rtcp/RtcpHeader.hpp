#pragma once
// Common RTCP header, RFC 3550 section 6.4.1 (https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|  RC/FMT |      PT       |             length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// length: the packet size in 32-bit words minus one, header included. With P set, the last octet counts
// the padding octets, itself included (section 6.4.1). Feedback packets (RFC 4585 section 6.1) add
//  |                  SSRC of packet sender                        |
//  |                  SSRC of media source                         |
// before their feedback control information.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace medicall::webrtc::rtcp {

enum class PacketType : uint8_t {
  kSr = 200,
  kRr = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kRtpfb = 205,  // transport layer feedback (RFC 4585)
  kPsfb = 206,   // payload-specific feedback (RFC 4585)
  kXr = 207,
};

// Feedback message types (FMT values).
inline constexpr uint8_t kFmtNack = 1;                // RTPFB, RFC 4585 section 6.2.1
inline constexpr uint8_t kFmtTransportFeedback = 15;  // RTPFB, draft-holmer-rmcat-transport-wide-cc-01
inline constexpr uint8_t kFmtPli = 1;                 // PSFB, RFC 4585 section 6.3.1
inline constexpr uint8_t kFmtFir = 4;                 // PSFB, RFC 5104 section 4.3.1
inline constexpr uint8_t kFmtAfb = 15;                // PSFB application layer feedback (REMB)

struct RtcpHeader {
  static constexpr size_t kSize = 4;
  static constexpr size_t kFeedbackHeaderSize = 12;  // common header + two SSRCs

  bool padding = false;
  uint8_t count = 0;  // RC, SC or FMT
  uint8_t packetType = 0;
  size_t packetSize = 0;  // (length + 1) * 4

  // Parses the header of the packet at the start of data. nullopt when the version is not 2, the length
  // runs past data or the padding count is 0 or reaches into the header.
  static std::optional<RtcpHeader> Parse(std::span<const uint8_t> data);
  // The packet's contents after the 4-byte header, without padding. data must be the packet Parse saw.
  std::span<const uint8_t> Body(std::span<const uint8_t> data) const;
  // Writes a header for a packet of packetSize bytes (a multiple of 4, at least 4), no padding.
  static void Write(uint8_t* out, uint8_t count, uint8_t packetType, size_t packetSize);
  // Cheap demux test (RFC 5761 section 4): version 2 and packet type 192-223.
  static bool LooksLikeRtcp(std::span<const uint8_t> data);
};

}  // namespace medicall::webrtc::rtcp
