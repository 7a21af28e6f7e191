#include "webrtc/rtp/Rtx.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtp {
namespace {

TEST(RtxTest, EncapsulatesToTheKeptRtxPacket) {
  auto original = test::ReadTestFile("rtp/chrome-vp8-keyframe.bin");
  const auto expected = test::ReadTestFile("rtp/rtx-vp8-keyframe.bin");
  auto p = RtpPacket::Parse(original);
  ASSERT_TRUE(p);
  std::array<uint8_t, 1500> out{};
  const size_t n = Rtx::Encapsulate(*p, 97, 0x5c7a9e02, 0x0100, out);
  ASSERT_EQ(n, expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));
  EXPECT_EQ(Rtx::Encapsulate(*p, 97, 0x5c7a9e02, 0x0100, std::span<uint8_t>(out.data(), n - 1)), 0u);
}

TEST(RtxTest, DecapsulatesBackToTheOriginal) {
  auto rtx = test::ReadTestFile("rtp/rtx-vp8-keyframe.bin");
  const auto expected = test::ReadTestFile("rtp/chrome-vp8-keyframe.bin");
  auto p = RtpPacket::Parse(rtx);
  ASSERT_TRUE(p);
  EXPECT_EQ(Rtx::OriginalSequenceNumber(*p), 0x2f10);
  std::array<uint8_t, 1500> out{};
  const size_t n = Rtx::Decapsulate(*p, 96, 0x5c7a9e01, out);
  ASSERT_EQ(n, expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), out.begin()));

  auto inPlace = Rtx::DecapsulateInPlace(*p, 96, 0x5c7a9e01);
  ASSERT_TRUE(inPlace);
  ASSERT_EQ(inPlace->Size(), expected.size());
  EXPECT_TRUE(std::equal(expected.begin(), expected.end(), inPlace->Data().begin()));
  EXPECT_EQ(inPlace->GetMid(4), "1");
  EXPECT_EQ(inPlace->GetTransportSequenceNumber(3), 42);
}

TEST(RtxTest, PaddingOnlyProbeHasNoOriginal) {
  auto rtx = test::ReadTestFile("rtp/rtx-padding-only.bin");
  auto p = RtpPacket::Parse(rtx);
  ASSERT_TRUE(p);
  EXPECT_FALSE(Rtx::OriginalSequenceNumber(*p));
  std::array<uint8_t, 1500> out{};
  EXPECT_EQ(Rtx::Decapsulate(*p, 96, 1, out), 0u);
  EXPECT_FALSE(Rtx::DecapsulateInPlace(*p, 96, 1));
}

TEST(RtxTest, DropsPaddingWhenEncapsulating) {
  std::vector<uint8_t> data = {0xA0, 96, 0, 5, 0, 0, 0, 9, 0, 0, 0, 1, 0xAB, 0xCD, 0, 2};
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  std::array<uint8_t, 64> out{};
  const size_t n = Rtx::Encapsulate(*p, 97, 2, 77, out);
  ASSERT_EQ(n, 12u + 2 + 2);
  auto r = RtpPacket::Parse(std::span<uint8_t>(out.data(), n));
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->HasPadding());
  EXPECT_EQ(r->PayloadType(), 97);
  EXPECT_EQ(r->SequenceNumber(), 77);
  EXPECT_EQ(r->Ssrc(), 2u);
  EXPECT_EQ(Rtx::OriginalSequenceNumber(*r), 5);
  EXPECT_EQ(r->Payload()[2], 0xAB);
}

}  // namespace
}  // namespace medicall::webrtc::rtp
