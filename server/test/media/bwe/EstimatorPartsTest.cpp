// The stages of the send-side estimator one by one (draft-ietf-rmcat-gcc-02 sections 5.2-5.5, 6).
#include <gtest/gtest.h>

#include <vector>

#include "media/bwe/AckedBitrateEstimator.hpp"
#include "media/bwe/AimdRateController.hpp"
#include "media/bwe/InterArrivalDelta.hpp"
#include "media/bwe/LossBasedEstimator.hpp"
#include "media/bwe/OveruseDetector.hpp"
#include "media/bwe/TransportSendHistory.hpp"
#include "media/bwe/TrendlineEstimator.hpp"

namespace medicall::media::bwe {
namespace {

using webrtc::rtcp::TransportFeedback;

TEST(InterArrivalDeltaTest, GroupsBurstsAndMeasuresDelayVariation) {
  InterArrivalDelta ia;
  InterArrivalDelta::Delta d;
  // Group 1: sent at 0 and 3 ms (within 5 ms); group 2 at 20 ms; group 3 at 40 ms.
  EXPECT_FALSE(ia.OnPacket(0, 100'000, 1200, d));
  EXPECT_FALSE(ia.OnPacket(3'000, 104'000, 1200, d));
  EXPECT_FALSE(ia.OnPacket(20'000, 126'000, 1200, d));  // closes group 1, no predecessor yet
  ASSERT_TRUE(ia.OnPacket(40'000, 150'000, 1200, d));   // closes group 2
  EXPECT_EQ(d.sendDeltaUs, 17'000);                     // 20 - 3
  EXPECT_EQ(d.arrivalDeltaUs, 22'000);                  // 126 - 104: 5 ms more queueing
  // A packet sent before the current group started is ignored.
  EXPECT_FALSE(ia.OnPacket(30'000, 151'000, 1200, d));
  // A packet arriving right after with negative variation joins the burst even if sent later.
  EXPECT_FALSE(ia.OnPacket(47'000, 152'000, 1200, d));
  ASSERT_TRUE(ia.OnPacket(70'000, 180'000, 1200, d));
  EXPECT_EQ(d.sendDeltaUs, 47'000 - 20'000);
  EXPECT_EQ(d.arrivalDeltaUs, 152'000 - 126'000);
}

TEST(TrendlineEstimatorTest, SlopeIsPositiveWhileTheQueueGrowsAndZeroWhenSteady) {
  TrendlineEstimator steady;
  TrendlineEstimator growing;
  double s = 0;
  double g = 0;
  for (int i = 0; i < 40; ++i) {
    s = steady.Update(20, 20, i * 20);
    g = growing.Update(22, 20, i * 22);  // each group arrives 2 ms later than sent
  }
  EXPECT_NEAR(s, 0, 1e-9);
  EXPECT_GT(g, 10);
  EXPECT_EQ(growing.NumDeltas(), 40);
}

TEST(OveruseDetectorTest, OveruseNeedsTimeAndARisingTrendAndTheThresholdAdapts) {
  OveruseDetector d;
  EXPECT_EQ(d.Detect(100, 5, 1, 0), BandwidthUsage::kNormal);   // too few deltas
  EXPECT_EQ(d.Detect(20, 5, 10, 5), BandwidthUsage::kNormal);   // above, but only 2.5 ms so far
  EXPECT_EQ(d.Detect(21, 5, 10, 10), BandwidthUsage::kNormal);  // 7.5 ms
  EXPECT_EQ(d.Detect(22, 5, 10, 15), BandwidthUsage::kOverusing);
  EXPECT_EQ(d.Detect(-30, 5, 10, 20), BandwidthUsage::kUnderusing);
  EXPECT_EQ(d.Detect(0, 5, 10, 25), BandwidthUsage::kNormal);
  // A persistently small trend pulls the threshold down to its floor; a large one pushes it up slowly.
  OveruseDetector low;
  for (int i = 0; i < 1000; ++i) low.Detect(0, 5, 10, i * 5);
  EXPECT_DOUBLE_EQ(low.ThresholdMs(), OveruseDetector::kMinThresholdMs);
  OveruseDetector high;
  for (int i = 0; i < 2000; ++i) high.Detect(high.ThresholdMs() + 10, 5, 10, i * 5);
  EXPECT_GT(high.ThresholdMs(), 100);
  // Spikes far above the threshold do not move it.
  OveruseDetector spiky;
  for (int i = 0; i < 100; ++i) spiky.Detect(500, 5, 10, i * 5);
  EXPECT_DOUBLE_EQ(spiky.ThresholdMs(), OveruseDetector::kInitialThresholdMs);
}

TEST(AimdRateControllerTest, IncreasesMultiplicativelyDecreasesToBetaOfIncoming) {
  AimdRateController aimd(1'000'000, 50'000, 10'000'000);
  int64_t now = 0;
  aimd.Update(BandwidthUsage::kNormal, 1'000'000, now);
  for (int i = 0; i < 10; ++i) aimd.Update(BandwidthUsage::kNormal, 1'000'000, now += 100);
  EXPECT_NEAR(static_cast<double>(aimd.EstimateBps()), 1'080'000, 2'000);  // 8% in one second
  EXPECT_EQ(aimd.CurrentState(), AimdRateController::State::kIncrease);
  aimd.Update(BandwidthUsage::kOverusing, 900'000, now += 100);
  EXPECT_EQ(aimd.EstimateBps(), 765'000u);  // 0.85 * 900k
  EXPECT_EQ(aimd.CurrentState(), AimdRateController::State::kHold);
  // Hold while under-using; normal again resumes increasing, now additively near the congestion rate.
  aimd.Update(BandwidthUsage::kUnderusing, 760'000, now += 100);
  EXPECT_EQ(aimd.EstimateBps(), 765'000u);
  aimd.Update(BandwidthUsage::kNormal, 760'000, now += 100);
  aimd.Update(BandwidthUsage::kNormal, 760'000, now += 100);
  EXPECT_GT(aimd.EstimateBps(), 765'000u);
  EXPECT_LT(aimd.EstimateBps(), 775'000u) << "additive near convergence";
  // Never more than 1.5 times what arrives.
  for (int i = 0; i < 200; ++i) aimd.Update(BandwidthUsage::kNormal, 200'000, now += 100);
  EXPECT_LE(aimd.EstimateBps(), 775'000u);
}

TEST(LossBasedEstimatorTest, FollowsTheDraftsThreeBands) {
  LossBasedEstimator l(1'000'000, 50'000, 10'000'000);
  l.OnPackets(0, 0, 0, 10'000'000);
  l.OnPackets(80, 20, 600'000, 10'000'000);  // 20%: * (1 - 0.1)
  EXPECT_EQ(l.EstimateBps(), 900'000u);
  l.OnPackets(95, 5, 1'200'000, 10'000'000);  // 5%: hold
  EXPECT_EQ(l.EstimateBps(), 900'000u);
  l.OnPackets(100, 0, 1'800'000, 10'000'000);  // 0%: * 1.05
  EXPECT_EQ(l.EstimateBps(), 945'000u);
  l.OnPackets(10, 0, 2'400'000, 10'000'000);  // too few packets: wait
  EXPECT_EQ(l.EstimateBps(), 945'000u);
}

TEST(AckedBitrateEstimatorTest, MeasuresTheRateOverTheWindow) {
  AckedBitrateEstimator a;
  EXPECT_FALSE(a.RateBps());
  for (int i = 0; i < 1000; ++i) a.OnPacket(1'000'000 + i * 1'000, 1250);  // 1250 B per ms = 10 Mbit/s
  ASSERT_TRUE(a.RateBps());
  EXPECT_NEAR(static_cast<double>(*a.RateBps()), 10'000'000, 100'000);
}

TEST(TransportSendHistoryTest, MatchesFeedbackOnceAndUnwrapsTheReferenceTime) {
  TransportSendHistory h;
  for (uint16_t s = 65534; s != 4; ++s) h.OnSent(s, 1000, 1'000'000 + s % 100 * 1000);
  const int64_t wrap = (int64_t{1} << 24) * TransportFeedback::kReferenceTickUs;
  auto feedbackFor = [](uint16_t base, std::vector<bool> received, int64_t firstArrivalUs) {
    std::vector<TransportFeedback::PacketResult> r;
    for (size_t i = 0; i < received.size(); ++i)
      r.push_back(
          {static_cast<uint16_t>(base + i), received[i], firstArrivalUs + static_cast<int64_t>(i) * 1000});
    std::vector<uint8_t> buf(256);
    buf.resize(TransportFeedback::Serialize(1, 2, 0, r, buf));
    return buf;
  };
  auto first = feedbackFor(65534, {true, false, true}, wrap - 64'000);  // just before the 24-bit wrap
  std::vector<PacketFeedback> got;
  h.OnFeedback(*TransportFeedback::Parse(first), [&](const PacketFeedback& p) { got.push_back(p); });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_FALSE(got[1].Received());
  const int64_t before = got[2].arrivalUs;
  // Again (a repeated range) with the lost one now received, and two more past the wrap.
  got.clear();
  auto second = feedbackFor(65535, {true, true, true, true}, wrap + 1'000);
  h.OnFeedback(*TransportFeedback::Parse(second), [&](const PacketFeedback& p) { got.push_back(p); });
  ASSERT_EQ(got.size(), 3u) << "65535 late, 1 and 2; 0 was reported already";
  EXPECT_TRUE(got[0].Received());
  EXPECT_GT(got[1].arrivalUs, before) << "the arrival clock continues across the 24-bit wrap";
  EXPECT_LT(got[1].arrivalUs - before, 100'000);
  // Packets we never sent are ignored.
  got.clear();
  auto unknown = feedbackFor(1000, {true, true}, wrap + 5'000);
  EXPECT_EQ(
      h.OnFeedback(*TransportFeedback::Parse(unknown), [&](const PacketFeedback& p) { got.push_back(p); }),
      0u);
}

}  // namespace
}  // namespace medicall::media::bwe
