#pragma once
// Builds a STUN message (RFC 8489) into a caller-provided buffer, without allocating. Errors are
// sticky: once an attribute does not fit, Ok() is false and Bytes() is empty. Attributes are
// padded with zeros to 4 bytes; MESSAGE-INTEGRITY and FINGERPRINT are computed over what was
// written before them, so add them last (in that order).
#include <cstdint>
#include <span>
#include <string_view>

#include "webrtc/stun/StunConstants.hpp"
#include "webrtc/stun/TransportAddress.hpp"

namespace medicall::webrtc::stun {

class StunWriter {
 public:
  StunWriter(std::span<uint8_t> buffer, uint16_t method, StunClass cls,
             std::span<const uint8_t, kTransactionIdSize> transactionId);

  StunWriter& Add(uint16_t type, std::span<const uint8_t> value);
  StunWriter& AddString(uint16_t type, std::string_view value);
  StunWriter& AddU32(uint16_t type, uint32_t value);
  StunWriter& AddU64(uint16_t type, uint64_t value);
  StunWriter& AddFlag(uint16_t type) { return Add(type, {}); }  // e.g. USE-CANDIDATE
  StunWriter& AddXorAddress(uint16_t type, const TransportAddress& address);
  StunWriter& AddErrorCode(uint16_t code, std::string_view reason);
  StunWriter& AddUnknownAttributes(std::span<const uint16_t> types);
  StunWriter& AddMessageIntegrity(std::string_view key);
  StunWriter& AddFingerprint();

  bool Ok() const { return ok_; }
  size_t Size() const { return ok_ ? size_ : 0; }
  std::span<const uint8_t> Bytes() const { return buffer_.first(Size()); }

 private:
  // Reserves a TLV header plus padded value; returns the value pointer or nullptr (sets !ok_).
  uint8_t* Reserve(uint16_t type, size_t valueLength);

  std::span<uint8_t> buffer_;
  size_t size_ = 0;
  bool ok_ = true;
};

}  // namespace medicall::webrtc::stun
