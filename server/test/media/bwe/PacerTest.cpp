#include "media/bwe/Pacer.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace medicall::media::bwe {
namespace {

using Kind = Pacer::Kind;

TEST(PacerTest, AudioBeforeRtxBeforeVideo) {
  Pacer p;
  p.SetTargetBitrate(10'000'000);
  int64_t now = 1'000'000;
  p.Pop(now);  // starts the clock
  now += 10'000;
  ASSERT_TRUE(p.Enqueue(Kind::kVideo, 1, 1200, now));
  ASSERT_TRUE(p.Enqueue(Kind::kRtx, 2, 1200, now));
  ASSERT_TRUE(p.Enqueue(Kind::kAudio, 3, 100, now));
  ASSERT_TRUE(p.Enqueue(Kind::kVideo, 4, 1200, now));
  std::vector<uint32_t> order;
  while (auto e = p.Pop(now)) order.push_back(e->id);
  EXPECT_EQ(order, (std::vector<uint32_t>{3, 2, 1, 4}));
  EXPECT_EQ(p.QueuedTotal(), 0u);
}

TEST(PacerTest, VideoLeavesAtThePacingRateAudioNeverWaits) {
  Pacer p;
  p.SetTargetBitrate(1'000'000);  // pacing at 2.5 Mbit/s: one 1250-byte packet per 4 ms
  int64_t now = 1'000'000;
  p.Pop(now);
  for (uint32_t i = 0; i < 100; ++i) ASSERT_TRUE(p.Enqueue(Kind::kVideo, i, 1250, now));
  size_t sent = 0;
  for (int ms = 0; ms < 100; ++ms) {
    now += 1000;
    while (p.Pop(now)) ++sent;
  }
  EXPECT_GE(sent, 24u);
  EXPECT_LE(sent, 27u);
  // The budget is spent, video waits; audio still goes at once.
  ASSERT_TRUE(p.Enqueue(Kind::kAudio, 999, 120, now));
  auto e = p.Pop(now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, 999u);
  EXPECT_FALSE(p.Pop(now));
}

TEST(PacerTest, AFullQueueRefuses) {
  Pacer p;
  for (size_t i = 0; i < Pacer::kQueueCapacity; ++i) ASSERT_TRUE(p.Enqueue(Kind::kVideo, 0, 1000, 0));
  EXPECT_FALSE(p.Enqueue(Kind::kVideo, 0, 1000, 0));
  EXPECT_TRUE(p.Enqueue(Kind::kAudio, 0, 100, 0));  // other kinds have their own room
  EXPECT_EQ(p.Queued(Kind::kVideo), Pacer::kQueueCapacity);
}

TEST(PacerTest, PaddingFillsUpToItsRateOnlyWhenNoMediaWaitsAndNeverDelaysMedia) {
  Pacer p;
  p.SetTargetBitrate(1'000'000);
  int64_t now = 1'000'000;
  // Padding at 2 Mbit/s over the window: what is owed since its start (1 ms at least).
  EXPECT_EQ(p.PaddingBytes(2'000'000, now), 250u);
  p.OnPadding(250);
  EXPECT_EQ(p.PaddingBytes(2'000'000, now), 0u) << "paid";
  // 20 ms later: 20 ms worth is owed, but one call pays at most two bursts' worth (10 ms).
  now += 20'000;
  EXPECT_EQ(p.PaddingBytes(2'000'000, now), 2'000'000u / 8 * 2 * Pacer::kMaxBurstUs / 1'000'000);
  p.OnPadding(2500);
  // Padding spent none of the media's budget: a frame arriving now leaves at once (its burst).
  size_t immediate = 0;
  for (uint32_t i = 0; i < 10; ++i) immediate += p.TrySend(Kind::kVideo, 300, now) ? 1 : 0;
  EXPECT_GE(immediate, 5u);  // 2.5 Mbit/s x 5 ms = 1562 bytes of burst
  // Media waiting: no padding whatever the rate.
  ASSERT_TRUE(p.Enqueue(Kind::kVideo, 1, 1200, now));
  EXPECT_EQ(p.PaddingBytes(10'000'000, now), 0u);
  // Media already above the padding rate: none.
  Pacer busy;
  busy.SetTargetBitrate(4'000'000);
  int64_t t = 0;
  for (int ms = 0; ms < 50; ++ms) {
    t += 1000;
    if (!busy.TrySend(Kind::kVideo, 1200, t)) busy.Enqueue(Kind::kVideo, 0, 1200, t);
    while (busy.Pop(t)) {
    }
  }
  EXPECT_EQ(busy.PaddingBytes(500'000, t), 0u);
}

TEST(PacerTest, TheFastPathKeepsThePriorityOrder) {
  Pacer p;
  p.SetTargetBitrate(1'000'000);
  int64_t now = 0;
  // The burst first: then video has to queue.
  while (p.TrySend(Kind::kVideo, 1200, now)) {
  }
  ASSERT_TRUE(p.Enqueue(Kind::kVideo, 1, 1200, now));
  now += 10'000;  // budget again
  // A retransmission may pass the waiting video; new video may not.
  EXPECT_FALSE(p.TrySend(Kind::kVideo, 1200, now));
  EXPECT_TRUE(p.TrySend(Kind::kRtx, 1200, now));
  EXPECT_TRUE(p.TrySend(Kind::kAudio, 100, now));
  ASSERT_TRUE(p.Enqueue(Kind::kRtx, 2, 1200, now));
  EXPECT_FALSE(p.TrySend(Kind::kRtx, 1200, now)) << "behind the waiting retransmission";
}

TEST(PacerTest, AnUnknownPathIsNotPaced) {
  Pacer p;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(p.TrySend(Kind::kVideo, 1200, 0));
  EXPECT_EQ(p.PacingBps(), 0u);
}

TEST(PacerTest, ALongQueueRaisesTheRateSoItDrainsWithinTheMaxQueueTime) {
  Pacer p;
  p.SetTargetBitrate(100'000);  // 250 kbit/s paced: 200 packets of 1200 bytes would take 7.7 s
  int64_t now = 0;
  for (uint32_t i = 0; i < 200; ++i) ASSERT_TRUE(p.Enqueue(Kind::kVideo, i, 1200, now));
  EXPECT_EQ(p.PacingBps(), uint64_t{200} * 1200 * 8 * 1'000'000 / Pacer::kMaxQueueTimeUs);
  size_t sent = 0;
  int64_t lastUs = 0;
  while (p.QueuedTotal() != 0 && now < 5'000'000) {
    now += 1000;
    while (p.Pop(now)) {
      ++sent;
      lastUs = now;
    }
  }
  EXPECT_EQ(sent, 200u);
  // Drained before the first packet waited the max queue time (within a step), far from 7.7 s.
  EXPECT_LE(lastUs, Pacer::kMaxQueueTimeUs + 2'000);
  EXPECT_EQ(p.PacingBps(), 250'000u);
}

TEST(PacerTest, ProbesTakeQueuedMediaWhateverTheBudget) {
  Pacer p;
  p.SetTargetBitrate(100'000);
  while (p.TrySend(Kind::kVideo, 1200, 0)) {
  }
  ASSERT_TRUE(p.Enqueue(Kind::kVideo, 7, 1200, 0));
  ASSERT_TRUE(p.Enqueue(Kind::kRtx, 8, 1200, 0));
  EXPECT_FALSE(p.Pop(0));
  auto e = p.PopForProbe(0);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->id, 8u);
  EXPECT_EQ(p.PopForProbe(0)->id, 7u);
  EXPECT_EQ(p.OldestWaitUs(0), 0);
}

}  // namespace
}  // namespace medicall::media::bwe
