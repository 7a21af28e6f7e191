#include "webrtc/rtp/RtpPacketBuilder.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtp {
namespace {

TEST(RtpPacketBuilderTest, RebuildsChromiumOpusPacketByteForByte) {
  const auto expected = test::ReadTestFile("rtp/chrome-opus.bin");
  auto copy = expected;
  auto parsed = RtpPacket::Parse(copy);
  ASSERT_TRUE(parsed);
  RtpPacketBuilder b;
  b.SetMarker(true).SetPayloadType(111).SetSequenceNumber(0x8000).SetTimestamp(48000).SetSsrc(0x0badcafe);
  ASSERT_TRUE(b.AddAudioLevel(1, {true, 30}));
  ASSERT_TRUE(b.AddAbsSendTime(2, 0x123457));
  ASSERT_TRUE(b.AddTransportSequenceNumber(3, 65535));
  ASSERT_TRUE(b.AddMid(4, "0"));
  std::array<uint8_t, 1500> out{};
  const size_t n = b.Build(parsed->Payload(), out);
  ASSERT_EQ(n, expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));
  EXPECT_EQ(b.SizeFor(parsed->PayloadSize()), n);
}

TEST(RtpPacketBuilderTest, UsesTwoByteFormWhenNeeded) {
  RtpPacketBuilder b;
  b.SetPayloadType(96).SetSsrc(1);
  const std::vector<uint8_t> big(20, 0x5A);
  ASSERT_TRUE(b.AddExtension(1, big));  // 20 bytes does not fit the one-byte form
  ASSERT_TRUE(b.AddMid(20, "abc"));     // nor does id 20
  ASSERT_TRUE(b.AddExtension(3, {}));   // zero length is only possible in the two-byte form
  std::array<uint8_t, 200> out{};
  const size_t n = b.Build(std::vector<uint8_t>{9, 9}, out);
  ASSERT_GT(n, 0u);
  auto p = RtpPacket::Parse(std::span<uint8_t>(out.data(), n));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->GetExtensionMode(), RtpPacket::ExtensionMode::kTwoByte);
  EXPECT_EQ(p->FindExtension(1)->size(), 20u);
  EXPECT_EQ(p->GetMid(20), "abc");
  ASSERT_TRUE(p->FindExtension(3));
  EXPECT_TRUE(p->FindExtension(3)->empty());
  EXPECT_EQ(p->PayloadSize(), 2u);
}

TEST(RtpPacketBuilderTest, CsrcsPaddingAndLimits) {
  RtpPacketBuilder b;
  b.SetPayloadType(0).SetSequenceNumber(65535).SetPadding(5);
  for (uint32_t i = 0; i < 15; ++i) ASSERT_TRUE(b.AddCsrc(100 + i));
  EXPECT_FALSE(b.AddCsrc(999));
  EXPECT_FALSE(b.AddExtension(0, std::vector<uint8_t>{1}));  // id 0 is padding
  ASSERT_TRUE(b.AddExtension(5, std::vector<uint8_t>{1}));
  EXPECT_FALSE(b.AddExtension(5, std::vector<uint8_t>{2}));  // duplicate
  EXPECT_FALSE(b.AddExtension(6, std::vector<uint8_t>(256, 0)));
  std::array<uint8_t, 200> out{};
  const std::vector<uint8_t> payload = {1, 2, 3};
  EXPECT_EQ(b.Build(payload, std::span<uint8_t>(out.data(), b.SizeFor(3) - 1)), 0u);  // too small
  const size_t n = b.Build(payload, out);
  ASSERT_EQ(n, 12u + 60 + 8 + 3 + 5);
  auto p = RtpPacket::Parse(std::span<uint8_t>(out.data(), n));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->CsrcCount(), 15);
  EXPECT_EQ(p->Csrc(14), 114u);
  EXPECT_EQ(p->PaddingSize(), 5u);
  EXPECT_EQ(p->PayloadSize(), 3u);
  EXPECT_EQ(p->SequenceNumber(), 65535);
}

}  // namespace
}  // namespace medicall::webrtc::rtp
