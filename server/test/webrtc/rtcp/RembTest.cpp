#include "webrtc/rtcp/Remb.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

TEST(RembTest, ParsesAndRoundTrips) {
  const auto data = test::ReadTestFile("rtcp/remb.bin");
  EXPECT_TRUE(Remb::IsRemb(data));
  auto remb = Remb::Parse(data);
  ASSERT_TRUE(remb);
  EXPECT_EQ(remb->senderSsrc, 1u);
  EXPECT_EQ(remb->bitrate, 1500000u);
  ASSERT_EQ(remb->ssrcCount, 2u);
  EXPECT_EQ(remb->ssrcs[0], 0x5c7a9e01u);
  EXPECT_EQ(remb->ssrcs[1], 0x0badcafeu);
  std::array<uint8_t, 64> out{};
  ASSERT_EQ(remb->Serialize(out), data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
}

TEST(RembTest, MantissaExponent) {
  Remb remb;
  remb.bitrate = 0x3FFFF;  // fits the mantissa
  std::array<uint8_t, 32> out{};
  ASSERT_EQ(remb.Serialize(out), 20u);
  EXPECT_EQ(out[17] >> 2, 0);
  EXPECT_EQ(Remb::Parse(std::span<const uint8_t>(out.data(), 20))->bitrate, 0x3FFFFu);
  remb.bitrate = 10'000'000'000ull;  // 10 Gbit/s: rounded down to 18 significant bits
  ASSERT_EQ(remb.Serialize(out), 20u);
  const uint64_t back = Remb::Parse(std::span<const uint8_t>(out.data(), 20))->bitrate;
  EXPECT_LE(back, remb.bitrate);
  EXPECT_GT(back, remb.bitrate - (remb.bitrate >> 17));
}

TEST(RembTest, RejectsLies) {
  const auto data = test::ReadTestFile("rtcp/remb.bin");
  auto countTooHigh = data;
  countTooHigh[16] = 3;
  EXPECT_FALSE(Remb::Parse(countTooHigh));
  auto countTooLow = data;
  countTooLow[16] = 1;
  EXPECT_FALSE(Remb::Parse(countTooLow));
  auto notRemb = data;
  notRemb[15] = 'X';
  EXPECT_FALSE(Remb::IsRemb(notRemb));
  EXPECT_FALSE(Remb::Parse(notRemb));
  auto overflow = data;
  overflow[17] = 0xFF;  // exponent 63 with a large mantissa
  overflow[18] = 0xFF;
  EXPECT_FALSE(Remb::Parse(overflow));
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
