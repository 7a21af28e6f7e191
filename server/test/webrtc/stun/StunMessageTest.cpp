// Parser robustness and writer round trips.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "common/Bytes.hpp"
#include "webrtc/stun/StunMessage.hpp"
#include "webrtc/stun/StunWriter.hpp"

namespace medicall::webrtc::stun {
namespace {

const std::array<uint8_t, 12> kTid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

std::vector<uint8_t> BuildRequest() {
  std::array<uint8_t, 256> buf{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.AddString(attr::kUsername, "abcd:efgh")
      .AddU32(attr::kPriority, 1853824767)
      .AddU64(attr::kIceControlling, 0x0102030405060708ULL)
      .AddFlag(attr::kUseCandidate)
      .AddMessageIntegrity("password")
      .AddFingerprint();
  EXPECT_TRUE(w.Ok());
  return {w.Bytes().begin(), w.Bytes().end()};
}

TEST(StunMessageTest, MessageTypeEncoding) {
  EXPECT_EQ(MessageType(kMethodBinding, StunClass::Request), 0x0001);
  EXPECT_EQ(MessageType(kMethodBinding, StunClass::Indication), 0x0011);
  EXPECT_EQ(MessageType(kMethodBinding, StunClass::SuccessResponse), 0x0101);
  EXPECT_EQ(MessageType(kMethodBinding, StunClass::ErrorResponse), 0x0111);
  EXPECT_EQ(MethodOf(0x0111), kMethodBinding);
  EXPECT_EQ(ClassOf(0x0111), StunClass::ErrorResponse);
  // Allocate (0x003) as a success response is 0x0103; a method with high bits round-trips.
  EXPECT_EQ(MessageType(0x003, StunClass::SuccessResponse), 0x0103);
  EXPECT_EQ(MethodOf(MessageType(0xABC, StunClass::Indication)), 0xABC);
}

TEST(StunMessageTest, RoundTripRequest) {
  auto bytes = BuildRequest();
  auto m = StunMessage::Parse(bytes);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->Username(), "abcd:efgh");
  EXPECT_EQ(m->Priority(), 1853824767U);
  EXPECT_EQ(m->IceControlling(), 0x0102030405060708ULL);
  EXPECT_TRUE(m->HasUseCandidate());
  EXPECT_TRUE(m->CheckMessageIntegrity("password"));
  EXPECT_FALSE(m->CheckMessageIntegrity("passwore"));
  EXPECT_TRUE(m->CheckFingerprint());
  EXPECT_TRUE(std::equal(kTid.begin(), kTid.end(), m->TransactionId().begin()));
}

TEST(StunMessageTest, ErrorCodeAndUnknownAttributesRoundTrip) {
  std::array<uint8_t, 256> buf{};
  const std::array<uint16_t, 3> unknown = {0x7777, 0x0042, 0x1234};
  StunWriter w(buf, kMethodBinding, StunClass::ErrorResponse, kTid);
  w.AddErrorCode(487, "Role Conflict").AddUnknownAttributes(unknown).AddFingerprint();
  ASSERT_TRUE(w.Ok());
  auto m = StunMessage::Parse(w.Bytes());
  ASSERT_TRUE(m.has_value());
  auto e = m->ErrorCode();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, 487);
  EXPECT_EQ(e->reason, "Role Conflict");
  auto u = m->UnknownAttributes();
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(*u, std::vector<uint16_t>(unknown.begin(), unknown.end()));
  EXPECT_TRUE(m->CheckFingerprint());
}

TEST(StunMessageTest, XorAddressRoundTripV4AndV6) {
  for (const char* text : {"10.1.2.3", "::1", "fe80::1234:5678:9abc:def0"}) {
    auto a = TransportAddress::FromString(text, 54321);
    ASSERT_TRUE(a.has_value()) << text;
    std::array<uint8_t, 128> buf{};
    StunWriter w(buf, kMethodBinding, StunClass::SuccessResponse, kTid);
    w.AddXorAddress(attr::kXorMappedAddress, *a);
    auto m = StunMessage::Parse(w.Bytes());
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->XorMappedAddress(), a) << text;
  }
}

TEST(StunMessageTest, RejectsEveryTruncation) {
  auto bytes = BuildRequest();
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(StunMessage::Parse(std::span(bytes).first(n)).has_value()) << n;
  }
}

TEST(StunMessageTest, RejectsBadHeader) {
  auto bytes = BuildRequest();
  auto badCookie = bytes;
  badCookie[4] ^= 1;
  EXPECT_FALSE(StunMessage::Parse(badCookie).has_value());
  auto topBits = bytes;
  topBits[0] |= 0x40;
  EXPECT_FALSE(StunMessage::Parse(topBits).has_value());
  auto oddLength = bytes;
  WriteU16(&oddLength[2], static_cast<uint16_t>(ReadU16(&oddLength[2]) - 2));
  EXPECT_FALSE(StunMessage::Parse(oddLength).has_value());
  auto trailing = bytes;
  trailing.insert(trailing.end(), {0, 0, 0, 0});
  EXPECT_FALSE(StunMessage::Parse(trailing).has_value());
}

TEST(StunMessageTest, RejectsAttributeLengthPastEnd) {
  auto bytes = BuildRequest();
  // USERNAME claims 0xFFF0 bytes.
  WriteU16(&bytes[22], 0xFFF0);
  EXPECT_FALSE(StunMessage::Parse(bytes).has_value());
  // The last attribute claims one more byte than is there (its padding would run past the end).
  auto b2 = BuildRequest();
  WriteU16(&b2[b2.size() - 6], 5);
  EXPECT_FALSE(StunMessage::Parse(b2).has_value());
}

TEST(StunMessageTest, RejectsWrongIntegrityOrFingerprintSize) {
  std::array<uint8_t, 64> buf{};
  const std::array<uint8_t, 16> shortMac{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.Add(attr::kMessageIntegrity, shortMac);
  ASSERT_TRUE(w.Ok());
  EXPECT_FALSE(StunMessage::Parse(w.Bytes()).has_value());
}

TEST(StunMessageTest, FingerprintMustBeLast) {
  std::array<uint8_t, 128> buf{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.AddFingerprint().AddString(attr::kUsername, "a:b");
  ASSERT_TRUE(w.Ok());
  EXPECT_FALSE(StunMessage::Parse(w.Bytes()).has_value());
}

TEST(StunMessageTest, AttributesAfterIntegrityAreIgnored) {
  std::array<uint8_t, 128> buf{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.AddString(attr::kUsername, "a:b").AddMessageIntegrity("pw").AddFlag(attr::kUseCandidate).AddFingerprint();
  ASSERT_TRUE(w.Ok());
  auto m = StunMessage::Parse(w.Bytes());
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->HasUseCandidate());
  EXPECT_TRUE(m->CheckFingerprint());
  // The HMAC covers only what precedes it, so it still verifies.
  EXPECT_TRUE(m->CheckMessageIntegrity("pw"));
}

TEST(StunMessageTest, ReportsUnknownComprehensionRequired) {
  std::array<uint8_t, 128> buf{};
  const std::array<uint8_t, 4> v{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.Add(0x7F01, v).Add(0xC057, v).AddString(attr::kUsername, "a:b");
  auto m = StunMessage::Parse(w.Bytes());
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->UnknownRequired().size(), 1U);
  EXPECT_EQ(m->UnknownRequired()[0], 0x7F01);
}

TEST(StunMessageTest, RejectsTooManyAttributes) {
  std::array<uint8_t, 1024> buf{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  for (size_t i = 0; i <= StunMessage::kMaxAttributes; ++i) w.AddFlag(0x8030);
  ASSERT_TRUE(w.Ok());
  EXPECT_FALSE(StunMessage::Parse(w.Bytes()).has_value());
}

TEST(StunMessageTest, BadValueSizesGiveNullopt) {
  std::array<uint8_t, 128> buf{};
  const std::array<uint8_t, 3> three{};
  const std::array<uint8_t, 7> seven{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.Add(attr::kPriority, three).Add(attr::kIceControlling, seven).Add(attr::kXorMappedAddress, seven);
  ASSERT_TRUE(w.Ok());
  auto m = StunMessage::Parse(w.Bytes());
  ASSERT_TRUE(m.has_value());
  EXPECT_FALSE(m->Priority().has_value());
  EXPECT_FALSE(m->IceControlling().has_value());
  EXPECT_FALSE(m->XorMappedAddress().has_value());
  EXPECT_FALSE(m->CheckMessageIntegrity("x"));
  EXPECT_FALSE(m->CheckFingerprint());
}

TEST(StunMessageTest, WriterFailsWhenBufferTooSmall) {
  std::array<uint8_t, 30> buf{};
  StunWriter w(buf, kMethodBinding, StunClass::Request, kTid);
  w.AddString(attr::kUsername, "this-does-not-fit");
  EXPECT_FALSE(w.Ok());
  EXPECT_TRUE(w.Bytes().empty());
}

}  // namespace
}  // namespace medicall::webrtc::stun
