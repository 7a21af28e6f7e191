// The send-side estimator on synthetic traces (LinkSimulation: a sender following the estimate, a
// bottleneck queue, real transport-wide feedback), all on a ManualClock: it ramps up on a clean link,
// backs off when the queueing delay grows, and backs off on loss above 10%.
#include "media/bwe/SendSideEstimator.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "media/bwe/LinkSimulation.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"
#include "media/bwe/TransportFeedbackGenerator.hpp"

namespace medicall::media::bwe {
namespace {

using testing::LinkSettings;
using testing::LinkSimulation;

SendSideEstimator::Settings Start(uint64_t bps) {
  SendSideEstimator::Settings s;
  s.startBps = bps;
  return s;
}

// Five packets of probe cluster 1, sent 2 ms apart (1000 bytes: 4 Mbit/s), arriving arrivalGapUs apart,
// then the receiver's feedback about them.
void ProbeAndFeedback(SendSideEstimator& e, int64_t arrivalGapUs, int64_t nowUs) {
  TransportFeedbackGenerator receiver;
  for (uint16_t i = 0; i < 5; ++i) {
    e.OnPacketSent(static_cast<uint16_t>(100 + i), 1000, nowUs + i * 2'000, 1);
    receiver.OnPacket(static_cast<uint16_t>(100 + i), nowUs + 20'000 + i * arrivalGapUs);
  }
  std::vector<uint8_t> buf(1500);
  while (size_t n = receiver.Build(1, 2, buf)) {
    auto fb = webrtc::rtcp::TransportFeedback::Parse(std::span(buf).first(n));
    ASSERT_TRUE(fb);
    e.OnTransportFeedback(*fb, nowUs + 60'000);
  }
}

TEST(SendSideEstimatorTest, AProbeResultRaisesTheEstimateAtOnce) {
  SendSideEstimator e(Start(1'000'000));
  ProbeAndFeedback(e, 2'000, 1'000'000);  // the path delivered the probe at its rate
  EXPECT_EQ(e.ProbeResults(), 1u);
  EXPECT_EQ(e.LastProbeBps(), 4'000'000u);
  EXPECT_EQ(e.EstimateBps(), 4'000'000u) << "delay- and loss-based both follow the probe";
  EXPECT_EQ(e.DelayBasedBps(), 4'000'000u);
  EXPECT_EQ(e.LossBasedBps(), 4'000'000u);
}

TEST(SendSideEstimatorTest, AProbeThroughABottleneckBelowTheEstimateChangesNothing) {
  SendSideEstimator e(Start(1'000'000));
  ProbeAndFeedback(e, 8'000, 1'000'000);  // spread to 1 Mbit/s: the probe measures 95% of that
  EXPECT_EQ(e.ProbeResults(), 0u);
  EXPECT_LE(e.EstimateBps(), 1'000'000u);
}

TEST(SendSideEstimatorTest, ProbingReachesA5MbitLinkInASecondInsteadOfHalfAMinute) {
  LinkSettings link;
  link.capacityBps = 5'000'000;
  link.probing = true;
  LinkSimulation probed(link, Start(1'000'000));
  probed.Run(1'000'000);
  EXPECT_GE(probed.Estimator().EstimateBps(), 3'500'000u);
  EXPECT_LE(probed.Estimator().EstimateBps(), 5'500'000u);
  EXPECT_GE(probed.Estimator().ProbeResults(), 1u);
  EXPECT_GE(probed.Prober().ClustersDone(), 2u);  // the start clusters at 3 and 6 Mbit/s
  EXPECT_EQ(probed.Dropped(), 0u);
  link.probing = false;
  LinkSimulation plain(link, Start(1'000'000));
  plain.Run(1'000'000);
  EXPECT_LT(plain.Estimator().EstimateBps(), 1'200'000u);
}

TEST(SendSideEstimatorTest, RampsUpOnACleanLink) {
  LinkSettings link;
  link.capacityBps = 20'000'000;
  LinkSimulation sim(link, Start(300'000));
  sim.Run(2'000'000);
  const uint64_t early = sim.Estimator().EstimateBps();
  sim.Run(20'000'000);
  const uint64_t later = sim.Estimator().EstimateBps();
  EXPECT_GT(early, 300'000u);
  EXPECT_GT(later, 1'200'000u) << "8%/s for 22 s from 300 kbit/s";
  EXPECT_GT(sim.Estimator().FeedbackCount(), 400u);
  EXPECT_EQ(sim.Dropped(), 0u);
  EXPECT_LT(sim.LastQueueDelayUs(), 5'000);
  EXPECT_EQ(sim.Estimator().Usage(), BandwidthUsage::kNormal);
}

TEST(SendSideEstimatorTest, BacksOffOnGrowingQueueingDelay) {
  // Starting at 3 Mbit/s into a 1 Mbit/s link: the queue grows until the detector calls over-use, and
  // the estimate falls to (about) the link rate before the 300 ms queue overflows.
  LinkSettings link;
  link.capacityBps = 1'000'000;
  link.maxQueueUs = 2'000'000;
  LinkSimulation sim(link, Start(3'000'000));
  bool overuse = false;
  sim.Run(3'000'000, 1000,
          [&](int64_t) { overuse = overuse || sim.Estimator().Usage() == BandwidthUsage::kOverusing; });
  EXPECT_TRUE(overuse);
  EXPECT_LT(sim.Estimator().DelayBasedBps(), 1'100'000u);
  EXPECT_EQ(sim.Dropped(), 0u) << "delay, not loss, made it back off";
  // Then it settles around the capacity with a short queue.
  uint64_t sum = 0;
  int samples = 0;
  int64_t maxQueue = 0;
  sim.Run(30'000'000, 100'000, [&](int64_t) {
    sum += sim.Estimator().EstimateBps();
    ++samples;
    maxQueue = std::max(maxQueue, sim.LastQueueDelayUs());
  });
  const double mean = static_cast<double>(sum) / samples;
  EXPECT_GT(mean, 600'000);
  EXPECT_LT(mean, 1'150'000);
  EXPECT_LT(sim.LastQueueDelayUs(), 200'000);
}

TEST(SendSideEstimatorTest, BacksOffOnLossAboveTenPercent) {
  LinkSettings link;
  link.capacityBps = 50'000'000;  // no queue: only loss
  link.randomLoss = 0.2;
  LinkSimulation sim(link, Start(2'000'000));
  sim.Run(5'000'000);
  EXPECT_GT(sim.Estimator().LossFraction(), 0.1);
  EXPECT_LT(sim.Estimator().EstimateBps(), 1'000'000u);
  EXPECT_EQ(sim.Estimator().EstimateBps(), sim.Estimator().LossBasedBps());
}

TEST(SendSideEstimatorTest, HoldsOnModerateLossAndGrowsWithoutLoss) {
  LinkSettings link;
  link.capacityBps = 50'000'000;
  link.lossEvery = 20;  // 5%
  LinkSimulation sim(link, Start(1'000'000));
  sim.Run(5'000'000);
  EXPECT_EQ(sim.Estimator().LossBasedBps(), 1'000'000u) << "2-10% loss holds the loss-based estimate";
  EXPECT_NEAR(sim.Estimator().LossFraction(), 0.05, 0.02);
  sim.Link().lossEvery = 0;
  sim.Run(5'000'000);
  EXPECT_GT(sim.Estimator().EstimateBps(), 1'200'000u);
}

TEST(SendSideEstimatorTest, FollowsACapacityDrop) {
  LinkSettings link;
  link.capacityBps = 5'000'000;
  LinkSimulation sim(link, Start(4'000'000));
  sim.Run(10'000'000);
  sim.Link().capacityBps = 1'000'000;
  sim.Run(5'000'000);
  EXPECT_LT(sim.Estimator().EstimateBps(), 1'200'000u);
}

}  // namespace
}  // namespace medicall::media::bwe
