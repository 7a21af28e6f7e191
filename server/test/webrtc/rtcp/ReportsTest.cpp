#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

TEST(SenderReportTest, ParsesAndReserializesChromiumSr) {
  const auto data = test::ReadTestFile("rtcp/chrome-sr-sdes.bin");
  const auto packet = std::span<const uint8_t>(data).first(28);
  auto sr = SenderReport::Parse(packet);
  ASSERT_TRUE(sr);
  EXPECT_EQ(sr->senderSsrc, 0x5c7a9e01u);
  EXPECT_EQ(sr->ntpTimestamp, 0xe9d3c1f280000000ull);
  EXPECT_EQ(sr->rtpTimestamp, 3003000u);
  EXPECT_EQ(sr->packetCount, 150u);
  EXPECT_EQ(sr->octetCount, 120000u);
  EXPECT_EQ(sr->blockCount, 0u);
  std::array<uint8_t, 64> out{};
  ASSERT_EQ(sr->Serialize(out), 28u);
  EXPECT_TRUE(std::equal(packet.begin(), packet.end(), out.begin()));
  EXPECT_EQ(sr->Serialize(std::span<uint8_t>(out.data(), 27)), 0u);
  EXPECT_FALSE(ReceiverReport::Parse(packet));  // wrong type
}

TEST(ReceiverReportTest, ParsesReportBlock) {
  const auto data = test::ReadTestFile("rtcp/rr-sdes.bin");
  const auto packet = std::span<const uint8_t>(data).first(32);
  auto rr = ReceiverReport::Parse(packet);
  ASSERT_TRUE(rr);
  EXPECT_EQ(rr->senderSsrc, 1u);
  ASSERT_EQ(rr->blockCount, 1u);
  const ReportBlock& b = rr->blocks[0];
  EXPECT_EQ(b.ssrc, 0x5c7a9e01u);
  EXPECT_EQ(b.fractionLost, 25);
  EXPECT_EQ(b.cumulativeLost, 3);
  EXPECT_EQ(b.extendedHighestSeq, 0x00012f10u);
  EXPECT_EQ(b.jitter, 45u);
  EXPECT_EQ(b.lastSr, 0xc1f28000u);
  EXPECT_EQ(b.delaySinceLastSr, 0x00010000u);
  std::array<uint8_t, 64> out{};
  ASSERT_EQ(rr->Serialize(out), 32u);
  EXPECT_TRUE(std::equal(packet.begin(), packet.end(), out.begin()));
}

TEST(ReceiverReportTest, CountMustFitLength) {
  const auto bad = test::ReadTestFile("rtcp/bad-rr-count.bin");
  ASSERT_TRUE(RtcpCompound(bad).Validate());
  EXPECT_FALSE(ReceiverReport::Parse(bad));
  // SR claiming 1 block with none present.
  auto sr = test::ReadTestFile("rtcp/chrome-sr-sdes.bin");
  sr[0] = 0x81;
  EXPECT_FALSE(SenderReport::Parse(std::span<const uint8_t>(sr).first(28)));
}

TEST(ReceiverReportTest, NegativeCumulativeLostAndFullCountRoundTrip) {
  ReceiverReport rr;
  rr.senderSsrc = 42;
  for (uint32_t i = 0; i < ReportBlock::kMaxCount; ++i) {
    ReportBlock b;
    b.ssrc = i;
    b.cumulativeLost = -static_cast<int32_t>(i);
    b.jitter = i * 3;
    ASSERT_TRUE(rr.AddBlock(b));
  }
  EXPECT_FALSE(rr.AddBlock({}));
  std::array<uint8_t, 1024> out{};
  const size_t n = rr.Serialize(out);
  ASSERT_EQ(n, 8u + 31 * 24);
  auto again = ReceiverReport::Parse(std::span<const uint8_t>(out.data(), n));
  ASSERT_TRUE(again);
  ASSERT_EQ(again->blockCount, 31u);
  for (size_t i = 0; i < 31; ++i) EXPECT_EQ(again->blocks[i], rr.blocks[i]) << i;
  EXPECT_EQ(again->blocks[30].cumulativeLost, -30);
}

TEST(ReceiverReportTest, ProfileExtensionAfterBlocksIsSkipped) {
  ReceiverReport rr;
  rr.senderSsrc = 7;
  std::array<uint8_t, 64> out{};
  ASSERT_EQ(rr.Serialize(out), 8u);
  out[3] = 2;  // one more word of profile-specific extension
  auto parsed = ReceiverReport::Parse(std::span<const uint8_t>(out.data(), 12));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->senderSsrc, 7u);
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
