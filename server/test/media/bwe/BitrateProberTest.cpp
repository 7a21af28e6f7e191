#include "media/bwe/BitrateProber.hpp"

#include <gtest/gtest.h>

namespace medicall::media::bwe {
namespace {

// A cluster sends at its rate: at least 5 packets and 15 ms worth of bytes, then ends.
TEST(BitrateProberTest, AClusterKeepsToItsRateAndEndsOnceItSentEnough) {
  BitrateProber p;
  int64_t now = 1'000'000;
  const int id = p.CreateCluster(3'000'000, now);
  ASSERT_NE(id, BitrateProber::kNoCluster);
  EXPECT_TRUE(p.Active(now));
  EXPECT_EQ(p.ClusterId(), id);
  // 3 Mbit/s for 15 ms = 5625 bytes; in 1200-byte packets, sent as BytesDue allows, 1 ms apart.
  size_t sent = 0;
  int packets = 0;
  int64_t firstUs = -1;
  int64_t lastUs = 0;
  while (p.ClusterId() == id && now < 1'100'000) {
    size_t due = p.BytesDue(now);
    while (due > 0 && p.ClusterId() == id) {
      if (firstUs < 0) firstUs = now;
      lastUs = now;
      p.OnProbeSent(1200, now);
      sent += 1200;
      ++packets;
      due -= std::min<size_t>(due, 1200);
    }
    now += 1000;
  }
  EXPECT_EQ(p.ClusterId(), BitrateProber::kNoCluster);
  EXPECT_FALSE(p.Active(now));
  EXPECT_EQ(p.ClustersDone(), 1u);
  EXPECT_GE(sent, 5625u);
  EXPECT_GE(packets, 5);
  EXPECT_LE(packets, 6);
  // The packets spread over about the cluster's duration: the rate is kept, not one burst.
  const double rate = static_cast<double>(sent - 1200) * 8e6 / static_cast<double>(lastUs - firstUs);
  EXPECT_GT(rate, 2'400'000);
  EXPECT_LT(rate, 4'500'000);
  EXPECT_EQ(p.LastDone().bps, 3'000'000u);
  EXPECT_EQ(p.LastDone().minBytes, 5625u);
}

TEST(BitrateProberTest, SmallPacketsNeedAtLeastFiveAndClustersRunInTurn) {
  BitrateProber p;
  int64_t now = 0;
  const int a = p.CreateCluster(100'000, now);  // 15 ms at 100 kbit/s = 187 bytes: one packet would do
  const int b = p.CreateCluster(6'000'000, now);
  EXPECT_NE(a, b);
  EXPECT_EQ(p.Pending(), 2u);
  for (int i = 0; i < 4; ++i) p.OnProbeSent(300, now);
  EXPECT_EQ(p.ClusterId(), a) << "five packets at least";
  p.OnProbeSent(300, now);
  EXPECT_EQ(p.ClusterId(), b);
  EXPECT_EQ(p.LastDone().sentPackets, 5u);
}

TEST(BitrateProberTest, AClusterNotSentInTimeIsDroppedAndTheQueueIsBounded) {
  BitrateProber p;
  for (size_t i = 0; i < BitrateProber::kMaxClusters; ++i)
    EXPECT_NE(p.CreateCluster(1'000'000, 0), BitrateProber::kNoCluster);
  EXPECT_EQ(p.CreateCluster(1'000'000, 0), BitrateProber::kNoCluster);
  EXPECT_EQ(p.CreateCluster(0, 0), BitrateProber::kNoCluster);
  EXPECT_TRUE(p.Active(BitrateProber::kClusterTimeoutUs - 1));
  EXPECT_FALSE(p.Active(BitrateProber::kClusterTimeoutUs));
  EXPECT_EQ(p.BytesDue(BitrateProber::kClusterTimeoutUs), 0u);
}

}  // namespace
}  // namespace medicall::media::bwe
