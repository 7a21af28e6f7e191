#pragma once
// A media worker: one Asio io_context run by one thread. Everything of a meeting (its transports,
// the UDP socket it receives on) lives on one worker, so the packet path takes no locks; other
// threads talk to it only through Post().
//
// Faults: every per-datagram and per-tick handler, and every posted task, runs through Guard():
// an exception is caught at that boundary, counted and logged, and the loop that called it (a
// socket's receive, a timer's tick) has already re-armed, so one bad packet cannot deafen the port.
// Liveness: Heartbeat() posts a beat; StalledUs() says how long an unanswered beat has waited, so
// /healthz can fail when a loop is stuck (a handler that never returns).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>
#include <utility>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "common/Clock.hpp"

namespace medicall::net {

class MediaWorker {
 public:
  // Memory for one recurring asynchronous operation (a socket's receive loop, a timer's wait):
  // Asio keeps only one recycled block per thread, so a worker with several operations in flight
  // would allocate per completion. Wrap the handler with Bind(slot, handler) and the operation
  // lives in the slot instead (heap only if the slot is busy or too small). The slot is shared
  // with every copy of the allocator, so it outlives operations destroyed at shutdown.
  class HandlerSlot {
   public:
    void* Allocate(std::size_t size) {
      if (!inUse_ && size <= sizeof(storage_)) {
        inUse_ = true;
        return storage_;
      }
      return ::operator new(size);
    }
    void Deallocate(void* pointer) {
      if (pointer == storage_) {
        inUse_ = false;
      } else {
        ::operator delete(pointer);
      }
    }

   private:
    alignas(std::max_align_t) unsigned char storage_[1024];
    bool inUse_ = false;
  };

  template <typename T>
  class SlotAllocator {
   public:
    using value_type = T;
    explicit SlotAllocator(std::shared_ptr<HandlerSlot> slot) noexcept : slot_(std::move(slot)) {}
    template <typename U>
    SlotAllocator(const SlotAllocator<U>& other) noexcept : slot_(other.slot_) {}
    // NOLINTNEXTLINE(readability-identifier-naming): the standard allocator interface
    T* allocate(std::size_t n) { return static_cast<T*>(slot_->Allocate(sizeof(T) * n)); }
    // NOLINTNEXTLINE(readability-identifier-naming)
    void deallocate(T* pointer, std::size_t) { slot_->Deallocate(pointer); }
    template <typename U>
    bool operator==(const SlotAllocator<U>& other) const noexcept {
      return slot_ == other.slot_;
    }

   private:
    template <typename>
    friend class SlotAllocator;
    std::shared_ptr<HandlerSlot> slot_;
  };

  template <typename Handler>
  class SlotHandler {
   public:
    using allocator_type = SlotAllocator<Handler>;
    SlotHandler(std::shared_ptr<HandlerSlot> slot, Handler handler)
        : slot_(std::move(slot)), handler_(std::move(handler)) {}
    // NOLINTNEXTLINE(readability-identifier-naming): Asio's associated-allocator hook
    allocator_type get_allocator() const noexcept { return allocator_type(slot_); }
    template <typename... Args>
    void operator()(Args&&... args) {
      handler_(std::forward<Args>(args)...);
    }

   private:
    std::shared_ptr<HandlerSlot> slot_;
    Handler handler_;
  };

  template <typename Handler>
  static SlotHandler<std::decay_t<Handler>> Bind(const std::shared_ptr<HandlerSlot>& slot,
                                                 Handler&& handler) {
    return SlotHandler<std::decay_t<Handler>>(slot, std::forward<Handler>(handler));
  }

  // Output held back until the handler that produced it returns (UdpSocket's batched sends): the
  // worker calls FlushBatch() after each handler, for every Flushable that asked during it.
  class Flushable {
   public:
    virtual void FlushBatch() = 0;

   protected:
    ~Flushable() = default;
  };

  struct Stats {
    std::atomic<uint64_t> handlerExceptions{0};  // caught by Guard()
    std::atomic<uint64_t> heartbeats{0};         // beats answered
  };

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
  // Runs `task` on the worker thread (through Guard).
  void Post(std::function<void()> task);
  // Worker thread only (or before Start): f->FlushBatch() once the running handler returns, before
  // the next one. Ask once per batch. A Flushable that is gone by then is skipped. No allocation
  // once the list has grown to the number of Flushables.
  void FlushAfterHandler(std::weak_ptr<Flushable> f) { toFlush_.push_back(std::move(f)); }

  // Runs `f()` on the calling (worker) thread. What it throws is counted in Stats, logged (the
  // first few, then one in 1000) and swallowed; returns false when it threw. `where` names the
  // boundary in the log ("udp receive", "demuxer tick", ...). Callers re-arm their loop first.
  template <typename F>
  bool Guard(const char* where, F&& f) noexcept {
    try {
      std::forward<F>(f)();
      return true;
    } catch (const std::exception& e) {
      OnHandlerException(where, e.what());
    } catch (...) {
      OnHandlerException(where, "unknown exception");
    }
    return false;
  }

  // Any thread. Posts a beat unless one is already waiting (its posting time is kept).
  void Heartbeat(const Clock& clock);
  // Any thread. How long the waiting beat has waited (0 when none is waiting).
  int64_t StalledUs(const Clock& clock) const;
  const Stats& GetStats() const { return stats_; }
  // True between Start() and Stop() (tasks posted now will run).
  bool IsRunning() const { return running_.load(); }
  // True when called from this worker's thread.
  bool IsCurrentThread() const { return std::this_thread::get_id() == threadId_.load(); }

 private:
  std::string name_;
  boost::asio::io_context context_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> guard_;
  std::thread thread_;
  std::atomic<std::thread::id> threadId_{};
  std::atomic<bool> running_{false};
  static constexpr int64_t kNoBeat = INT64_MIN;
  std::atomic<int64_t> beatPostedUs_{kNoBeat};
  Stats stats_;
  std::vector<std::weak_ptr<Flushable>> toFlush_;  // worker thread
  std::vector<std::weak_ptr<Flushable>> flushing_;

  void RunFlushes();
  void OnHandlerException(const char* where, const char* what) noexcept;
};

}  // namespace medicall::net
