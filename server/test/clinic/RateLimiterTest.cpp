#include "clinic/RateLimiter.hpp"

#include <gtest/gtest.h>

namespace medicall::clinic {
namespace {

constexpr int64_t kMinute = 60'000'000;

TEST(RateLimiterTest, AllowsUpToTheLimitThenAsksToWaitUntilTheWindowPasses) {
  ManualClock clock;
  RateLimiter limiter(3, 15 * kMinute, clock);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.RetryAfterSeconds("k"), 0) << i;
    limiter.RecordFailure("k");
    clock.AdvanceUs(kMinute);
  }
  // Failures at 0, 1, 2 min; now 3 min: the first leaves the window at 15 min.
  EXPECT_EQ(limiter.RetryAfterSeconds("k"), 12 * 60);
  EXPECT_EQ(limiter.RetryAfterSeconds("other"), 0) << "keys are independent";
  clock.AdvanceUs(12 * kMinute - 1'000'000);
  EXPECT_EQ(limiter.RetryAfterSeconds("k"), 1);
  clock.AdvanceUs(1'000'000);
  EXPECT_EQ(limiter.RetryAfterSeconds("k"), 0);
  limiter.RecordFailure("k");  // 2 left in the window + this one
  EXPECT_GT(limiter.RetryAfterSeconds("k"), 0);
}

TEST(RateLimiterTest, ResetClearsTheKey) {
  ManualClock clock;
  RateLimiter limiter(2, kMinute, clock);
  limiter.RecordFailure("k");
  limiter.RecordFailure("k");
  EXPECT_GT(limiter.RetryAfterSeconds("k"), 0);
  limiter.Reset("k");
  EXPECT_EQ(limiter.RetryAfterSeconds("k"), 0);
}

}  // namespace
}  // namespace medicall::clinic
