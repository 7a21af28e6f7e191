#pragma once
// SHA-256 and HMAC-SHA256 (OpenSSL), for what the server keeps only as a digest: join tokens, link
// tokens, session ids, the audit chain. Throws std::runtime_error if OpenSSL fails.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace medicall::digest {

using Sha256Bytes = std::array<uint8_t, 32>;

Sha256Bytes Sha256(std::string_view data);
// Lower-case hex of SHA-256(data): 64 characters.
std::string Sha256Hex(std::string_view data);
Sha256Bytes HmacSha256(std::string_view key, std::string_view data);
// Lower-case hex of any bytes.
std::string ToHex(const uint8_t* data, size_t size);
// Compares without an early exit (secrets: CSRF tokens, digests).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace medicall::digest
