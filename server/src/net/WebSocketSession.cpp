#include "net/WebSocketSession.hpp"

#include <boost/asio/post.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include "common/Logger.hpp"

namespace medicall::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

template <typename NextLayer>
WebSocketSession<NextLayer>::WebSocketSession(NextLayer stream, std::string remoteAddress,
                                              std::shared_ptr<void> slot)
    : ws_(std::move(stream)),
      closeTimer_(ws_.get_executor()),
      slot_(std::move(slot)),
      remoteAddress_(std::move(remoteAddress)) {}

template <typename NextLayer>
WebSocketSession<NextLayer>::~WebSocketSession() = default;

template <typename NextLayer>
void WebSocketSession<NextLayer>::Accept(Request request, std::string subprotocol,
                                         std::function<void(std::shared_ptr<WebSocketConnection>)> onOpen) {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(kMaxMessageBytes);
  ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
    res.set(beast::http::field::server, "medicall");
    if (!subprotocol.empty()) res.set(beast::http::field::sec_websocket_protocol, subprotocol);
  }));
  auto req = std::make_shared<Request>(std::move(request));
  ws_.async_accept(
      *req, [self = this->shared_from_this(), req, onOpen = std::move(onOpen)](beast::error_code ec) {
        if (ec) {
          log::Debug("http", "WebSocket handshake failed from {}: {}", self->remoteAddress_, ec.message());
          return;
        }
        self->open_ = true;
        if (self->pendingClose_) return self->WriteNext();  // closed (server shutdown) during the handshake
        if (onOpen)
          onOpen(self);
        else
          self->Close(1011, "no handler");
      });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::Start(Handlers handlers) {
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), handlers = std::move(handlers)]() mutable {
    self->handlers_ = std::move(handlers);
    self->Read();
  });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::Read() {
  ws_.async_read(buffer_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) {
      if (ec == websocket::error::closed) {
        const auto& r = self->ws_.reason();
        return self->Finish(r.code, std::string(r.reason.data(), r.reason.size()));
      }
      if (ec == websocket::error::message_too_big) {
        self->Close(1009, "message too big");
        return self->Finish(1009, "message too big");
      }
      return self->Finish(1006, ec.message());
    }
    const auto data = self->buffer_.data();
    std::string_view view(static_cast<const char*>(data.data()), data.size());
    if (self->handlers_.onMessage && !self->closing_) self->handlers_.onMessage(view, self->ws_.got_binary());
    self->buffer_.consume(self->buffer_.size());
    self->Read();
  });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::Send(std::string data, bool binary) {
  asio::post(ws_.get_executor(), [self = this->shared_from_this(), data = std::move(data), binary]() mutable {
    if (self->closing_ || self->finished_ || self->pendingClose_) return;
    if (self->queuedBytes_ + data.size() > kMaxQueuedBytes) {
      log::Warn("http", "WebSocket peer {} is not reading; closing", self->remoteAddress_);
      // Drop what is only queued. The frame being written stays: async_write is still sending from
      // its buffer, which must live until the write completes; then the close frame follows.
      const size_t keep = self->writing_ ? 1 : 0;
      while (self->queue_.size() > keep) self->queue_.pop_back();
      self->queuedBytes_ = keep != 0 ? self->queue_.front().data.size() : 0;
      return self->RequestClose(1008, "send queue overflow");
    }
    self->queuedBytes_ += data.size();
    self->queue_.push_back({std::move(data), binary});
    if (!self->writing_) self->WriteNext();
  });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::WriteNext() {
  if (closing_) return;
  if (queue_.empty()) {
    writing_ = false;
    if (pendingClose_) StartClose();
    return;
  }
  writing_ = true;
  ws_.binary(queue_.front().binary);
  ws_.async_write(asio::buffer(queue_.front().data),
                  [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                    if (!self->queue_.empty()) {
                      self->queuedBytes_ -= self->queue_.front().data.size();
                      self->queue_.pop_front();
                    }
                    if (ec) {
                      self->writing_ = false;
                      return;  // the read side reports the failure
                    }
                    self->WriteNext();
                  });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::Close(uint16_t code, std::string reason) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), code, reason = std::move(reason)]() mutable {
               self->RequestClose(code, std::move(reason));
             });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::RequestClose(uint16_t code, std::string reason) {
  if (closing_ || finished_ || pendingClose_) return;
  // Queued frames (e.g. a final status frame) go out before the close frame.
  pendingClose_.emplace(code, std::move(reason));
  if (!open_) return;  // the handshake is still running; it closes when done
  if (!writing_) return WriteNext();
  // A write is in flight: if the peer does not take it within the deadline, drop the connection
  // (the write then completes with an error, and only then is its buffer released).
  closeTimer_.expires_after(kCloseDeadline);
  closeTimer_.async_wait([self = this->shared_from_this()](beast::error_code ec) {
    if (ec || self->finished_ || self->closing_) return;
    log::Debug("http", "WebSocket peer {} did not take the last frame; dropping", self->remoteAddress_);
    beast::error_code ignored;
    beast::get_lowest_layer(self->ws_).socket().close(ignored);
  });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::StartClose() {
  closing_ = true;
  closeTimer_.cancel();
  websocket::close_reason cr(static_cast<websocket::close_code>(pendingClose_->first), pendingClose_->second);
  ws_.async_close(cr, [self = this->shared_from_this()](beast::error_code) {
    self->Finish(self->pendingClose_->first, self->pendingClose_->second);
  });
}

template <typename NextLayer>
void WebSocketSession<NextLayer>::Finish(uint16_t code, std::string reason) {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  closeTimer_.cancel();
  if (pendingClose_ && code == 1006) {
    // We were closing (and the peer went, or the close deadline dropped it): report our close.
    code = pendingClose_->first;
    reason = pendingClose_->second;
  }
  // The connection is gone: give its place under the connection cap back.
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  slot_.reset();
  if (handlers_.onClose) {
    auto onClose = std::move(handlers_.onClose);
    handlers_ = {};
    onClose(code, std::move(reason));
  }
}

template class WebSocketSession<beast::tcp_stream>;
template class WebSocketSession<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace medicall::net
