#include "store/StoreExecutor.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

namespace medicall::store {
namespace {

TEST(StoreExecutorTest, RunsTasksInOrderOnItsOwnThread) {
  StoreExecutor executor;
  std::vector<int> order;
  std::thread::id ranOn;
  for (int i = 0; i < 100; ++i) executor.Post([&order, i] { order.push_back(i); });
  std::promise<void> done;
  executor.Post([&] {
    ranOn = std::this_thread::get_id();
    done.set_value();
  });
  done.get_future().wait();
  EXPECT_NE(ranOn, std::this_thread::get_id());
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[static_cast<size_t>(i)], i);
}

TEST(StoreExecutorTest, PostReturnsWhileATaskIsStalled) {
  StoreExecutor executor;
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> ran{0};
  executor.Post([gate, &ran] {
    gate.wait();  // a write stuck on the disk
    ++ran;
  });
  executor.Post([&ran] { ++ran; });  // queued behind it; the poster does not wait
  EXPECT_EQ(ran.load(), 0);
  EXPECT_GE(executor.Pending(), 1u);
  release.set_value();
  executor.Stop();
  EXPECT_EQ(ran.load(), 2);
}

TEST(StoreExecutorTest, StopRunsWhatWasQueuedAndLaterPostsRunInline) {
  std::atomic<int> ran{0};
  StoreExecutor executor;
  for (int i = 0; i < 10; ++i) executor.Post([&ran] { ++ran; });
  executor.Stop();
  EXPECT_EQ(ran.load(), 10);
  std::thread::id ranOn;
  executor.Post([&] { ranOn = std::this_thread::get_id(); });
  EXPECT_EQ(ranOn, std::this_thread::get_id());
  executor.Stop();  // idempotent
}

TEST(StoreExecutorTest, ATaskThatThrowsDoesNotStopTheNext) {
  StoreExecutor executor;
  std::promise<void> done;
  executor.Post([] { throw std::runtime_error("disk full"); });
  executor.Post([&] { done.set_value(); });
  EXPECT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
}

}  // namespace
}  // namespace medicall::store
