#include "net/MediaWorker.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>

#include "common/Logger.hpp"

namespace medicall::net {

MediaWorker::MediaWorker(std::string name)
    : name_(std::move(name)), guard_(boost::asio::make_work_guard(context_)) {}

MediaWorker::~MediaWorker() { Stop(); }

void MediaWorker::Start() {
  if (thread_.joinable()) return;
  running_ = true;
  thread_ = std::thread([this] {
    threadId_ = std::this_thread::get_id();
    pthread_setname_np(pthread_self(), name_.substr(0, 15).c_str());
    for (;;) {
      try {
        context_.run();
        break;
      } catch (const std::exception& e) {
        // A handler threw: log and keep the worker alive for the other sessions.
        log::Error("media", "worker {}: handler threw: {}", name_, e.what());
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

void MediaWorker::Post(std::function<void()> task) { boost::asio::post(context_, std::move(task)); }

}  // namespace medicall::net
