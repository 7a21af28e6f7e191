#pragma once
// The real HttpServer on 127.0.0.1 (port 0), run by its own thread, for tests that talk to it
// with raw sockets. Requests to /slow are answered only when their body has arrived (as any
// request); everything else gets 200 "ok". WebSocket upgrades are accepted and handed to onOpen.
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <functional>
#include <future>
#include <memory>
#include <thread>

#include "net/HttpServer.hpp"
#include "net/WebSocketConnection.hpp"

namespace medicall::net::testing {

class HttpServerFixture {
 public:
  using OnOpen = std::function<void(std::shared_ptr<WebSocketConnection>)>;

  HttpServerFixture(HttpServerLimits limits, OnOpen onOpen) : onOpen_(std::move(onOpen)) {
    server_ = std::make_unique<HttpServer>(
        ioc_, limits,
        [](HttpRequest&& request, Responder respond) {
          respond(HttpResponse::Text(200, "ok:" + request.body));
        },
        [this](const HttpRequest&) {
          return WebSocketDecision{0, {}, {}, onOpen_};
        });
    server_->Listen("127.0.0.1", 0);
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~HttpServerFixture() {
    ioc_.stop();
    thread_.join();
  }
  HttpServerFixture(const HttpServerFixture&) = delete;
  HttpServerFixture& operator=(const HttpServerFixture&) = delete;

  uint16_t Port() const { return server_->LocalPort(); }
  HttpServer& Server() { return *server_; }
  // Waits until everything posted to the server's thread before this call has run.
  void Sync() {
    std::promise<void> done;
    boost::asio::post(ioc_, [&done] { done.set_value(); });
    done.get_future().wait();
  }
  // Polls `pred` (any thread) until it holds or `limit` passes.
  template <typename Pred>
  static bool Eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }

 private:
  boost::asio::io_context ioc_;
  OnOpen onOpen_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

}  // namespace medicall::net::testing
