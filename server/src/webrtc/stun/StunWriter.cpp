#include "webrtc/stun/StunWriter.hpp"

#include <cstring>

#include "common/Bytes.hpp"
#include "webrtc/stun/Crc32.hpp"
#include "webrtc/stun/HmacSha1.hpp"

namespace medicall::webrtc::stun {

StunWriter::StunWriter(std::span<uint8_t> buffer, uint16_t method, StunClass cls,
                       std::span<const uint8_t, kTransactionIdSize> transactionId)
    : buffer_(buffer) {
  if (buffer_.size() < kHeaderSize) {
    ok_ = false;
    return;
  }
  WriteU16(&buffer_[0], MessageType(method, cls));
  WriteU16(&buffer_[2], 0);
  WriteU32(&buffer_[4], kMagicCookie);
  std::memcpy(&buffer_[8], transactionId.data(), kTransactionIdSize);
  size_ = kHeaderSize;
}

uint8_t* StunWriter::Reserve(uint16_t type, size_t valueLength) {
  const size_t padded = (valueLength + 3) & ~static_cast<size_t>(3);
  if (!ok_ || valueLength > 0xFFFF || buffer_.size() - size_ < 4 + padded ||
      size_ + 4 + padded - kHeaderSize > 0xFFFF) {
    ok_ = false;
    return nullptr;
  }
  uint8_t* p = &buffer_[size_];
  WriteU16(p, type);
  WriteU16(p + 2, static_cast<uint16_t>(valueLength));
  std::memset(p + 4, 0, padded);
  size_ += 4 + padded;
  WriteU16(&buffer_[2], static_cast<uint16_t>(size_ - kHeaderSize));
  return p + 4;
}

StunWriter& StunWriter::Add(uint16_t type, std::span<const uint8_t> value) {
  uint8_t* p = Reserve(type, value.size());
  if (p != nullptr && !value.empty()) std::memcpy(p, value.data(), value.size());
  return *this;
}

StunWriter& StunWriter::AddString(uint16_t type, std::string_view value) {
  return Add(type, std::span(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
}

StunWriter& StunWriter::AddU32(uint16_t type, uint32_t value) {
  if (uint8_t* p = Reserve(type, 4)) WriteU32(p, value);
  return *this;
}

StunWriter& StunWriter::AddU64(uint16_t type, uint64_t value) {
  if (uint8_t* p = Reserve(type, 8)) WriteU64(p, value);
  return *this;
}

// RFC 8489 section 14.2: X-Port is the port xor the cookie's high 16 bits; X-Address is the
// address xor the cookie (IPv4) or xor cookie||transaction ID (IPv6).
StunWriter& StunWriter::AddXorAddress(uint16_t type, const TransportAddress& address) {
  const size_t n = address.ipv6 ? 16 : 4;
  uint8_t* p = Reserve(type, 4 + n);
  if (p == nullptr) return *this;
  p[0] = 0;
  p[1] = address.ipv6 ? 0x02 : 0x01;
  WriteU16(p + 2, static_cast<uint16_t>(address.port ^ (kMagicCookie >> 16)));
  for (size_t i = 0; i < n; ++i) p[4 + i] = static_cast<uint8_t>(address.ip[i] ^ buffer_[4 + i]);
  return *this;
}

// RFC 8489 section 14.8: class (hundreds) in 3 bits, number (0-99) in 8 bits, then the reason.
StunWriter& StunWriter::AddErrorCode(uint16_t code, std::string_view reason) {
  if (code < 300 || code > 699) {
    ok_ = false;
    return *this;
  }
  if (reason.size() > 763) reason = reason.substr(0, 763);
  uint8_t* p = Reserve(attr::kErrorCode, 4 + reason.size());
  if (p == nullptr) return *this;
  p[2] = static_cast<uint8_t>(code / 100);
  p[3] = static_cast<uint8_t>(code % 100);
  if (!reason.empty()) std::memcpy(p + 4, reason.data(), reason.size());
  return *this;
}

StunWriter& StunWriter::AddUnknownAttributes(std::span<const uint16_t> types) {
  uint8_t* p = Reserve(attr::kUnknownAttributes, types.size() * 2);
  if (p == nullptr) return *this;
  for (size_t i = 0; i < types.size(); ++i) WriteU16(p + 2 * i, types[i]);
  return *this;
}

StunWriter& StunWriter::AddMessageIntegrity(std::string_view key) {
  const size_t before = size_;
  uint8_t* p = Reserve(attr::kMessageIntegrity, HmacSha1::kSize);
  if (p == nullptr) return *this;
  // The length field already counts the MESSAGE-INTEGRITY attribute, as section 14.5 wants.
  HmacSha1::Digest digest{};
  if (!HmacSha1::Compute(key, buffer_.first(before), {}, digest)) {
    ok_ = false;
    return *this;
  }
  std::memcpy(p, digest.data(), digest.size());
  return *this;
}

StunWriter& StunWriter::AddFingerprint() {
  const size_t before = size_;
  uint8_t* p = Reserve(attr::kFingerprint, 4);
  if (p == nullptr) return *this;
  WriteU32(p, Crc32::Compute(buffer_.first(before)) ^ kFingerprintXor);
  return *this;
}

}  // namespace medicall::webrtc::stun
