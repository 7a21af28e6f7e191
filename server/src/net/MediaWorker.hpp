#pragma once
// A media worker: one Asio io_context run by one thread. Everything of a meeting (its transports,
// the UDP socket it receives on) lives on one worker, so the packet path takes no locks; other
// threads talk to it only through Post().
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace medicall::net {

class MediaWorker {
 public:
  explicit MediaWorker(std::string name);
  ~MediaWorker();  // Stop() and join
  MediaWorker(const MediaWorker&) = delete;
  MediaWorker& operator=(const MediaWorker&) = delete;

  // Starts the thread. Idempotent.
  void Start();
  // Stops the loop (pending handlers are abandoned) and joins the thread. Idempotent; do not call
  // from the worker thread itself.
  void Stop();

  boost::asio::io_context& Context() { return context_; }
  const std::string& Name() const { return name_; }
  // Runs `task` on the worker thread.
  void Post(std::function<void()> task);
  // True when called from this worker's thread.
  bool IsCurrentThread() const { return std::this_thread::get_id() == threadId_.load(); }

 private:
  std::string name_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
  std::atomic<std::thread::id> threadId_{};
};

}  // namespace medicall::net
