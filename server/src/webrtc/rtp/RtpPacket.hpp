#pragma once
// A view over one RTP packet in a caller-owned, mutable buffer: parse, read, rewrite in place.
//
// RFC 3550 section 5.1 (https://www.rfc-editor.org/rfc/rfc3550#section-5.1):
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                           timestamp                           |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           synchronization source (SSRC) identifier            |
//  +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
//  |            contributing source (CSRC) identifiers             |
//  |                             ....                              |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// Header extension, RFC 3550 section 5.3.1:
//  |      defined by profile       |           length              |
//  |                        header extension                       |
// with the RFC 8285 forms (https://www.rfc-editor.org/rfc/rfc8285#section-4):
//  one-byte header (section 4.2), profile 0xBEDE, elements |  ID   |  L=len-1  | data (1-16 bytes) ...
//  two-byte header (section 4.3), profile 0x100X, elements |  ID (8 bits)  | L (8 bits) | data (0-255) ...
// ID 0 is a single padding byte in both forms; in the one-byte form ID 15 ends extension processing.
// Padding (section 5.1): the last octet counts the padding octets, itself included.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/Bytes.hpp"

namespace medicall::webrtc::rtp {

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr uint16_t kOneByteProfile = 0xBEDE;
  static constexpr uint16_t kTwoByteProfile = 0x1000;  // 0x100X: the low 4 bits are "appbits"
  static constexpr uint8_t kOneByteReservedId = 15;

  enum class ExtensionMode : uint8_t { kNone, kOneByte, kTwoByte, kOther };

  // RFC 6464 client-to-mixer audio level: V flag and level in -dBov (0 loudest, 127 silence).
  struct AudioLevel {
    bool voice = false;
    uint8_t level = 127;
    bool operator==(const AudioLevel&) const = default;
  };

  // Validates the whole packet (version 2, CSRCs, extension block and every element in it, padding)
  // and returns nullopt when anything lies about its length.
  static std::optional<RtpPacket> Parse(std::span<uint8_t> data);
  // This packet copied into `out` (at least Size() bytes), keeping the offsets already parsed: the
  // router's copy per subscriber is not parsed again. nullopt when `out` is too small.
  std::optional<RtpPacket> CopyTo(std::span<uint8_t> out) const;
  // Cheap demux test (RFC 7983 / RFC 5761): version 2 and not an RTCP packet type (192-223).
  static bool LooksLikeRtp(std::span<const uint8_t> data);

  uint8_t Version() const { return data_[0] >> 6; }
  bool HasPadding() const { return (data_[0] & 0x20) != 0; }
  bool HasExtension() const { return (data_[0] & 0x10) != 0; }
  uint8_t CsrcCount() const { return data_[0] & 0x0F; }
  bool Marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t PayloadType() const { return data_[1] & 0x7F; }
  uint16_t SequenceNumber() const { return ReadU16(data_ + 2); }
  uint32_t Timestamp() const { return ReadU32(data_ + 4); }
  uint32_t Ssrc() const { return ReadU32(data_ + 8); }
  // i < CsrcCount().
  uint32_t Csrc(size_t i) const { return ReadU32(data_ + kFixedHeaderSize + 4 * i); }

  size_t Size() const { return size_; }
  size_t HeaderSize() const { return headerSize_; }
  size_t PayloadSize() const { return payloadSize_; }
  size_t PaddingSize() const { return paddingSize_; }
  std::span<const uint8_t> Data() const { return {data_, size_}; }
  std::span<uint8_t> MutableData() { return {data_, size_}; }
  std::span<const uint8_t> Payload() const { return {data_ + headerSize_, payloadSize_}; }
  std::span<uint8_t> MutablePayload() { return {data_ + headerSize_, payloadSize_}; }

  ExtensionMode GetExtensionMode() const { return extMode_; }
  // The "defined by profile" field, 0 without extension.
  uint16_t ExtensionProfile() const { return HasExtension() ? ReadU16(data_ + extOffset_ - 4) : 0; }
  // The extension elements (without the 4-byte extension header); empty without extension.
  std::span<const uint8_t> ExtensionBlock() const { return {data_ + extOffset_, extSize_}; }

  // In-place rewrites of fixed header fields.
  void SetMarker(bool marker) { data_[1] = static_cast<uint8_t>((data_[1] & 0x7F) | (marker ? 0x80 : 0)); }
  void SetPayloadType(uint8_t pt) { data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (pt & 0x7F)); }
  void SetSequenceNumber(uint16_t seq) { WriteU16(data_ + 2, seq); }
  void SetTimestamp(uint32_t ts) { WriteU32(data_ + 4, ts); }
  void SetSsrc(uint32_t ssrc) { WriteU32(data_ + 8, ssrc); }

  // Extension elements by local id (1-14 one-byte, 1-255 two-byte). nullopt when absent.
  std::optional<std::span<const uint8_t>> FindExtension(uint8_t id) const;
  // Writable view of an element's value, for in-place rewrites; nullopt when absent.
  std::optional<std::span<uint8_t>> FindMutableExtension(uint8_t id);
  bool HasExtensionId(uint8_t id) const { return FindExtension(id).has_value(); }
  // Overwrites an existing element whose value has exactly value.size() bytes. No reallocation:
  // returns false when the element is absent or has another size (build a new packet then).
  bool SetExtension(uint8_t id, std::span<const uint8_t> value);
  // Calls f(id, value) for each element in order, for RFC 8285 forms only.
  template <typename F>
  void ForEachExtension(F&& f) const {
    WalkExtensions(ExtensionBlock(), extMode_, [&](uint8_t id, size_t offset, size_t len) {
      f(id, std::span<const uint8_t>(data_ + extOffset_ + offset, len));
      return false;
    });
  }

  // Typed extensions. mid (RFC 8843 section 15.2): a string of 1-16 (one-byte) or up to 255 bytes.
  std::optional<std::string_view> GetMid(uint8_t id) const;
  bool SetMid(uint8_t id, std::string_view mid);
  // The RID (rtp-stream-id or repaired-rtp-stream-id, RFC 8852 section 3): SDES text like the mid.
  std::optional<std::string_view> GetRid(uint8_t id) const { return GetMid(id); }
  // abs-send-time (webrtc.org): 24-bit 6.18 fixed-point seconds.
  std::optional<uint32_t> GetAbsSendTime(uint8_t id) const;
  bool SetAbsSendTime(uint8_t id, uint32_t absSendTime24);
  // transport-wide-cc (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2): 16-bit sequence.
  std::optional<uint16_t> GetTransportSequenceNumber(uint8_t id) const;
  bool SetTransportSequenceNumber(uint8_t id, uint16_t seq);
  // ssrc-audio-level (RFC 6464 section 3): |V| level (7 bits) |
  std::optional<AudioLevel> GetAudioLevel(uint8_t id) const;
  bool SetAudioLevel(uint8_t id, AudioLevel level);

  // Walks RFC 8285 elements of `block`. visit(id, offsetInBlock, length) returns true to stop.
  // Returns false when an element runs past the block (malformed).
  template <typename Visit>
  static bool WalkExtensions(std::span<const uint8_t> block, ExtensionMode mode, Visit&& visit) {
    if (mode != ExtensionMode::kOneByte && mode != ExtensionMode::kTwoByte) return true;
    size_t pos = 0;
    while (pos < block.size()) {
      const uint8_t first = block[pos];
      if (first == 0) {  // padding byte (RFC 8285 sections 4.2 and 4.3)
        ++pos;
        continue;
      }
      uint8_t id;
      size_t len;
      size_t headerLen;
      if (mode == ExtensionMode::kOneByte) {
        id = first >> 4;
        if (id == 0) {  // ID 0 is padding; its length nibble is ignored (RFC 8285 section 4.2)
          ++pos;
          continue;
        }
        if (id == kOneByteReservedId) return true;  // stop; earlier elements stand
        len = static_cast<size_t>(first & 0x0F) + 1;
        headerLen = 1;
      } else {
        if (pos + 2 > block.size()) return false;
        id = first;
        len = block[pos + 1];
        headerLen = 2;
      }
      if (pos + headerLen + len > block.size()) return false;
      if (visit(id, pos + headerLen, len)) return true;
      pos += headerLen + len;
    }
    return true;
  }

 private:
  RtpPacket() = default;

  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  size_t headerSize_ = 0;
  size_t payloadSize_ = 0;
  size_t paddingSize_ = 0;
  size_t extOffset_ = 0;  // start of the extension elements
  size_t extSize_ = 0;
  ExtensionMode extMode_ = ExtensionMode::kNone;
};

}  // namespace medicall::webrtc::rtp
