#pragma once
// Test helpers for code that lives on a media worker: run a function there and wait for its
// result, or poll a condition there until it holds.
#include <chrono>
#include <future>
#include <thread>

#include "net/MediaWorker.hpp"

namespace medicall::testing {

// Runs `f` on the worker and waits for its result.
template <typename F>
auto OnWorker(net::MediaWorker& worker, F f) {
  std::packaged_task<decltype(f())()> task(std::move(f));
  auto future = task.get_future();
  worker.Post([&task] { task(); });
  return future.get();
}

// Polls `pred` on the worker until it returns true or `limit` passes.
template <typename Pred>
bool WaitFor(net::MediaWorker& worker, Pred pred,
             std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (OnWorker(worker, pred)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace medicall::testing
