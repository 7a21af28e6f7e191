#include "media/bwe/ProbeController.hpp"

#include <gtest/gtest.h>

namespace medicall::media::bwe {
namespace {

TEST(ProbeControllerTest, StartsAtThreeAndSixTimesTheStartCappedByTheAsk) {
  ProbeController c;
  auto p = c.OnStart(1'000'000, 10'000'000, 0);
  ASSERT_EQ(p.count, 2u);
  EXPECT_EQ(p.bps[0], 3'000'000u);
  EXPECT_EQ(p.bps[1], 6'000'000u);
  EXPECT_EQ(c.OnStart(1'000'000, 10'000'000, 0).count, 0u) << "once";

  ProbeController capped;
  p = capped.OnStart(1'000'000, 1'500'000, 0);  // one camera asking 1.5 Mbit/s
  ASSERT_EQ(p.count, 1u);
  EXPECT_EQ(p.bps[0], 1'500'000u);

  ProbeController nothing;
  EXPECT_EQ(nothing.OnStart(1'000'000, 1'100'000, 0).count, 0u) << "not worth a probe";
}

TEST(ProbeControllerTest, ProbesFurtherWhileResultsComeCloseToTheProbedRate) {
  ProbeController c;
  ASSERT_EQ(c.OnStart(1'000'000, 50'000'000, 0).count, 2u);
  // An estimate still far below 70% of 6 Mbit/s: wait.
  EXPECT_EQ(c.OnEstimate(2'000'000, 50'000'000, 100'000).count, 0u);
  EXPECT_TRUE(c.WaitingForResult());
  // The 6 Mbit/s probe got through: twice the estimate next.
  auto p = c.OnEstimate(5'500'000, 50'000'000, 200'000);
  ASSERT_EQ(p.count, 1u);
  EXPECT_EQ(p.bps[0], 11'000'000u);
  // That one did not (the estimate stays at 6): no further probe, and after the timeout none either.
  EXPECT_EQ(c.OnEstimate(6'000'000, 50'000'000, 300'000).count, 0u);
  EXPECT_EQ(c.OnEstimate(6'000'000, 50'000'000, 300'000 + ProbeController::kResultTimeoutUs).count, 0u);
  EXPECT_FALSE(c.WaitingForResult());
  EXPECT_EQ(c.OnEstimate(20'000'000, 50'000'000, 2'000'000).count, 0u);
}

TEST(ProbeControllerTest, AnAllocationAboveTheEstimateProbesAtMostEveryFiveSeconds) {
  ProbeController c;
  EXPECT_EQ(c.OnAllocationLimited(1'000'000, 3'000'000, 0).count, 0u) << "not before the start probes";
  c.OnStart(1'000'000, 1'000'000, 0);  // capped to nothing
  auto p = c.OnAllocationLimited(1'000'000, 3'000'000, 10'000'000);
  ASSERT_EQ(p.count, 1u);
  EXPECT_EQ(p.bps[0], 2'000'000u);
  c.OnEstimate(1'000'000, 3'000'000, 10'000'000 + 2 * ProbeController::kResultTimeoutUs);  // no result
  // A round that brought nothing: the next one waits twice as long (the path is probably full).
  EXPECT_EQ(c.AllocationProbeIntervalUs(), 2 * ProbeController::kAllocationProbeIntervalUs);
  EXPECT_EQ(c.OnAllocationLimited(1'000'000, 3'000'000, 12'000'000).count, 0u);
  EXPECT_EQ(c.OnAllocationLimited(1'000'000, 3'000'000, 19'000'000).count, 0u);
  p = c.OnAllocationLimited(1'000'000, 1'500'000, 20'000'000);
  ASSERT_EQ(p.count, 1u);
  EXPECT_EQ(p.bps[0], 1'500'000u) << "capped by the ask";
  // This one got through (the estimate came to the probe): the interval is back to 5 s.
  EXPECT_EQ(c.OnEstimate(1'400'000, 1'500'000, 20'100'000).count, 0u);
  EXPECT_EQ(c.AllocationProbeIntervalUs(), ProbeController::kAllocationProbeIntervalUs);
  EXPECT_EQ(c.OnAllocationLimited(2'000'000, 1'500'000, 30'000'000).count, 0u) << "the estimate fits the ask";
  // An over-use 9 s ago: the path is at its limit, no probe; 10 s after it, one again.
  EXPECT_EQ(c.OnAllocationLimited(1'000'000, 3'000'000, 40'000'000, 31'000'000).count, 0u);
  EXPECT_EQ(c.OnAllocationLimited(1'000'000, 3'000'000, 41'000'000, 31'000'000).count, 1u);
}

}  // namespace
}  // namespace medicall::media::bwe
