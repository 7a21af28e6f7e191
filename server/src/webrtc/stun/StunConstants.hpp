#pragma once
// STUN numbers (RFC 8489 sections 5 and 18, RFC 8445 section 16.1).
#include <cstdint>

namespace medicall::webrtc::stun {

constexpr uint32_t kMagicCookie = 0x2112A442;
constexpr uint32_t kFingerprintXor = 0x5354554E;  // "STUN"
constexpr size_t kHeaderSize = 20;
constexpr size_t kTransactionIdSize = 12;

// The two class bits of the message type (RFC 8489 section 5).
enum class StunClass : uint8_t { Request = 0, Indication = 1, SuccessResponse = 2, ErrorResponse = 3 };

constexpr uint16_t kMethodBinding = 0x001;

// Encodes method and class into the 14-bit message type:
//   0                 1
//   2  3  4 5 6 7 8 9 0 1 2 3 4 5
//  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
//  |M |M |M|M|M|C|M|M|M|C|M|M|M|M|
//  |11|10|9|8|7|1|6|5|4|0|3|2|1|0|
//  +--+--+-+-+-+-+-+-+-+-+-+-+-+-+
constexpr uint16_t MessageType(uint16_t method, StunClass cls) {
  const auto c = static_cast<uint16_t>(cls);
  return static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) |
                               ((c & 0x1) << 4) | ((c & 0x2) << 7));
}
constexpr uint16_t MethodOf(uint16_t type) {
  return static_cast<uint16_t>((type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2));
}
constexpr StunClass ClassOf(uint16_t type) {
  return static_cast<StunClass>(((type >> 4) & 0x1) | ((type >> 7) & 0x2));
}

namespace attr {
constexpr uint16_t kMappedAddress = 0x0001;
constexpr uint16_t kUsername = 0x0006;
constexpr uint16_t kMessageIntegrity = 0x0008;
constexpr uint16_t kErrorCode = 0x0009;
constexpr uint16_t kUnknownAttributes = 0x000A;
constexpr uint16_t kRealm = 0x0014;
constexpr uint16_t kNonce = 0x0015;
constexpr uint16_t kMessageIntegritySha256 = 0x001C;
constexpr uint16_t kPasswordAlgorithm = 0x001D;
constexpr uint16_t kUserhash = 0x001E;
constexpr uint16_t kXorMappedAddress = 0x0020;
constexpr uint16_t kPriority = 0x0024;
constexpr uint16_t kUseCandidate = 0x0025;
constexpr uint16_t kPasswordAlgorithms = 0x8002;
constexpr uint16_t kAlternateDomain = 0x8003;
constexpr uint16_t kSoftware = 0x8022;
constexpr uint16_t kAlternateServer = 0x8023;
constexpr uint16_t kFingerprint = 0x8028;
constexpr uint16_t kIceControlled = 0x8029;
constexpr uint16_t kIceControlling = 0x802A;
// Comprehension-required range (RFC 8489 section 14): 0x0000-0x7FFF.
constexpr bool IsComprehensionRequired(uint16_t type) { return type < 0x8000; }
}  // namespace attr

namespace error {
constexpr uint16_t kTryAlternate = 300;
constexpr uint16_t kBadRequest = 400;
constexpr uint16_t kUnauthorized = 401;
constexpr uint16_t kUnknownAttribute = 420;
constexpr uint16_t kStaleNonce = 438;
constexpr uint16_t kRoleConflict = 487;  // RFC 8445 section 16.1
constexpr uint16_t kServerError = 500;
}  // namespace error

}  // namespace medicall::webrtc::stun
