// Captured packets from server/test/data/stun/ (see the .txt next to each file).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <vector>

#include "webrtc/stun/StunMessage.hpp"

namespace medicall::webrtc::stun {
namespace {

std::vector<uint8_t> Load(const std::string& name) {
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/stun/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

constexpr std::string_view kServerPwd = "HrIt5yHq6Hd6atygKPiPQXYi";

TEST(CapturedStunTest, ChromiumBindingRequest) {
  const auto bytes = Load("chromium-binding-request.bin");
  ASSERT_EQ(bytes.size(), 100U);
  auto m = StunMessage::Parse(bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->Class(), StunClass::Request);
  EXPECT_EQ(m->Method(), kMethodBinding);
  EXPECT_EQ(m->Username(), "382uKunj:1zgl");
  EXPECT_EQ(m->Priority(), 0x6e7f1effU);
  EXPECT_EQ(m->IceControlling(), 0x042bf004eca21403ULL);
  EXPECT_FALSE(m->HasUseCandidate());
  EXPECT_NE(m->Find(0xC057), nullptr);  // GOOG-NETWORK-INFO, comprehension-optional
  EXPECT_TRUE(m->UnknownRequired().empty());
  EXPECT_TRUE(m->CheckFingerprint());
  EXPECT_TRUE(m->CheckMessageIntegrity(kServerPwd));
}

TEST(CapturedStunTest, MedicallBindingResponse) {
  const auto request = Load("chromium-binding-request.bin");
  const auto bytes = Load("medicall-binding-response.bin");
  auto m = StunMessage::Parse(bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->Class(), StunClass::SuccessResponse);
  EXPECT_TRUE(std::equal(request.begin() + 8, request.begin() + 20, m->TransactionId().begin()));
  ASSERT_TRUE(m->XorMappedAddress().has_value());
  EXPECT_EQ(m->XorMappedAddress()->ToString(), "127.0.0.1:50814");
  EXPECT_TRUE(m->CheckMessageIntegrity(kServerPwd));
  EXPECT_TRUE(m->CheckFingerprint());
}

}  // namespace
}  // namespace medicall::webrtc::stun
