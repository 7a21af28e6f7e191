#include "media/audio/LossProtection.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace medicall::media::audio {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int kBase = 32'000;

TEST(LossProtectionTest, NoReportMeansNoFecAndTheBaseBitrate) {
  const LossProtection p;
  EXPECT_FALSE(p.FecOn());
  EXPECT_EQ(p.LossPercent(), 0);
  const EncoderProtection e = LossProtection::ForLoss({}, kBase, p.LossPercent());
  EXPECT_EQ(e, (EncoderProtection{.fec = false, .lossPercent = 0, .bitrateBps = kBase}));
}

TEST(LossProtectionTest, LossTurnsFecOnWithTheLossAndARaisedBitrate) {
  LossProtection p;
  ASSERT_TRUE(p.OnReport(0.05, 10 * kSecond));  // the first report is taken as it is
  EXPECT_TRUE(p.FecOn());
  EXPECT_DOUBLE_EQ(p.SmoothedLoss(), 0.05);
  EXPECT_EQ(p.LossPercent(), 5);
  // 32 kbit/s * (1 + 0.25 headroom + 0.05 loss).
  EXPECT_EQ(LossProtection::ForLoss({}, kBase, p.LossPercent()),
            (EncoderProtection{.fec = true, .lossPercent = 5, .bitrateBps = 41'600}));
  // The same report seen again (the router's view is read every second) changes nothing.
  EXPECT_FALSE(p.OnReport(0.5, 10 * kSecond));
  EXPECT_FALSE(p.OnReport(0.5, 10 * kSecond + 999));  // its arrival rebuilt from an age in ms
  EXPECT_EQ(p.Reports(), 1u);
  EXPECT_DOUBLE_EQ(p.SmoothedLoss(), 0.05);
}

TEST(LossProtectionTest, SmoothingWeighsReportsByTheTimeBetweenThem) {
  LossProtection p;
  p.OnReport(0.0, 0);
  // 5 s later (Chromium's audio report interval) half a time constant has passed.
  p.OnReport(0.10, 5 * kSecond);
  EXPECT_NEAR(p.SmoothedLoss(), 0.10 * (1 - std::exp(-0.5)), 1e-9);
  EXPECT_TRUE(p.FecOn());
  EXPECT_EQ(p.LossPercent(), 4);  // 3.93 % rounded up
}

TEST(LossProtectionTest, CleanReportsTurnFecOffOnceTheLossDecayedAndTheHoldPassed) {
  LossProtection p;
  p.OnReport(0.05, 0);
  ASSERT_TRUE(p.FecOn());
  // Clean reports every 5 s: the smoothed loss is 5 % * exp(-n / 2); below 0.5 % from the 5th.
  for (int n = 1; n <= 4; ++n) {
    p.OnReport(0.0, n * 5 * kSecond);
    EXPECT_TRUE(p.FecOn()) << n;
    EXPECT_GE(p.LossPercent(), 1) << n;
  }
  p.OnReport(0.0, 25 * kSecond);
  EXPECT_LT(p.SmoothedLoss(), 0.005);
  EXPECT_FALSE(p.FecOn());
  EXPECT_EQ(p.LossPercent(), 0);
}

TEST(LossProtectionTest, HysteresisKeepsEachStateBetweenTheThresholds) {
  LossProtectionConfig config;
  config.holdUs = 0;  // the thresholds alone
  LossProtection p(config);
  p.OnReport(0.007, 0);  // between 0.5 % and 1 %: does not turn FEC on
  EXPECT_FALSE(p.FecOn());
  p.OnReport(0.02, 10 * kSecond);  // 1.52 %
  EXPECT_TRUE(p.FecOn());
  p.OnReport(0.0, 18 * kSecond);  // 0.68 %: between the thresholds, stays on
  EXPECT_GT(p.SmoothedLoss(), 0.005);
  EXPECT_LT(p.SmoothedLoss(), 0.01);
  EXPECT_TRUE(p.FecOn());
  EXPECT_EQ(p.LossPercent(), 1);
  p.OnReport(0.0, 30 * kSecond);  // 0.21 %: off
  EXPECT_FALSE(p.FecOn());
  p.OnReport(0.009, 60 * kSecond);  // 0.86 %: between the thresholds, stays off
  EXPECT_GT(p.SmoothedLoss(), 0.005);
  EXPECT_FALSE(p.FecOn());
}

TEST(LossProtectionTest, ARecentLossyReportHoldsFecOnThoughTheAverageIsLow) {
  LossProtectionConfig config;
  config.holdUs = 10 * kSecond;
  LossProtection p(config);
  p.OnReport(0.03, 0);
  ASSERT_TRUE(p.FecOn());
  p.OnReport(0.0, 40 * kSecond);  // decayed to 0.05 %, the last loss 40 s ago: off
  ASSERT_FALSE(p.FecOn());
  p.OnReport(0.02, 50 * kSecond);  // loss again: 1.28 %, on
  ASSERT_TRUE(p.FecOn());
  p.OnReport(0.001, 80 * kSecond);  // the average is low again (0.16 %), a little loss in this report
  EXPECT_LT(p.SmoothedLoss(), 0.005);
  EXPECT_TRUE(p.FecOn());         // held: that report showed loss
  p.OnReport(0.0, 85 * kSecond);  // 5 s after it: still held
  EXPECT_TRUE(p.FecOn());
  p.OnReport(0.0, 90 * kSecond);  // 10 s clean: off
  EXPECT_FALSE(p.FecOn());
}

TEST(LossProtectionTest, LossToldToTheEncoderIsCappedAndTheBitrateBounded) {
  LossProtection p;
  p.OnReport(0.9, 0);
  EXPECT_EQ(p.LossPercent(), 20);
  EXPECT_EQ(LossProtection::ForLoss({}, kBase, 20).bitrateBps, 46'400);   // 32 * 1.45
  EXPECT_EQ(LossProtection::ForLoss({}, 60'000, 20).bitrateBps, 64'000);  // at most maxBitrateBps
  EXPECT_EQ(LossProtection::ForLoss({}, 96'000, 20).bitrateBps, 96'000);  // never below the base
}

TEST(LossProtectionTest, ReportsOutOfRangeAreClamped) {
  LossProtection p;
  p.OnReport(std::numeric_limits<double>::quiet_NaN(), 0);
  EXPECT_DOUBLE_EQ(p.SmoothedLoss(), 0.0);
  p.OnReport(-1.0, kSecond);
  EXPECT_DOUBLE_EQ(p.SmoothedLoss(), 0.0);
  EXPECT_FALSE(p.OnReport(0.5, 0));  // older than the last one: not taken
  p.OnReport(7.0, 2 * kSecond);
  EXPECT_LE(p.SmoothedLoss(), 1.0);
  EXPECT_TRUE(p.FecOn());
}

}  // namespace
}  // namespace medicall::media::audio
