// The padding a subscriber transport sends so that its send-side estimate can climb above the media
// it carries: what is owed per tick, media counted against it, no padding without a target.
#include "media/bwe/PaddingBudget.hpp"

#include <gtest/gtest.h>

namespace medicall::media::bwe {
namespace {

TEST(PaddingBudgetTest, FillsWhatTheMediaLeavesOfTheTarget) {
  PaddingBudget b;
  int64_t now = 5'000'000;
  EXPECT_EQ(b.Take(400'000, now), 0u);  // the first tick starts the interval
  now += 50'000;
  b.OnSent(1000);
  // 400 kbit/s over 50 ms is 2500 bytes; the media sent 1000 of them.
  EXPECT_EQ(b.Take(400'000, now), 1500u);
  now += 50'000;
  b.OnSent(3000);  // the media alone reached it
  EXPECT_EQ(b.Take(400'000, now), 0u);
  now += 50'000;
  EXPECT_EQ(b.Take(0, now), 0u);  // no target: no padding
}

TEST(PaddingBudgetTest, ALateTickOwesAtMostItsCap) {
  PaddingBudget b;
  b.Take(2'000'000, 1'000'000);
  // 3 s late at 2 Mbit/s would be 750 kB: a stalled worker must not burst that onto the path.
  EXPECT_EQ(b.Take(2'000'000, 4'000'000), PaddingBudget::kMaxBytesPerTick);
  // 200 ms at 100 kbit/s: 2500 bytes, under the cap.
  EXPECT_EQ(b.Take(100'000, 4'200'000), 2500u);
  // A clock that goes backwards owes nothing.
  EXPECT_EQ(b.Take(100'000, 4'100'000), 0u);
}

}  // namespace
}  // namespace medicall::media::bwe
