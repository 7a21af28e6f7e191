// RFC 2202 section 3 test cases for HMAC-SHA1.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "webrtc/stun/HmacSha1.hpp"

namespace medicall::webrtc::stun {
namespace {

std::string Hex(const HmacSha1::Digest& d) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (uint8_t b : d) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TEST(HmacSha1Test, Rfc2202Case1) {
  const std::string key(20, '\x0b');
  HmacSha1::Digest d{};
  ASSERT_TRUE(HmacSha1::Compute(key, Bytes("Hi There"), {}, d));
  EXPECT_EQ(Hex(d), "b617318655057264e28bc0b6fb378c8ef146be00");
}

TEST(HmacSha1Test, Rfc2202Case2SplitInput) {
  HmacSha1::Digest d{};
  ASSERT_TRUE(HmacSha1::Compute("Jefe", Bytes("what do ya want "), Bytes("for nothing?"), d));
  EXPECT_EQ(Hex(d), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
}

TEST(HmacSha1Test, Rfc2202Case3) {
  const std::string key(20, '\xaa');
  const std::string data(50, '\xdd');
  HmacSha1::Digest d{};
  ASSERT_TRUE(HmacSha1::Compute(key, Bytes(data), {}, d));
  EXPECT_EQ(Hex(d), "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
}

// Keys longer than the block size are hashed first (case 6).
TEST(HmacSha1Test, Rfc2202Case6LongKey) {
  const std::string key(80, '\xaa');
  HmacSha1::Digest d{};
  ASSERT_TRUE(HmacSha1::Compute(key, Bytes("Test Using Larger Than Block-Size Key - Hash Key First"), {}, d));
  EXPECT_EQ(Hex(d), "aa4ae5e15272d00e95705637ce8a3b55ed402112");
}

}  // namespace
}  // namespace medicall::webrtc::stun
