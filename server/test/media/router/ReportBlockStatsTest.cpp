// What a subscriber's report blocks tell about a stream we send it (RFC 3550 section 6.4.1): fraction
// lost (8-bit fixed point), cumulative lost, jitter from RTP units to ms, and the round trip from
// LSR/DLSR against our sender report's NTP time.
#include "media/router/ReportBlockStats.hpp"

#include <gtest/gtest.h>

#include "common/Clock.hpp"
#include "common/Ntp.hpp"

namespace medicall::media::router {
namespace {

using webrtc::rtcp::ReportBlock;

TEST(ReportBlockStatsTest, NothingUntilAReport) {
  ReportBlockStats r(90000);
  EXPECT_EQ(r.Reports(), 0u);
  EXPECT_EQ(r.FractionLost(), 0);
  EXPECT_FALSE(r.RttUs());
}

TEST(ReportBlockStatsTest, LossJitterAndRoundTripFromLsrAndDlsr) {
  ManualClock clock;
  ReportBlockStats r(90000);
  // Our SR left at `sent`; the receiver held it 100 ms before its RR left, which arrived 300 ms after
  // the SR: the round trip is 200 ms.
  const uint64_t sent = ntp::FromUnixUs(clock.WallNowUs());
  clock.AdvanceMs(300);
  ReportBlock b;
  b.ssrc = 1234;
  b.fractionLost = 64;  // 25%
  b.cumulativeLost = 17;
  b.extendedHighestSeq = 0x10005;
  b.jitter = 900;  // RTP units at 90 kHz: 10 ms
  b.lastSr = ntp::Compact(sent);
  b.delaySinceLastSr = ntp::UsToCompact(100'000);
  r.OnReportBlock(b, ntp::Compact(ntp::FromUnixUs(clock.WallNowUs())), clock.NowMs());
  EXPECT_EQ(r.Reports(), 1u);
  EXPECT_EQ(r.LastReportMs(), clock.NowMs());
  EXPECT_DOUBLE_EQ(r.FractionLost(), 0.25);
  EXPECT_EQ(r.CumulativeLost(), 17);
  EXPECT_EQ(r.ExtendedHighestSeq(), 0x10005u);
  EXPECT_NEAR(r.JitterMs(), 10.0, 1e-9);
  ASSERT_TRUE(r.RttUs());
  EXPECT_NEAR(static_cast<double>(*r.RttUs()), 200'000, 100);  // compact NTP is 1/65536 s
  EXPECT_EQ(r.RttAtMs(), clock.NowMs());

  // A later block without LSR (no SR reached the receiver yet, or a new one) updates the loss and
  // keeps the last round trip.
  const int64_t rttAt = clock.NowMs();
  clock.AdvanceMs(1000);
  ReportBlock next = b;
  next.fractionLost = 0;
  next.cumulativeLost = 18;
  next.lastSr = 0;
  next.delaySinceLastSr = 0;
  r.OnReportBlock(next, ntp::Compact(ntp::FromUnixUs(clock.WallNowUs())), clock.NowMs());
  EXPECT_EQ(r.Reports(), 2u);
  EXPECT_EQ(r.FractionLost(), 0);
  EXPECT_EQ(r.CumulativeLost(), 18);
  ASSERT_TRUE(r.RttUs());
  EXPECT_NEAR(static_cast<double>(*r.RttUs()), 200'000, 100);
  EXPECT_EQ(r.RttAtMs(), rttAt);
}

TEST(ReportBlockStatsTest, AudioJitterAtItsClockAndImplausibleRoundTripsAreIgnored) {
  ManualClock clock;
  ReportBlockStats r(48000);
  const uint32_t arrival = ntp::Compact(ntp::FromUnixUs(clock.WallNowUs()));
  ReportBlock b;
  b.jitter = 0xFFFFFFFF;                              // nonsense, but read as what it says
  b.lastSr = arrival - ntp::UsToCompact(20'000'000);  // an LSR from 20 s ago: not one of ours
  r.OnReportBlock(b, arrival, clock.NowMs());
  EXPECT_NEAR(r.JitterMs(), 0xFFFFFFFF * 1000.0 / 48000, 1);
  EXPECT_FALSE(r.RttUs());
  // DLSR larger than the time since the SR (the receiver's clock or a forgery): no round trip either.
  b.jitter = 480;
  b.lastSr = arrival - ntp::UsToCompact(50'000);
  b.delaySinceLastSr = ntp::UsToCompact(80'000);
  r.OnReportBlock(b, arrival, clock.NowMs());
  EXPECT_NEAR(r.JitterMs(), 10.0, 1e-9);
  EXPECT_FALSE(r.RttUs());
  b.delaySinceLastSr = ntp::UsToCompact(10'000);
  r.OnReportBlock(b, arrival, clock.NowMs());
  ASSERT_TRUE(r.RttUs());
  EXPECT_NEAR(static_cast<double>(*r.RttUs()), 40'000, 100);
}

}  // namespace
}  // namespace medicall::media::router
