#include "signaling/TokenBucket.hpp"

#include <gtest/gtest.h>

namespace medicall::signaling {
namespace {

constexpr int64_t kMs = 1000;  // the bucket counts microseconds

TEST(TokenBucketTest, StartsFullAndEmptiesAfterBurst) {
  TokenBucket bucket(10, 3, 0);
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(0));
}

TEST(TokenBucketTest, RefillsAtRate) {
  TokenBucket bucket(10, 2, 0);  // one token per 100 ms
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(99 * kMs));
  EXPECT_TRUE(bucket.TryTake(100 * kMs));
  EXPECT_FALSE(bucket.TryTake(150 * kMs));
  EXPECT_TRUE(bucket.TryTake(200 * kMs));
}

TEST(TokenBucketTest, NeverExceedsBurst) {
  TokenBucket bucket(1000, 2, 0);
  EXPECT_DOUBLE_EQ(bucket.Available(3'600'000 * kMs), 2.0);
  EXPECT_TRUE(bucket.TryTake(3'600'000 * kMs));
  EXPECT_TRUE(bucket.TryTake(3'600'000 * kMs));
  EXPECT_FALSE(bucket.TryTake(3'600'000 * kMs));
}

TEST(TokenBucketTest, TimeGoingBackwardsAddsNothing) {
  TokenBucket bucket(10, 1, 1000 * kMs);
  EXPECT_TRUE(bucket.TryTake(1000 * kMs));
  EXPECT_FALSE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(1050 * kMs));
  EXPECT_TRUE(bucket.TryTake(1100 * kMs));
}

TEST(TokenBucketTest, ZeroBurstAdmitsNothing) {
  TokenBucket bucket(100, 0, 0);
  EXPECT_FALSE(bucket.TryTake(0));
  EXPECT_FALSE(bucket.TryTake(1000 * kMs));
}

TEST(TokenBucketTest, UsUntilAvailableSaysWhenTheNextTokenComes) {
  TokenBucket bucket(10, 1, 0);  // one token per 100 ms
  EXPECT_EQ(bucket.UsUntilAvailable(0), 0);
  EXPECT_TRUE(bucket.TryTake(0));
  EXPECT_EQ(bucket.UsUntilAvailable(0), 100 * kMs);
  EXPECT_EQ(bucket.UsUntilAvailable(40 * kMs), 60 * kMs);
  EXPECT_FALSE(bucket.TryTake(99 * kMs));
  EXPECT_TRUE(bucket.TryTake(100 * kMs));
}

TEST(TokenBucketTest, UsUntilAvailableIsNeverWithoutRefill) {
  TokenBucket noRate(0, 1, 0);
  EXPECT_TRUE(noRate.TryTake(0));
  EXPECT_EQ(noRate.UsUntilAvailable(0), -1);
  TokenBucket noBurst(10, 0, 0);
  EXPECT_EQ(noBurst.UsUntilAvailable(0), -1);
}

}  // namespace
}  // namespace medicall::signaling
