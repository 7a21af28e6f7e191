#pragma once
// Random values from OpenSSL's CSPRNG (RAND_bytes), once for the whole server: identifiers,
// ICE credentials, SSRCs, initial sequence numbers. Throws std::runtime_error if the CSPRNG fails.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace medicall::random {

void Fill(std::span<uint8_t> out);

template <typename T>
T Value() {
  T v{};
  Fill(std::span<uint8_t>(reinterpret_cast<uint8_t*>(&v), sizeof(v)));
  return v;
}

// A non-zero 32-bit value (SSRCs).
uint32_t NonZero32();

// `length` characters drawn uniformly (rejection sampling) from `alphabet`.
std::string Token(size_t length, std::string_view alphabet);

// Letters and digits: ICE ufrag/pwd (ice-char, RFC 8839 section 5.4) and URL-safe tokens.
inline constexpr std::string_view kAlphanumeric =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

inline std::string AlphanumericToken(size_t length) { return Token(length, kAlphanumeric); }

// Lower-case hex of `bytes` random bytes.
std::string Hex(size_t bytes);

}  // namespace medicall::random
