#include "quality/MeetingQualityRecorder.hpp"

#include <gtest/gtest.h>

namespace medicall::quality {
namespace {

using store::QualityColumn;

struct CollectingSink final : QualitySink {
  std::vector<store::QualitySample> samples;
  std::vector<store::QualityEvent> events;
  void WriteSamples(std::vector<store::QualitySample> s) override {
    for (auto& x : s) samples.push_back(std::move(x));
  }
  void WriteEvent(store::QualityEvent e) override { events.push_back(std::move(e)); }
};

UplinkView View(double loss, double pps) {
  UplinkView v;
  v.hasData = true;
  v.seconds = 5;
  v.lossRatio = loss;
  v.packetsPerSecond = pps;
  v.jitterMs = 7;
  v.lastPacketAgeUs = 10'000;
  return v;
}

TEST(MeetingQualityRecorderTest, OneSamplePerIntervalCombiningClientAndServerViews) {
  CollectingSink sink;
  ManualClock clock;
  MeetingQualityRecorder r("m1", sink, clock, 5000);
  r.OnJoined("alice");
  r.OnJoined("alice");  // a re-SUBSCRIBE: no second event
  ASSERT_EQ(sink.events.size(), 1u);
  EXPECT_EQ(sink.events[0].kind, "joined");
  EXPECT_EQ(sink.events[0].atMs, clock.WallNowUs() / 1000);

  for (int i = 0; i < 5; ++i) {
    ClientMetricReport c;
    c.audioSendBitrateBps = 32000;
    c.videoSendBitrateBps = 400000 + i * 50000;  // mean 500 kbit/s
    c.videoSendFps = 10 + i;                     // mean 12
    c.stunRttMs = 40;
    c.videoFreezes = i == 2 ? 1.0 : 0.0;
    c.audioInputLevel = 0.1 * i;
    r.OnClientMetric("alice", c);
    r.OnServerView("alice", View(0.12, 44), 1);
    clock.AdvanceMs(1000);
    r.Tick();
  }
  ASSERT_EQ(sink.samples.size(), 1u);
  const auto& s = sink.samples[0];
  EXPECT_EQ(s.meetingId, "m1");
  EXPECT_EQ(s.attendeeId, "alice");
  EXPECT_NEAR(*s[QualityColumn::kSendKbps], 532.0, 0.01);
  EXPECT_NEAR(*s[QualityColumn::kSendFps], 12.0, 0.01);
  EXPECT_NEAR(*s[QualityColumn::kUplinkLossPct], 12.0, 0.01);  // the server's figure
  EXPECT_NEAR(*s[QualityColumn::kJitterMs], 7.0, 0.01);
  EXPECT_NEAR(*s[QualityColumn::kRttMs], 40.0, 0.01);
  EXPECT_NEAR(*s[QualityColumn::kFreezes], 1.0, 0.01);
  EXPECT_NEAR(*s[QualityColumn::kMicLevel], 0.4, 0.01);
  EXPECT_EQ(*s[QualityColumn::kAudioPresent], 1.0);
  EXPECT_EQ(*s[QualityColumn::kSignalStrength], 1.0);
  EXPECT_FALSE(s[QualityColumn::kReceiveKbps]);
  EXPECT_EQ(s.atMs, clock.WallNowUs() / 1000);
}

TEST(MeetingQualityRecorderTest, WithoutAServerViewTheClientsUplinkLossIsUsed) {
  CollectingSink sink;
  ManualClock clock;
  MeetingQualityRecorder r("m1", sink, clock, 5000);
  r.OnJoined("bob");
  ClientMetricReport c;
  c.audioSendLossPercent = 8;
  r.OnClientMetric("bob", c);
  clock.AdvanceMs(5000);
  r.Tick();
  ASSERT_EQ(sink.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*sink.samples[0][QualityColumn::kUplinkLossPct], 8.0);
  EXPECT_FALSE(sink.samples[0][QualityColumn::kAudioPresent]);
}

TEST(MeetingQualityRecorderTest, UnknownAttendeesAreIgnoredAndLeavingFlushesAndRecordsTheEvent) {
  CollectingSink sink;
  ManualClock clock;
  MeetingQualityRecorder r("m1", sink, clock, 5000);
  r.OnClientMetric("stranger", ClientMetricReport{});
  r.OnServerView("stranger", View(0, 50), 2);
  clock.AdvanceMs(5000);
  r.Tick();
  EXPECT_TRUE(sink.samples.empty());
  r.OnJoined("carol");
  r.OnServerView("carol", View(0, 50), 2);
  clock.AdvanceMs(2000);
  r.OnLeft("carol", true);
  ASSERT_EQ(sink.samples.size(), 1u);
  ASSERT_EQ(sink.events.size(), 2u);
  EXPECT_EQ(sink.events[1].kind, "dropped");
  r.OnLeft("carol", false);  // already gone
  EXPECT_EQ(sink.events.size(), 2u);
}

DownlinkView Downlink(double loss, double rtt, uint64_t nacks, uint64_t plis, uint64_t rtx) {
  DownlinkView d;
  d.lossPct = loss;
  d.jitterMs = 4;
  d.rttMs = rtt;
  d.nacksReceived = nacks;
  d.keyframeRequestsReceived = plis;
  d.retransmissionsSent = rtx;
  d.estimateBps = 1'200'000;
  return d;
}

// Issue 16: the server's view of the attendee's downlink (its RTCP as a receiver) goes into the same
// sample: report figures averaged over the interval, the cumulative counters as what they moved by.
TEST(MeetingQualityRecorderTest, TheServersDownlinkViewAveragedAndItsCountersPerInterval) {
  CollectingSink sink;
  ManualClock clock;
  MeetingQualityRecorder r("m1", sink, clock, 5000);
  r.OnJoined("bob");
  for (int i = 0; i < 5; ++i) {
    r.OnServerDownlink("bob", Downlink(i == 4 ? 10 : 0, 20 + i, 3 + i, 1, 2 * i));  // loss mean 2%
    clock.AdvanceMs(1000);
    r.Tick();
  }
  ASSERT_EQ(sink.samples.size(), 1u);  // no client report, no uplink view: the downlink alone
  {
    const auto& s = sink.samples[0];
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kServerDownLossPct], 2.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kServerDownJitterMs], 4.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kServerRttMs], 22.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kEstimateKbps], 1200.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kNacksIn], 7.0);  // since the transport began
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kPlisIn], 1.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kRtxOut], 8.0);
    EXPECT_FALSE(s[QualityColumn::kDownlinkLossPct]);  // that one is the client's
    EXPECT_FALSE(s[QualityColumn::kUplinkLossPct]);
  }
  // The next interval counts from where the last one ended; a view without report figures (they went
  // stale) leaves those empty.
  DownlinkView quiet = Downlink(0, 0, 12, 1, 8);
  quiet.lossPct.reset();
  quiet.rttMs.reset();
  quiet.jitterMs.reset();
  quiet.estimateBps.reset();
  r.OnServerDownlink("bob", quiet);
  clock.AdvanceMs(5000);
  r.Tick();
  ASSERT_EQ(sink.samples.size(), 2u);
  {
    const auto& s = sink.samples[1];
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kNacksIn], 5.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kPlisIn], 0.0);
    EXPECT_DOUBLE_EQ(*s[QualityColumn::kRtxOut], 0.0);
    EXPECT_FALSE(s[QualityColumn::kServerDownLossPct] || s[QualityColumn::kServerRttMs] ||
                 s[QualityColumn::kEstimateKbps]);
  }
  // A new transport starts its counters again: what it counted so far is the interval's.
  r.OnServerDownlink("bob", Downlink(0, 30, 2, 0, 1));
  clock.AdvanceMs(5000);
  r.Tick();
  ASSERT_EQ(sink.samples.size(), 3u);
  EXPECT_DOUBLE_EQ(*sink.samples[2][QualityColumn::kNacksIn], 2.0);
  EXPECT_DOUBLE_EQ(*sink.samples[2][QualityColumn::kRtxOut], 1.0);
  // An interval without any view of bob writes nothing.
  clock.AdvanceMs(5000);
  r.Tick();
  EXPECT_EQ(sink.samples.size(), 3u);
  // Nor is anyone else's view taken.
  r.OnServerDownlink("stranger", Downlink(50, 30, 2, 0, 1));
  clock.AdvanceMs(5000);
  r.Tick();
  EXPECT_EQ(sink.samples.size(), 3u);
}

TEST(MeetingQualityRecorderTest, InvalidFramesAreRefused) {
  CollectingSink sink;
  ManualClock clock;
  MeetingQualityRecorder r("m1", sink, clock, 5000);
  r.OnJoined("dave");
  signaling::proto::SdkClientMetricFrame bad;
  auto* m = bad.add_global_metrics();
  m->set_type(signaling::proto::SdkMetric::STUN_RTT_MS);
  m->set_value(-5);
  EXPECT_FALSE(r.OnClientMetricFrame("dave", bad));
  m->set_value(30);
  EXPECT_TRUE(r.OnClientMetricFrame("dave", bad));
  clock.AdvanceMs(5000);
  r.Tick();
  ASSERT_EQ(sink.samples.size(), 1u);
  EXPECT_DOUBLE_EQ(*sink.samples[0][QualityColumn::kRttMs], 30.0);
}

}  // namespace
}  // namespace medicall::quality
