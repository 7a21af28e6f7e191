#pragma once
// HMAC-SHA1 (RFC 2104) on OpenSSL 3's EVP_MAC, as STUN's MESSAGE-INTEGRITY uses it
// (RFC 8489 section 14.5). One MAC context per thread is kept and re-initialised per call, so the
// per-packet path does not allocate.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace medicall::webrtc::stun {

class HmacSha1 {
 public:
  static constexpr size_t kSize = 20;
  using Digest = std::array<uint8_t, kSize>;

  // HMAC over the concatenation of `first` and `second` (either may be empty). Returns false only
  // when OpenSSL fails.
  static bool Compute(std::string_view key, std::span<const uint8_t> first, std::span<const uint8_t> second,
                      Digest& out);
};

}  // namespace medicall::webrtc::stun
