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

TEST(PacerTest, PaddingFillsUpToTheProbeRateOnlyWhenNoMediaWaits) {
  Pacer p;
  p.SetTargetBitrate(1'000'000);
  int64_t now = 1'000'000;
  EXPECT_EQ(p.PaddingBytes(2'000'000, now), 0u);  // no budget yet
  now += 20'000;
  const size_t padding = p.PaddingBytes(2'000'000, now);
  EXPECT_GT(padding, 0u);
  EXPECT_LE(padding, 2'500'000u / 8 * Pacer::kMaxBurstUs / 1'000'000);  // within the burst budget
  p.OnPadding(padding);
  EXPECT_EQ(p.PaddingBytes(2'000'000, now), 0u) << "budget spent";
  // Media waiting: no padding whatever the probe.
  now += 20'000;
  ASSERT_TRUE(p.Enqueue(Kind::kVideo, 1, 1200, now));
  EXPECT_EQ(p.PaddingBytes(10'000'000, now), 0u);
  // Already above the probe rate: none.
  Pacer busy;
  busy.SetTargetBitrate(4'000'000);
  int64_t t = 0;
  busy.Pop(t);
  for (int ms = 0; ms < 50; ++ms) {
    t += 1000;
    busy.Enqueue(Kind::kVideo, 0, 1200, t);
    while (busy.Pop(t)) {
    }
  }
  EXPECT_EQ(busy.PaddingBytes(500'000, t), 0u);
}

}  // namespace
}  // namespace medicall::media::bwe
