#pragma once
// A parsed STUN message (RFC 8489): a view over the caller's buffer, which must outlive it.
// Parse() checks the header and every attribute's length against the buffer and never throws;
// accessors return nullopt when an attribute is absent or its value has the wrong size.
//
//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |0 0|     STUN Message Type     |         Message Length        |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                         Magic Cookie                          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                     Transaction ID (96 bits)                  |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// https://www.rfc-editor.org/rfc/rfc8489#section-5
//
// Attributes (section 14): Type(16) Length(16) Value, padded to 4 bytes. Only FINGERPRINT may
// follow MESSAGE-INTEGRITY (others after it are ignored, section 14.5); FINGERPRINT is last.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "webrtc/stun/StunConstants.hpp"
#include "webrtc/stun/TransportAddress.hpp"

namespace medicall::webrtc::stun {

class StunMessage {
 public:
  static constexpr size_t kMaxAttributes = 32;
  static constexpr size_t kMaxUnknown = 8;

  struct Attribute {
    uint16_t type = 0;
    uint16_t length = 0;  // value length, without padding
    uint32_t offset = 0;  // of the value, from the start of the message
  };
  struct ErrorCodeValue {
    uint16_t code = 0;  // 300..699
    std::string_view reason;
  };

  // Cheap first-byte/cookie test (RFC 7983 + RFC 8489 section 6), for the demultiplexer.
  static bool LooksLikeStun(std::span<const uint8_t> data);
  static std::optional<StunMessage> Parse(std::span<const uint8_t> data);

  uint16_t Type() const { return type_; }
  uint16_t Method() const { return MethodOf(type_); }
  StunClass Class() const { return ClassOf(type_); }
  std::span<const uint8_t, kTransactionIdSize> TransactionId() const {
    return data_.subspan<8, kTransactionIdSize>();
  }
  std::span<const uint8_t> Raw() const { return data_; }
  std::span<const Attribute> Attributes() const { return {attributes_.data(), count_}; }

  const Attribute* Find(uint16_t type) const;
  std::span<const uint8_t> Value(const Attribute& a) const { return data_.subspan(a.offset, a.length); }

  std::optional<std::string_view> Username() const { return StringAttr(attr::kUsername); }
  std::optional<std::string_view> Software() const { return StringAttr(attr::kSoftware); }
  std::optional<uint32_t> Priority() const;
  bool HasUseCandidate() const { return Find(attr::kUseCandidate) != nullptr; }
  std::optional<uint64_t> IceControlling() const { return U64Attr(attr::kIceControlling); }
  std::optional<uint64_t> IceControlled() const { return U64Attr(attr::kIceControlled); }
  std::optional<TransportAddress> XorMappedAddress() const;
  std::optional<TransportAddress> MappedAddress() const;
  std::optional<ErrorCodeValue> ErrorCode() const;
  std::optional<std::vector<uint16_t>> UnknownAttributes() const;
  // Comprehension-required attribute types (0x0000-0x7FFF) this parser does not understand; a
  // request carrying any gets a 420 with UNKNOWN-ATTRIBUTES (RFC 8489 section 6.3.1.1).
  std::span<const uint16_t> UnknownRequired() const { return {unknownRequired_.data(), unknownCount_}; }

  bool HasMessageIntegrity() const { return integrityIndex_ >= 0; }
  bool HasFingerprint() const { return fingerprintIndex_ >= 0; }
  // HMAC-SHA1 with `key` (short-term credential: the password itself) over the message up to
  // MESSAGE-INTEGRITY, with the length field covering it (section 14.5). Constant-time compare.
  bool CheckMessageIntegrity(std::string_view key) const;
  // CRC-32 of the message up to FINGERPRINT, xor 0x5354554e (section 14.7).
  bool CheckFingerprint() const;

 private:
  StunMessage() = default;
  std::optional<std::string_view> StringAttr(uint16_t type) const;
  std::optional<uint64_t> U64Attr(uint16_t type) const;
  std::optional<TransportAddress> AddressAttr(uint16_t type, bool xored) const;
  // The header with its length field rewritten so that the message ends after the attribute
  // whose header starts at `attributeOffset` and whose value is `valueLength` bytes.
  std::array<uint8_t, kHeaderSize> HeaderEndingAt(uint32_t attributeOffset, uint16_t valueLength) const;

  std::span<const uint8_t> data_;
  uint16_t type_ = 0;
  std::array<Attribute, kMaxAttributes> attributes_{};
  size_t count_ = 0;
  int integrityIndex_ = -1;
  int fingerprintIndex_ = -1;
  std::array<uint16_t, kMaxUnknown> unknownRequired_{};
  size_t unknownCount_ = 0;
};

}  // namespace medicall::webrtc::stun
