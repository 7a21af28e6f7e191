#include "media/router/RtxBudget.hpp"

#include <gtest/gtest.h>

namespace medicall::media::router {
namespace {

TEST(RtxBudgetTest, BurstThenTheRate) {
  RtxBudget b(100'000, 10'000);  // 100 kB/s, 10 kB burst
  int64_t now = 5'000'000;
  int sent = 0;
  while (b.TryConsume(1'000, now)) ++sent;
  EXPECT_EQ(sent, 10);  // the burst
  EXPECT_FALSE(b.TryConsume(1'000, now));
  now += 5'000;  // 5 ms: 500 bytes
  EXPECT_FALSE(b.TryConsume(1'000, now));
  EXPECT_TRUE(b.TryConsume(500, now));
  now += 10'000;  // 10 ms: 1000 bytes
  EXPECT_TRUE(b.TryConsume(1'000, now));
  EXPECT_FALSE(b.TryConsume(1, now));
  // Over one second the budget is the rate (plus the burst), however the packets come.
  int64_t bytes = 0;
  for (int i = 0; i < 1000; ++i) {
    now += 1'000;
    if (b.TryConsume(1'200, now)) bytes += 1'200;
  }
  EXPECT_LE(bytes, 100'000 + 1'200);
  EXPECT_GE(bytes, 100'000 - 2 * 1'200);
}

TEST(RtxBudgetTest, NeverMoreThanTheBurstAfterIdleTime) {
  RtxBudget b(100'000, 10'000);
  EXPECT_TRUE(b.TryConsume(1, 0));
  EXPECT_EQ(b.Available(3'600'000'000), 10'000u);  // an hour idle: still only the burst
  EXPECT_FALSE(b.TryConsume(10'001, 3'600'000'000));
}

}  // namespace
}  // namespace medicall::media::router
