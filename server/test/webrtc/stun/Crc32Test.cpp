#include <gtest/gtest.h>

#include <string_view>

#include "webrtc/stun/Crc32.hpp"

namespace medicall::webrtc::stun {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The CRC-32 "check" value of the catalogue of parametrised CRC algorithms (CRC-32/ISO-HDLC).
TEST(Crc32Test, CheckValue) { EXPECT_EQ(Crc32::Compute(Bytes("123456789")), 0xCBF43926U); }

TEST(Crc32Test, KnownStrings) {
  EXPECT_EQ(Crc32::Compute(Bytes("")), 0x00000000U);
  EXPECT_EQ(Crc32::Compute(Bytes("a")), 0xE8B7BE43U);
  EXPECT_EQ(Crc32::Compute(Bytes("The quick brown fox jumps over the lazy dog")), 0x414FA339U);
}

TEST(Crc32Test, IncrementalEqualsOneShot) {
  const std::string_view text = "The quick brown fox jumps over the lazy dog";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    uint32_t crc = Crc32::Update(0, Bytes(text.substr(0, cut)));
    crc = Crc32::Update(crc, Bytes(text.substr(cut)));
    EXPECT_EQ(crc, 0x414FA339U) << cut;
  }
}

}  // namespace
}  // namespace medicall::webrtc::stun
