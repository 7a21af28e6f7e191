#include "media/audio/MixerClock.hpp"

#include <gtest/gtest.h>

namespace medicall::media::audio {
namespace {

TEST(MixerClockTest, TicksOnAFixedGridWithoutAccumulatingTimerLateness) {
  MixerClock clock(1'000'000);
  EXPECT_EQ(clock.Advance(1'000'000).ticks, 1u);
  EXPECT_EQ(clock.Advance(1'010'000).ticks, 0u);
  EXPECT_EQ(clock.NextDeadlineUs(), 1'020'000);
  // Each wake-up is 7 ms late: the next deadline stays on the 20 ms grid.
  for (int i = 1; i <= 100; ++i) {
    const MixerClock::Due due = clock.Advance(1'000'000 + i * 20'000 + 7'000);
    EXPECT_EQ(due.ticks, 1u);
    EXPECT_EQ(due.dropped, 0u);
    EXPECT_EQ(clock.NextDeadlineUs(), 1'000'000 + (i + 1) * 20'000);
  }
  EXPECT_EQ(clock.TicksRun(), 101u);
}

TEST(MixerClockTest, CatchesUpAfterAShortStall) {
  MixerClock clock(0, 20'000, 3);
  clock.Advance(0);
  const MixerClock::Due due = clock.Advance(45'000);  // ticks at 20 and 40 ms are due
  EXPECT_EQ(due.ticks, 2u);
  EXPECT_EQ(due.dropped, 0u);
  EXPECT_EQ(clock.NextDeadlineUs(), 60'000);
}

TEST(MixerClockTest, DropsWhatItCannotCatchUpAfterALongStall) {
  MixerClock clock(0, 20'000, 3);
  clock.Advance(0);
  const MixerClock::Due due = clock.Advance(200'000);  // 20..200 ms: ten ticks due
  EXPECT_EQ(due.ticks, 3u);
  EXPECT_EQ(due.dropped, 7u);
  EXPECT_EQ(clock.NextDeadlineUs(), 220'000);
  EXPECT_EQ(clock.TicksDropped(), 7u);
  EXPECT_EQ(clock.TicksRun(), 4u);
  EXPECT_EQ(clock.Advance(220'000).ticks, 1u);  // and back to normal
}

TEST(MixerClockTest, NothingDueBeforeStart) {
  MixerClock clock(500'000);
  EXPECT_EQ(clock.Advance(499'999).ticks, 0u);
  EXPECT_EQ(clock.TicksRun(), 0u);
}

}  // namespace
}  // namespace medicall::media::audio
