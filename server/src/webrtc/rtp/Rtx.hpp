#pragma once
// RTP retransmission payload format, RFC 4588 section 4 (https://www.rfc-editor.org/rfc/rfc4588#section-4):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                         RTP Header                            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |            OSN                |                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//  |                  Original RTP Packet Payload                  |
// The RTX packet keeps the original header (CSRCs, extensions, marker, timestamp) with its own payload
// type, SSRC and sequence number; OSN is the original sequence number.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "webrtc/rtp/RtpPacket.hpp"

namespace medicall::webrtc::rtp {

class Rtx {
 public:
  static constexpr size_t kOsnSize = 2;

  // Writes the RTX form of `original` into out (padding dropped). Returns the size, 0 if out is too small.
  static size_t Encapsulate(const RtpPacket& original, uint8_t rtxPayloadType, uint32_t rtxSsrc,
                            uint16_t rtxSequenceNumber, std::span<uint8_t> out);
  // Writes the original packet recovered from `rtx` into out (padding dropped). Returns 0 when the RTX
  // packet carries no OSN (e.g. a padding-only probe) or out is too small.
  static size_t Decapsulate(const RtpPacket& rtx, uint8_t originalPayloadType, uint32_t originalSsrc,
                            std::span<uint8_t> out);
  // Same without a copy of the payload: moves the header two bytes forward over the OSN and returns the
  // original packet viewed at the new start of the same buffer (two bytes in). nullopt when there is no OSN.
  // Afterwards `rtx` no longer describes the buffer and must not be used.
  static std::optional<RtpPacket> DecapsulateInPlace(RtpPacket& rtx, uint8_t originalPayloadType,
                                                     uint32_t originalSsrc);
  // The OSN of an RTX packet, nullopt when the payload is shorter than two bytes.
  static std::optional<uint16_t> OriginalSequenceNumber(const RtpPacket& rtx);
};

}  // namespace medicall::webrtc::rtp
