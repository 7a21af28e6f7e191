#include "media/bwe/TransportFeedbackGenerator.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace medicall::media::bwe {
namespace {

using webrtc::rtcp::TransportFeedback;
using Result = TransportFeedback::PacketResult;

std::vector<Result> Drain(TransportFeedbackGenerator& g, size_t* packets = nullptr) {
  std::vector<Result> all;
  std::array<uint8_t, 1500> buf{};
  size_t count = 0;
  while (size_t n = g.Build(1, 2, buf)) {
    auto fb = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
    EXPECT_TRUE(fb);
    if (!fb) break;
    ++count;
    fb->ForEachPacket([&](const Result& r) { all.push_back(r); });
  }
  if (packets != nullptr) *packets = count;
  return all;
}

TEST(TransportFeedbackGeneratorTest, ReportsArrivalsAndLossesInOrderAcrossWrap) {
  TransportFeedbackGenerator g;
  EXPECT_FALSE(g.HasPending());
  const int64_t t0 = 5'000'000'000;
  for (int i = 0; i < 10; ++i) {
    if (i == 4 || i == 5) continue;  // lost
    g.OnPacket(static_cast<uint16_t>(65531 + i), t0 + i * 2'000);
  }
  ASSERT_TRUE(g.HasPending());
  const auto r = Drain(g);
  ASSERT_EQ(r.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(r[i].sequenceNumber, static_cast<uint16_t>(65531 + i));
    EXPECT_EQ(r[i].received, i != 4 && i != 5) << i;
    if (i > 0 && r[i].received && r[i - 1].received) {
      EXPECT_EQ(r[i].arrivalTimeUs - r[i - 1].arrivalTimeUs, 2'000);
    }
  }
  EXPECT_FALSE(g.HasPending());
  EXPECT_EQ(g.FeedbackSent(), 1u);
}

TEST(TransportFeedbackGeneratorTest, FeedbackCountIncrementsAndRangesDoNotOverlap) {
  TransportFeedbackGenerator g;
  std::array<uint8_t, 1500> buf{};
  for (uint16_t s = 1; s <= 5; ++s) g.OnPacket(s, 1'000'000 + s * 1'000);
  size_t n = g.Build(1, 2, buf);
  auto first = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->BaseSequenceNumber(), 1);
  EXPECT_EQ(first->PacketStatusCount(), 5);
  EXPECT_EQ(g.Build(1, 2, buf), 0u);  // nothing new
  for (uint16_t s = 6; s <= 8; ++s) g.OnPacket(s, 1'000'000 + s * 1'000);
  n = g.Build(1, 2, buf);
  auto second = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->BaseSequenceNumber(), 6);
  EXPECT_EQ(second->PacketStatusCount(), 3);
  EXPECT_EQ(second->FeedbackPacketCount(), static_cast<uint8_t>(first->FeedbackPacketCount() + 1));
}

TEST(TransportFeedbackGeneratorTest, ALatePacketIsReportedAgainAsReceived) {
  TransportFeedbackGenerator g;
  g.OnPacket(10, 1'000'000);
  g.OnPacket(12, 1'002'000);
  auto r = Drain(g);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_FALSE(r[1].received);
  g.OnPacket(11, 1'003'000);  // reordered, after its feedback went out
  g.OnPacket(13, 1'004'000);
  r = Drain(g);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].sequenceNumber, 11);
  EXPECT_TRUE(r[0].received);
  EXPECT_TRUE(r[1].received);  // 12 again, harmless
  EXPECT_TRUE(r[2].received);
}

TEST(TransportFeedbackGeneratorTest, DuplicatesKeepTheFirstArrival) {
  TransportFeedbackGenerator g;
  g.OnPacket(1, 1'000'000);
  g.OnPacket(2, 1'001'000);
  g.OnPacket(2, 1'050'000);
  const auto r = Drain(g);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[1].arrivalTimeUs - r[0].arrivalTimeUs, 1'000);
}

TEST(TransportFeedbackGeneratorTest, LongRangesSplitIntoSeveralFeedbacks) {
  TransportFeedbackGenerator g;
  const size_t total = TransportFeedbackGenerator::kMaxStatusesPerFeedback * 2 + 17;
  for (size_t i = 0; i < total; ++i) g.OnPacket(static_cast<uint16_t>(i), 1'000'000 + i * 100);
  size_t packets = 0;
  const auto r = Drain(g, &packets);
  EXPECT_EQ(r.size(), total);
  EXPECT_EQ(packets, 3u);
  for (size_t i = 0; i < total; ++i) ASSERT_EQ(r[i].sequenceNumber, static_cast<uint16_t>(i));
}

TEST(TransportFeedbackGeneratorTest, AGapBeyondSixteenBitDeltasStartsANewFeedback) {
  TransportFeedbackGenerator g;
  g.OnPacket(1, 1'000'000);
  g.OnPacket(2, 1'000'000 + 20'000'000);  // 20 s later: a 250 us delta would not fit 16 bits
  size_t packets = 0;
  const auto r = Drain(g, &packets);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(packets, 2u);
  EXPECT_TRUE(r[0].received);
  EXPECT_TRUE(r[1].received);
}

TEST(TransportFeedbackGeneratorTest, AJumpPastTheWindowForgetsWhatIsBetween) {
  TransportFeedbackGenerator g;
  g.OnPacket(1, 1'000'000);
  g.OnPacket(static_cast<uint16_t>(1 + TransportFeedbackGenerator::kWindow + 5), 1'001'000);
  const auto r = Drain(g);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(r[0].received);
  // A packet older than the window changes nothing.
  g.OnPacket(2, 1'002'000);
  EXPECT_FALSE(g.HasPending());
}

TEST(TransportFeedbackGeneratorTest, TooSmallABufferWritesNothingAndKeepsThePackets) {
  TransportFeedbackGenerator g;
  g.OnPacket(1, 1'000'000);
  std::array<uint8_t, 8> tiny{};
  EXPECT_EQ(g.Build(1, 2, tiny), 0u);
  EXPECT_TRUE(g.HasPending());
  EXPECT_EQ(Drain(g).size(), 1u);
}

}  // namespace
}  // namespace medicall::media::bwe
