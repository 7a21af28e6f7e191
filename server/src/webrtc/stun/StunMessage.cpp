#include "webrtc/stun/StunMessage.hpp"

#include <openssl/crypto.h>

#include <cstring>

#include "common/Bytes.hpp"
#include "webrtc/stun/Crc32.hpp"
#include "webrtc/stun/HmacSha1.hpp"

namespace medicall::webrtc::stun {
namespace {

bool IsKnownRequired(uint16_t type) {
  switch (type) {
    case attr::kMappedAddress:
    case attr::kUsername:
    case attr::kMessageIntegrity:
    case attr::kErrorCode:
    case attr::kUnknownAttributes:
    case attr::kRealm:
    case attr::kNonce:
    case attr::kPasswordAlgorithm:
    case attr::kUserhash:
    case attr::kXorMappedAddress:
    case attr::kPriority:
    case attr::kUseCandidate:
      return true;
    default:
      return false;
  }
}

constexpr size_t Padded(size_t n) { return (n + 3) & ~static_cast<size_t>(3); }

}  // namespace

bool StunMessage::LooksLikeStun(std::span<const uint8_t> data) {
  return data.size() >= kHeaderSize && data[0] < 4 && ReadU32(&data[4]) == kMagicCookie;
}

std::optional<StunMessage> StunMessage::Parse(std::span<const uint8_t> data) {
  if (!LooksLikeStun(data)) return std::nullopt;
  const uint16_t length = ReadU16(&data[2]);
  // The length excludes the header, is a multiple of 4 and matches the datagram exactly.
  if ((length & 3) != 0 || kHeaderSize + length != data.size()) return std::nullopt;

  StunMessage m;
  m.data_ = data;
  m.type_ = ReadU16(&data[0]);
  size_t pos = kHeaderSize;
  bool afterIntegrity = false;
  while (pos < data.size()) {
    if (m.fingerprintIndex_ >= 0) return std::nullopt;  // FINGERPRINT must be the last attribute
    if (data.size() - pos < 4) return std::nullopt;
    const uint16_t type = ReadU16(&data[pos]);
    const uint16_t valueLength = ReadU16(&data[pos + 2]);
    const size_t valueOffset = pos + 4;
    if (Padded(valueLength) > data.size() - valueOffset) return std::nullopt;
    pos = valueOffset + Padded(valueLength);

    if (afterIntegrity && type != attr::kFingerprint) continue;  // ignored, section 14.5
    if (type == attr::kMessageIntegrity && valueLength != HmacSha1::kSize) return std::nullopt;
    if (type == attr::kFingerprint && valueLength != 4) return std::nullopt;
    if (m.count_ == kMaxAttributes) return std::nullopt;
    m.attributes_[m.count_] = Attribute{type, valueLength, static_cast<uint32_t>(valueOffset)};
    if (type == attr::kMessageIntegrity && m.integrityIndex_ < 0) {
      m.integrityIndex_ = static_cast<int>(m.count_);
      afterIntegrity = true;
    } else if (type == attr::kFingerprint) {
      m.fingerprintIndex_ = static_cast<int>(m.count_);
    } else if (attr::IsComprehensionRequired(type) && !IsKnownRequired(type) &&
               m.unknownCount_ < kMaxUnknown) {
      m.unknownRequired_[m.unknownCount_++] = type;
    }
    ++m.count_;
  }
  return m;
}

const StunMessage::Attribute* StunMessage::Find(uint16_t type) const {
  for (size_t i = 0; i < count_; ++i) {
    if (attributes_[i].type == type) return &attributes_[i];
  }
  return nullptr;
}

std::optional<std::string_view> StunMessage::StringAttr(uint16_t type) const {
  const Attribute* a = Find(type);
  if (a == nullptr) return std::nullopt;
  auto v = Value(*a);
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

std::optional<uint64_t> StunMessage::U64Attr(uint16_t type) const {
  const Attribute* a = Find(type);
  if (a == nullptr || a->length != 8) return std::nullopt;
  return ReadU64(&data_[a->offset]);
}

std::optional<uint32_t> StunMessage::Priority() const {
  const Attribute* a = Find(attr::kPriority);
  if (a == nullptr || a->length != 4) return std::nullopt;
  return ReadU32(&data_[a->offset]);
}

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |0 0 0 0 0 0 0 0|    Family     |         X-Port                |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |                X-Address (Variable)
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// https://www.rfc-editor.org/rfc/rfc8489#section-14.2 (14.1 for MAPPED-ADDRESS, not xored)
std::optional<TransportAddress> StunMessage::AddressAttr(uint16_t type, bool xored) const {
  const Attribute* a = Find(type);
  if (a == nullptr || a->length < 4) return std::nullopt;
  const uint8_t* v = &data_[a->offset];
  const uint8_t family = v[1];
  TransportAddress out;
  out.port = ReadU16(v + 2);
  if (xored) out.port ^= static_cast<uint16_t>(kMagicCookie >> 16);
  size_t n = 0;
  if (family == 0x01 && a->length == 8) {
    n = 4;
  } else if (family == 0x02 && a->length == 20) {
    n = 16;
    out.ipv6 = true;
  } else {
    return std::nullopt;
  }
  // The xor pad is the magic cookie followed by the transaction ID (bytes 4..19 of the header).
  for (size_t i = 0; i < n; ++i) out.ip[i] = static_cast<uint8_t>(v[4 + i] ^ (xored ? data_[4 + i] : 0));
  return out;
}

std::optional<TransportAddress> StunMessage::XorMappedAddress() const {
  return AddressAttr(attr::kXorMappedAddress, true);
}
std::optional<TransportAddress> StunMessage::MappedAddress() const {
  return AddressAttr(attr::kMappedAddress, false);
}

//  0                   1                   2                   3
//  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |           Reserved, should be 0         |Class|     Number    |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |      Reason Phrase (variable)                                ..
// https://www.rfc-editor.org/rfc/rfc8489#section-14.8
std::optional<StunMessage::ErrorCodeValue> StunMessage::ErrorCode() const {
  const Attribute* a = Find(attr::kErrorCode);
  if (a == nullptr || a->length < 4) return std::nullopt;
  const uint8_t* v = &data_[a->offset];
  const uint8_t cls = v[2] & 0x07;
  const uint8_t number = v[3];
  if (cls < 3 || cls > 6 || number > 99) return std::nullopt;
  ErrorCodeValue e;
  e.code = static_cast<uint16_t>(cls * 100 + number);
  e.reason = std::string_view(reinterpret_cast<const char*>(v + 4), a->length - 4u);
  return e;
}

std::optional<std::vector<uint16_t>> StunMessage::UnknownAttributes() const {
  const Attribute* a = Find(attr::kUnknownAttributes);
  if (a == nullptr || (a->length & 1) != 0) return std::nullopt;
  std::vector<uint16_t> out;
  for (size_t i = 0; i + 1 < a->length; i += 2) out.push_back(ReadU16(&data_[a->offset + i]));
  return out;
}

std::array<uint8_t, kHeaderSize> StunMessage::HeaderEndingAt(uint32_t attributeOffset,
                                                             uint16_t valueLength) const {
  std::array<uint8_t, kHeaderSize> header{};
  std::memcpy(header.data(), data_.data(), kHeaderSize);
  WriteU16(&header[2], static_cast<uint16_t>(attributeOffset + 4 + valueLength - kHeaderSize));
  return header;
}

bool StunMessage::CheckMessageIntegrity(std::string_view key) const {
  if (integrityIndex_ < 0) return false;
  const Attribute& mi = attributes_[static_cast<size_t>(integrityIndex_)];
  const uint32_t attributeOffset = mi.offset - 4;
  const auto header = HeaderEndingAt(attributeOffset, mi.length);
  HmacSha1::Digest digest{};
  if (!HmacSha1::Compute(key, header, data_.subspan(kHeaderSize, attributeOffset - kHeaderSize), digest)) {
    return false;
  }
  return CRYPTO_memcmp(digest.data(), &data_[mi.offset], HmacSha1::kSize) == 0;
}

bool StunMessage::CheckFingerprint() const {
  if (fingerprintIndex_ < 0) return false;
  const Attribute& fp = attributes_[static_cast<size_t>(fingerprintIndex_)];
  const uint32_t attributeOffset = fp.offset - 4;
  const auto header = HeaderEndingAt(attributeOffset, fp.length);
  uint32_t crc = Crc32::Update(0, header);
  crc = Crc32::Update(crc, data_.subspan(kHeaderSize, attributeOffset - kHeaderSize));
  return (crc ^ kFingerprintXor) == ReadU32(&data_[fp.offset]);
}

}  // namespace medicall::webrtc::stun
