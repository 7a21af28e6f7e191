#include "webrtc/stun/Crc32.hpp"

#include <array>

namespace medicall::webrtc::stun {
namespace {

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? (0xEDB88320U ^ (c >> 1)) : (c >> 1);
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

}  // namespace

uint32_t Crc32::Update(uint32_t crc, std::span<const uint8_t> data) {
  uint32_t c = crc ^ 0xFFFFFFFFU;
  for (uint8_t byte : data) c = kTable[(c ^ byte) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

}  // namespace medicall::webrtc::stun
