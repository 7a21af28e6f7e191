#pragma once
// Beast implementation of WebSocketConnection, over plain TCP (ws://) or TLS (wss://): NextLayer
// is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>, both instantiated in
// WebSocketSession.cpp. Included only by HttpServer.cpp and WebSocketSession.cpp (both compile
// Beast). All state is touched on the HTTP io_context thread; public calls from other threads are
// posted there.
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "net/WebSocketConnection.hpp"

namespace medicall::net {

template <typename NextLayer>
class WebSocketSession : public WebSocketConnection,
                         public std::enable_shared_from_this<WebSocketSession<NextLayer>> {
 public:
  using Request = boost::beast::http::request<boost::beast::http::string_body>;
  static constexpr size_t kMaxQueuedBytes = WebSocketConnection::kMaxQueuedBytes;
  static constexpr size_t kMaxMessageBytes = 1024 * 1024;
  // A close that waits behind a write the peer never lets finish tears the connection down then.
  static constexpr auto kCloseDeadline = std::chrono::seconds(5);

  // `slot` holds this connection's place under the server's connection cap: it is released when
  // the connection is finished (or this object destroyed).
  WebSocketSession(NextLayer stream, std::string remoteAddress, std::shared_ptr<void> slot);
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
  // On the executor: queue the close after the frames already queued.
  void RequestClose(uint16_t code, std::string reason);
  void StartClose();
  void Finish(uint16_t code, std::string reason);

  boost::beast::websocket::stream<NextLayer> ws_;
  boost::asio::steady_timer closeTimer_;
  std::shared_ptr<void> slot_;
  boost::beast::flat_buffer buffer_;
  std::string remoteAddress_;
  Handlers handlers_;
  std::deque<Outgoing> queue_;
  size_t queuedBytes_ = 0;
  bool writing_ = false;  // queue_.front() is being written: its buffer must live until completion
  bool open_ = false;     // the opening handshake has completed
  bool closing_ = false;
  bool finished_ = false;
  std::optional<std::pair<uint16_t, std::string>> pendingClose_;
};

}  // namespace medicall::net
