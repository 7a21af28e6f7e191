#include "common/Random.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace medicall::random {

void Fill(std::span<uint8_t> out) {
  if (out.empty()) return;
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
    throw std::runtime_error("RAND_bytes failed");
}

uint32_t NonZero32() {
  uint32_t v = 0;
  while (v == 0) v = Value<uint32_t>();
  return v;
}

std::string Token(size_t length, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > 256) throw std::invalid_argument("bad alphabet");
  // Reject bytes >= the largest multiple of the alphabet size, so every character is equally likely.
  const size_t limit = 256 - (256 % alphabet.size());
  std::string out;
  out.reserve(length);
  std::vector<uint8_t> pool(length + 16);
  while (out.size() < length) {
    Fill(pool);
    for (uint8_t b : pool) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string Hex(size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::vector<uint8_t> raw(bytes);
  Fill(raw);
  std::string out;
  out.reserve(bytes * 2);
  for (uint8_t b : raw) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xF]);
  }
  return out;
}

}  // namespace medicall::random
