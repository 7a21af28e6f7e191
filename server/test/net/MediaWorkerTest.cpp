// MediaWorker: the guarded boundary every media handler runs through, and the heartbeat that
// /healthz reads (with a ManualClock, so a stall needs no waiting).
#include "net/MediaWorker.hpp"

#include <gtest/gtest.h>

#include <future>
#include <stdexcept>

#include "WorkerTestSupport.hpp"

namespace medicall::net {
namespace {

using medicall::testing::OnWorker;
using medicall::testing::WaitFor;

TEST(MediaWorkerTest, GuardCountsWhatAHandlerThrowsAndCarriesOn) {
  MediaWorker worker("guard");
  int ran = 0;
  EXPECT_TRUE(worker.Guard("test", [&] { ++ran; }));
  EXPECT_FALSE(worker.Guard("test", [] { throw std::runtime_error("bad packet"); }));
  EXPECT_FALSE(worker.Guard("test", [] { throw 42; }));
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(worker.GetStats().handlerExceptions.load(), 2U);
}

TEST(MediaWorkerTest, APostedTaskThatThrowsDoesNotStopTheLoop) {
  MediaWorker worker("posted");
  worker.Start();
  worker.Post([] { throw std::runtime_error("task failed"); });
  EXPECT_EQ(OnWorker(worker, [] { return 7; }), 7);
  EXPECT_EQ(worker.GetStats().handlerExceptions.load(), 1U);
  worker.Stop();
}

TEST(MediaWorkerTest, HeartbeatReportsHowLongAStuckLoopHasNotAnswered) {
  ManualClock clock;
  MediaWorker worker("beat");
  worker.Start();
  // Answering: a beat is taken at once.
  worker.Heartbeat(clock);
  ASSERT_TRUE(WaitFor(worker, [&] { return worker.GetStats().heartbeats.load() == 1; }));
  EXPECT_EQ(worker.StalledUs(clock), 0);

  // Stuck in a handler: the beat waits, and the wait grows with the clock.
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  worker.Post([&entered, released] {
    entered.set_value();
    released.wait();
  });
  entered.get_future().wait();
  worker.Heartbeat(clock);
  clock.AdvanceMs(2500);
  EXPECT_EQ(worker.StalledUs(clock), 2'500'000);
  worker.Heartbeat(clock);  // one beat waits at a time: its posting time is kept
  clock.AdvanceMs(1000);
  EXPECT_EQ(worker.StalledUs(clock), 3'500'000);

  release.set_value();
  ASSERT_TRUE(WaitFor(worker, [&] { return worker.GetStats().heartbeats.load() == 2; }));
  EXPECT_EQ(worker.StalledUs(clock), 0);
  worker.Stop();
}

}  // namespace
}  // namespace medicall::net
