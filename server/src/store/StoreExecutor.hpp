#pragma once
// The thread that does the control plane's store work: the meetings API requests, the expiry
// sweep and the writes the signaling layer asks for (idle time, attendees leaving). A write may
// wait for fsync or SQLite's busy timeout; here it holds up only the work queued behind it, never
// the HTTP/signaling thread (PINGs, SUBSCRIBE answers). Tasks run one at a time in the order
// they were posted.
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace medicall::store {

class StoreExecutor {
 public:
  StoreExecutor();
  // Stop(): the work already posted still runs (acknowledged requests are answered).
  ~StoreExecutor();
  StoreExecutor(const StoreExecutor&) = delete;
  StoreExecutor& operator=(const StoreExecutor&) = delete;

  // Queues `task`. A task that throws is logged and the next one runs. After Stop(), runs `task`
  // on the caller's thread (nothing is lost at shutdown).
  void Post(std::function<void()> task);
  // Runs what is queued, then joins the thread. Idempotent; not from a task.
  void Stop();
  // Tasks queued and not yet started.
  size_t Pending() const;
  bool IsCurrentThread() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  void Run();
  static void RunGuarded(const std::function<void()>& task);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  std::thread thread_;
};

}  // namespace medicall::store
