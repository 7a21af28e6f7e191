// /healthz for the media loops: 200 while every worker answers its heartbeat, 503 naming a worker
// that has left one unanswered past the threshold (ManualClock: no waiting for the threshold).
#include "net/WorkerWatchdog.hpp"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>

#include "WorkerTestSupport.hpp"

namespace medicall::net {
namespace {

using medicall::testing::WaitFor;

TEST(WorkerWatchdogTest, HealthzFailsWhileAMediaLoopIsStuck) {
  ManualClock clock;
  MediaWorker fine("media-0");
  MediaWorker stuck("media-1");
  fine.Start();
  stuck.Start();
  WorkerWatchdog watchdog(clock, 5'000'000);
  watchdog.Add(fine);
  watchdog.Add(stuck);

  auto ok = watchdog.Check();
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, R"({"status":"ok"})");

  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> entered;
  stuck.Post([&entered, released] {
    entered.set_value();
    released.wait();  // a handler that does not return
  });
  entered.get_future().wait();
  ASSERT_TRUE(WaitFor(fine, [&] { return fine.StalledUs(clock) == 0; }));
  watchdog.Beat();
  ASSERT_TRUE(WaitFor(fine, [&] { return fine.StalledUs(clock) == 0; }));

  clock.AdvanceMs(4000);  // under the threshold: still healthy
  EXPECT_EQ(watchdog.Check().status, 200);
  clock.AdvanceMs(2000);
  auto failed = watchdog.Check();
  EXPECT_EQ(failed.status, 503);
  const auto body = nlohmann::json::parse(failed.body);
  EXPECT_EQ(body["status"], "stuck");
  EXPECT_EQ(body["workers"], nlohmann::json::array({"media-1"}));

  release.set_value();
  ASSERT_TRUE(WaitFor(stuck, [&] { return stuck.StalledUs(clock) == 0; }));
  EXPECT_EQ(watchdog.Check().status, 200);

  // A stopped worker answers nothing.
  stuck.Stop();
  EXPECT_EQ(watchdog.Stuck(), std::vector<std::string>{"media-1"});
  fine.Stop();
}

}  // namespace
}  // namespace medicall::net
