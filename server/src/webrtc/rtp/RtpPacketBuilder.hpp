#pragma once
// Builds an RTP packet (RFC 3550 section 5.1) with CSRCs, RFC 8285 header extensions and padding into a
// caller buffer. The builder owns no heap memory: extension values are copied into a fixed arena.
// The one-byte form (0xBEDE) is used when every id is 1-14 and every value 1-16 bytes long, otherwise
// the two-byte form (0x1000, RFC 8285 section 4.3).
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "webrtc/rtp/RtpPacket.hpp"

namespace medicall::webrtc::rtp {

class RtpPacketBuilder {
 public:
  static constexpr size_t kMaxCsrcs = 15;
  static constexpr size_t kMaxExtensions = 16;
  static constexpr size_t kArenaSize = 512;

  RtpPacketBuilder& SetMarker(bool marker) {
    marker_ = marker;
    return *this;
  }
  RtpPacketBuilder& SetPayloadType(uint8_t pt) {
    payloadType_ = pt & 0x7F;
    return *this;
  }
  RtpPacketBuilder& SetSequenceNumber(uint16_t seq) {
    seq_ = seq;
    return *this;
  }
  RtpPacketBuilder& SetTimestamp(uint32_t ts) {
    timestamp_ = ts;
    return *this;
  }
  RtpPacketBuilder& SetSsrc(uint32_t ssrc) {
    ssrc_ = ssrc;
    return *this;
  }
  // Padding octets appended after the payload (0 for none; otherwise 1-255, the count included).
  RtpPacketBuilder& SetPadding(uint8_t padding) {
    padding_ = padding;
    return *this;
  }

  // Each returns false (and changes nothing) when a limit is reached or the value is invalid:
  // id 0, a duplicate id, id above 255, more than 255 bytes.
  bool AddCsrc(uint32_t csrc);
  bool AddExtension(uint8_t id, std::span<const uint8_t> value);
  bool AddMid(uint8_t id, std::string_view mid);
  bool AddAbsSendTime(uint8_t id, uint32_t absSendTime24);
  bool AddTransportSequenceNumber(uint8_t id, uint16_t seq);
  bool AddAudioLevel(uint8_t id, RtpPacket::AudioLevel level);
  void ClearExtensions() {
    extCount_ = 0;
    arenaUsed_ = 0;
  }

  // Size of the packet Build would write for a payload of payloadSize bytes.
  size_t SizeFor(size_t payloadSize) const;
  // Writes header, payload and padding into out; returns the size, or 0 when out is too small.
  // payload must not overlap out.
  size_t Build(std::span<const uint8_t> payload, std::span<uint8_t> out) const;

 private:
  struct Ext {
    uint8_t id;
    uint16_t offset;
    uint8_t size;
  };
  bool UseOneByte() const;
  size_t ExtensionBlockSize() const;  // elements plus padding to 32 bits, without the 4-byte header

  bool marker_ = false;
  uint8_t payloadType_ = 0;
  uint16_t seq_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  uint8_t padding_ = 0;
  std::array<uint32_t, kMaxCsrcs> csrcs_{};
  size_t csrcCount_ = 0;
  std::array<Ext, kMaxExtensions> exts_{};
  size_t extCount_ = 0;
  std::array<uint8_t, kArenaSize> arena_{};
  size_t arenaUsed_ = 0;
};

}  // namespace medicall::webrtc::rtp
