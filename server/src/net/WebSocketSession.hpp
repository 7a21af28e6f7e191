#pragma once
// Beast implementation of WebSocketConnection. Included only by HttpServer.cpp and
// WebSocketSession.cpp (both compile Beast). All state is touched on the HTTP io_context thread;
// public calls from other threads are posted there.
#include <utility>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/WebSocketConnection.hpp"

namespace medicall::net {

class WebSocketSession : public WebSocketConnection, public std::enable_shared_from_this<WebSocketSession> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  static constexpr size_t kMaxQueuedBytes = 4 * 1024 * 1024;  // a peer that does not read is closed
  static constexpr size_t kMaxMessageBytes = 1024 * 1024;

  WebSocketSession(boost::beast::tcp_stream stream, std::string remoteAddress);
  ~WebSocketSession() override;

  void Accept(Request request, std::string subprotocol,
              std::function<void(std::shared_ptr<WebSocketConnection>)> onOpen);

  void Start(Handlers handlers) override;
  void Send(std::string data, bool binary) override;
  void Close(uint16_t code, std::string reason) override;
  std::string RemoteAddress() const override { return remoteAddress_; }

 private:
  struct Outgoing {
    std::string data;
    bool binary;
  };
  void Read();
  void WriteNext();
  void StartClose();
  void Finish(uint16_t code, std::string reason);

  boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
  boost::beast::flat_buffer buffer_;
  std::string remoteAddress_;
  Handlers handlers_;
  std::deque<Outgoing> queue_;
  size_t queuedBytes_ = 0;
  bool writing_ = false;
  bool closing_ = false;
  bool finished_ = false;
  std::optional<std::pair<uint16_t, std::string>> pendingClose_;
};

}  // namespace medicall::net
