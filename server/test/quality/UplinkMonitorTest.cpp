#include "quality/UplinkMonitor.hpp"

#include <gtest/gtest.h>

#include "common/Clock.hpp"

namespace medicall::quality {
namespace {

// Sends `seconds` of 20 ms Opus packets (50/s) on `clock`, dropping every `dropEvery`-th (0: none),
// with each packet `extraDelayUs` late on every other packet (jitter).
struct Sender {
  UplinkMonitor& monitor;
  ManualClock& clock;
  uint16_t seq = 65500;  // wraps during the test
  uint32_t ts = 4'000'000'000u;

  void Run(int seconds, int dropEvery = 0, int64_t extraDelayUs = 0) {
    for (int i = 0; i < seconds * 50; ++i) {
      const bool drop = dropEvery > 0 && i % dropEvery == 0;
      const int64_t late = (i % 2 == 1) ? extraDelayUs : 0;
      clock.AdvanceUs(late);
      if (!drop) monitor.OnPacket(seq, ts, 100, clock.NowUs());
      clock.AdvanceUs(20'000 - late);
      ++seq;
      ts += 960;
    }
  }
};

TEST(UplinkMonitorTest, NothingReceivedIsNoSignal) {
  UplinkMonitor m;
  ManualClock clock;
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 0u);
  EXPECT_FALSE(m.View(clock.NowUs(), 3).hasData);
}

TEST(UplinkMonitorTest, ACleanStreamIsFullStrengthWithItsRate) {
  UplinkMonitor m;
  ManualClock clock(1'000'000'000);  // on a second boundary
  Sender{m, clock}.Run(5);
  const UplinkView v = m.View(clock.NowUs(), 3);
  ASSERT_TRUE(v.hasData);
  EXPECT_EQ(v.seconds, 3);
  EXPECT_EQ(v.received, 150u);
  EXPECT_DOUBLE_EQ(v.lossRatio, 0.0);
  EXPECT_NEAR(v.packetsPerSecond, 50.0, 0.01);
  EXPECT_NEAR(v.bitrateBps, 40'000.0, 1.0);
  EXPECT_LT(v.jitterMs, 1.0);
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 2u);
}

TEST(UplinkMonitorTest, TenPercentLossIsWeakThirtyPercentIsNone) {
  {
    UplinkMonitor m;
    ManualClock clock(1'000'000'000);
    Sender{m, clock}.Run(4, 10);
    const UplinkView v = m.View(clock.NowUs(), 3);
    EXPECT_NEAR(v.lossRatio, 0.10, 0.01);
    EXPECT_EQ(m.SignalStrength(clock.NowUs()), 1u);
  }
  {
    UplinkMonitor m;
    ManualClock clock(1'000'000'000);
    Sender s{m, clock};
    s.Run(4);
    // Drop 3 of every 10: every packet whose index mod 10 is 0, 1 or 2.
    for (int i = 0; i < 200; ++i) {
      if (i % 10 >= 3) m.OnPacket(s.seq, s.ts, 100, clock.NowUs());
      clock.AdvanceUs(20'000);
      ++s.seq;
      s.ts += 960;
    }
    EXPECT_NEAR(m.View(clock.NowUs(), 3).lossRatio, 0.30, 0.02);
    EXPECT_EQ(m.SignalStrength(clock.NowUs()), 0u);
  }
}

TEST(UplinkMonitorTest, RecoversOnceTheLossIsOutOfTheWindow) {
  UplinkMonitor m;
  ManualClock clock(1'000'000'000);
  Sender s{m, clock};
  s.Run(3, 4);  // 25 % loss
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 0u);
  s.Run(4);
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 2u);
}

TEST(UplinkMonitorTest, SilenceForTwoSecondsIsNoSignal) {
  UplinkMonitor m;
  ManualClock clock(1'000'000'000);
  Sender{m, clock}.Run(3);
  clock.AdvanceMs(1500);
  EXPECT_NE(m.SignalStrength(clock.NowUs()), 0u);
  clock.AdvanceMs(1000);
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 0u);
}

TEST(UplinkMonitorTest, HighJitterIsWeak) {
  UplinkMonitor m;
  ManualClock clock(1'000'000'000);
  Sender{m, clock}.Run(5, 0, 15'000);  // every other packet 15 ms late: transit swings by 15 ms
  const UplinkView v = m.View(clock.NowUs(), 3);
  EXPECT_GT(v.jitterMs, 10.0);
  UplinkMonitor::Options strict;
  strict.weakJitterMs = 10;
  EXPECT_EQ(UplinkMonitor::SignalStrengthOf(v, strict), 1u);
  EXPECT_EQ(UplinkMonitor::SignalStrengthOf(v, UplinkMonitor::Options{}), 2u);
}

TEST(UplinkMonitorTest, AHalfRateStreamIsWeak) {
  UplinkMonitor m;
  ManualClock clock(1'000'000'000);
  uint16_t seq = 100;
  uint32_t ts = 0;
  // 25 packets a second, numbered without gaps (a sender at half rate); duplicates change nothing.
  for (int i = 0; i < 100; ++i) {
    m.OnPacket(seq, ts, 100, clock.NowUs());
    m.OnPacket(seq, ts, 100, clock.NowUs());
    clock.AdvanceUs(40'000);
    ++seq;
    ts += 1920;
  }
  const UplinkView v = m.View(clock.NowUs(), 3);
  EXPECT_DOUBLE_EQ(v.lossRatio, 0.0);
  EXPECT_NEAR(v.packetsPerSecond, 25.0, 0.5);
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 1u);
}

// A gap filled later (a retransmission answering our NACK) is still loss on the path.
TEST(UplinkMonitorTest, RepairedGapsCountAsLossAndAsRecovered) {
  UplinkMonitor m;
  ManualClock clock(1'000'000'000);
  uint16_t seq = 0;
  uint32_t ts = 0;
  for (int i = 0; i < 200; ++i) {
    if (i % 5 != 0) m.OnPacket(seq, ts, 100, clock.NowUs());  // 20% lost on the way
    if (i % 5 == 1) m.OnPacket(static_cast<uint16_t>(seq - 1), ts - 960, 100, clock.NowUs());  // resent
    clock.AdvanceUs(20'000);
    ++seq;
    ts += 960;
  }
  const UplinkView v = m.View(clock.NowUs(), 3);
  EXPECT_NEAR(v.lossRatio, 0.20, 0.01);
  EXPECT_EQ(v.recovered, 30u);
  EXPECT_EQ(v.received, 150u);
  EXPECT_EQ(m.SignalStrength(clock.NowUs()), 1u);
}

}  // namespace
}  // namespace medicall::quality
