#include "net/MediaWorker.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>

#include "common/Logger.hpp"

namespace medicall::net {

MediaWorker::MediaWorker(std::string name)
    : name_(std::move(name)), guard_(boost::asio::make_work_guard(context_)) {
  toFlush_.reserve(16);
  flushing_.reserve(16);
}

MediaWorker::~MediaWorker() { Stop(); }

void MediaWorker::Start() {
  if (thread_.joinable()) return;
  running_ = true;
  thread_ = std::thread([this] {
    threadId_ = std::this_thread::get_id();
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    for (;;) {
      try {
        // One handler at a time, so that what it batched (FlushAfterHandler) leaves as it returns.
        while (context_.run_one() != 0) RunFlushes();
        break;
      } catch (const std::exception& e) {
        RunFlushes();
        // Only a handler that bypassed Guard() gets here. Its loop did not re-arm; the worker stays
        // alive for the others.
        OnHandlerException("unguarded handler", e.what());
      }
    }
  });
}

void MediaWorker::Stop() {
  running_ = false;
  guard_.reset();
  context_.stop();
  if (thread_.joinable()) thread_.join();
}

void MediaWorker::RunFlushes() {
  if (toFlush_.empty()) return;
  flushing_.swap(toFlush_);  // a FlushBatch may ask again (for the next handler)
  for (const std::weak_ptr<Flushable>& weak : flushing_) {
    if (std::shared_ptr<Flushable> f = weak.lock()) Guard("flush", [&] { f->FlushBatch(); });
  }
  flushing_.clear();
}

void MediaWorker::Post(std::function<void()> task) {
  boost::asio::post(context_, [this, task = std::move(task)] { Guard("posted task", task); });
}

void MediaWorker::OnHandlerException(const char* where, const char* what) noexcept {
  const uint64_t n = ++stats_.handlerExceptions;
  if (n <= 10 || n % 1000 == 0) {
    try {
      log::Error("media", "worker {}: {} threw ({} so far): {}", name_, where, n, what);
    } catch (...) {
      // Logging must not turn a caught fault into an escaped one.
    }
  }
}

void MediaWorker::Heartbeat(const Clock& clock) {
  int64_t expected = kNoBeat;
  if (!beatPostedUs_.compare_exchange_strong(expected, clock.NowUs())) return;  // one is waiting
  boost::asio::post(context_, [this] {
    beatPostedUs_ = kNoBeat;
    ++stats_.heartbeats;
  });
}

int64_t MediaWorker::StalledUs(const Clock& clock) const {
  const int64_t posted = beatPostedUs_.load();
  if (posted == kNoBeat) return 0;
  const int64_t waited = clock.NowUs() - posted;
  return waited > 0 ? waited : 0;
}

}  // namespace medicall::net
