#include <utility>

#include "cluster/SignalingProxy.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>

#include "common/Logger.hpp"

namespace medicall::cluster {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// SDK reconnects on 4500-4599 (chime-protocol-2.md section 2.1).
constexpr uint16_t kHostLost = 4500;

class Relay : public std::enable_shared_from_this<Relay> {
 public:
  Relay(asio::io_context& ioc, std::shared_ptr<net::WebSocketConnection> client)
      : resolver_(ioc), upstream_(ioc), client_(std::move(client)) {}

  void Run(const std::string& host, const std::string& port, const std::string& target,
           const std::string& subprotocols, const std::string& relaySecret) {
    auto self = shared_from_this();
    std::weak_ptr<Relay> weak = self;
    // The relay lives as long as the client's handlers hold it (until the client closes) and any
    // pending upstream operation does.
    client_->Start(
        {[self](std::string_view data, bool binary) { self->FromClient(std::string(data), binary); },
         [self](uint16_t code, std::string reason) { self->ClientClosed(code, std::move(reason)); }});
    host_ = host + ":" + port;
    target_ = target;
    subprotocols_ = subprotocols;
    relaySecret_ = relaySecret;
    resolver_.async_resolve(host, port, [self](beast::error_code ec, tcp::resolver::results_type results) {
      if (ec) return self->Lost("resolve", ec);
      beast::get_lowest_layer(self->upstream_).expires_after(std::chrono::seconds(5));
      beast::get_lowest_layer(self->upstream_)
          .async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2) return self->Lost("connect", ec2);
            self->Handshake();
          });
    });
  }

 private:
  void Handshake() {
    auto self = shared_from_this();
    upstream_.set_option(
        websocket::stream_base::decorator([protocols = subprotocols_](websocket::request_type& r) {
          r.set(beast::http::field::sec_websocket_protocol, protocols);
          r.set("X-MediCall-Relayed", "1");  // the host serves it itself, never relays it again
        }));
    upstream_.async_handshake(host_, target_, [self](beast::error_code ec) {
      if (ec) return self->Lost("handshake", ec);
      beast::get_lowest_layer(self->upstream_).expires_never();
      self->upstream_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
      self->open_ = true;
      if (self->clientClosed_) return self->CloseUpstream();
      self->Read();
      self->Write();
    });
  }

  void Read() {
    auto self = shared_from_this();
    upstream_.async_read(buffer_, [self](beast::error_code ec, size_t) {
      if (ec) {
        if (ec == websocket::error::closed) {
          const auto& reason = self->upstream_.reason();
          return self->client_->Close(static_cast<uint16_t>(reason.code), std::string(reason.reason.c_str()));
        }
        return self->Lost("read", ec);
      }
      self->client_->Send(beast::buffers_to_string(self->buffer_.data()), self->upstream_.got_binary());
      self->buffer_.consume(self->buffer_.size());
      self->Read();
    });
  }

  void FromClient(std::string data, bool binary) {
    if (queue_.size() > 1024) return client_->Close(1008, "relay queue full");
    queue_.emplace_back(std::move(data), binary);
    if (open_) Write();
  }

  void Write() {
    if (writing_ || queue_.empty() || !open_ || closing_) return;
    writing_ = true;
    upstream_.binary(queue_.front().second);
    auto self = shared_from_this();
    upstream_.async_write(asio::buffer(queue_.front().first), [self](beast::error_code ec, size_t) {
      self->writing_ = false;
      if (ec) return self->Lost("write", ec);
      self->queue_.pop_front();
      self->Write();
    });
  }

  void ClientClosed(uint16_t code, std::string reason) {
    clientClosed_ = true;
    closeCode_ = code == 1006 || code == 1005 || code == 1015 ? 1000 : code;
    closeReason_ = std::move(reason);
    if (open_)
      CloseUpstream();
    else
      resolver_.cancel();
  }

  void CloseUpstream() {
    if (closing_) return;
    closing_ = true;
    auto self = shared_from_this();
    upstream_.async_close(
        websocket::close_reason(static_cast<websocket::close_code>(closeCode_), closeReason_),
        [self](beast::error_code) {});
  }

  void Lost(const char* where, const beast::error_code& ec) {
    if (clientClosed_ || lost_) return;
    lost_ = true;
    log::Warn("cluster", "signaling relay to {}: {} failed ({}): telling the client to reconnect", host_,
              where, ec.message());
    client_->Close(kHostLost, "meeting host lost: reconnect");
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> upstream_;
  std::shared_ptr<net::WebSocketConnection> client_;
  beast::flat_buffer buffer_;
  std::deque<std::pair<std::string, bool>> queue_;
  std::string host_, target_, subprotocols_, relaySecret_;
  std::string closeReason_;
  uint16_t closeCode_ = 1000;
  bool open_ = false, writing_ = false, closing_ = false, clientClosed_ = false, lost_ = false;
};

}  // namespace

void SignalingProxy::Start(asio::io_context& ioc, std::shared_ptr<net::WebSocketConnection> client,
                           const std::string& hostUrl, const std::string& target,
                           const std::string& subprotocols, const std::string& relaySecret) {
  std::string authority =
      hostUrl.substr(hostUrl.find("://") == std::string::npos ? 0 : hostUrl.find("://") + 3);
  if (const auto slash = authority.find('/'); slash != std::string::npos) authority.resize(slash);
  std::string host = authority, port = "80";
  if (const auto colon = authority.rfind(':'); colon != std::string::npos && authority.back() != ']') {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  std::make_shared<Relay>(ioc, std::move(client))->Run(host, port, target, subprotocols, relaySecret);
}

}  // namespace medicall::cluster
