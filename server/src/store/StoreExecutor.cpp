#include "store/StoreExecutor.hpp"

#include <exception>
#include <utility>

#include "common/Logger.hpp"

namespace medicall::store {

StoreExecutor::StoreExecutor() : thread_([this] { Run(); }) {}

StoreExecutor::~StoreExecutor() { Stop(); }

void StoreExecutor::Post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(task));
      wake_.notify_one();
      return;
    }
  }
  RunGuarded(task);
}

void StoreExecutor::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopping_ = stopped_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

size_t StoreExecutor::Pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void StoreExecutor::Run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything posted has run
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    RunGuarded(task);
  }
}

void StoreExecutor::RunGuarded(const std::function<void()>& task) {
  try {
    task();
  } catch (const std::exception& e) {
    log::Error("store", "store task failed: {}", e.what());
  } catch (...) {
    log::Error("store", "store task failed");
  }
}

}  // namespace medicall::store
