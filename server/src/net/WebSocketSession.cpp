#include "net/WebSocketSession.hpp"

#include <boost/asio/post.hpp>

#include "common/Logger.hpp"

namespace medicall::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

WebSocketSession::WebSocketSession(beast::tcp_stream stream, std::string remoteAddress)
    : ws_(std::move(stream)), remoteAddress_(std::move(remoteAddress)) {}

WebSocketSession::~WebSocketSession() = default;

void WebSocketSession::Accept(Request request, std::string subprotocol,
                              std::function<void(std::shared_ptr<WebSocketConnection>)> onOpen) {
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(kMaxMessageBytes);
  ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::response_type& res) {
    res.set(beast::http::field::server, "medicall");
    if (!subprotocol.empty()) res.set(beast::http::field::sec_websocket_protocol, subprotocol);
  }));
  auto req = std::make_shared<Request>(std::move(request));
  ws_.async_accept(*req, [self = shared_from_this(), req, onOpen = std::move(onOpen)](beast::error_code ec) {
    if (ec) {
      log::Debug("http", "WebSocket handshake failed from {}: {}", self->remoteAddress_, ec.message());
      return;
    }
    if (onOpen)
      onOpen(self);
    else
      self->Close(1011, "no handler");
  });
}

void WebSocketSession::Start(Handlers handlers) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), handlers = std::move(handlers)]() mutable {
    self->handlers_ = std::move(handlers);
    self->Read();
  });
}

void WebSocketSession::Read() {
  ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
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

void WebSocketSession::Send(std::string data, bool binary) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), data = std::move(data), binary]() mutable {
    if (self->closing_ || self->finished_ || self->pendingClose_) return;
    self->queuedBytes_ += data.size();
    if (self->queuedBytes_ > kMaxQueuedBytes) {
      log::Warn("http", "WebSocket peer {} is not reading; closing", self->remoteAddress_);
      self->queue_.clear();
      self->queuedBytes_ = 0;
      return self->Close(1008, "send queue overflow");
    }
    self->queue_.push_back({std::move(data), binary});
    if (!self->writing_) self->WriteNext();
  });
}

void WebSocketSession::WriteNext() {
  if (closing_) return;
  if (queue_.empty()) {
    writing_ = false;
    if (pendingClose_) StartClose();
    return;
  }
  writing_ = true;
  ws_.binary(queue_.front().binary);
  ws_.async_write(asio::buffer(queue_.front().data),
                  [self = shared_from_this()](beast::error_code ec, std::size_t) {
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

void WebSocketSession::Close(uint16_t code, std::string reason) {
  asio::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
    if (self->closing_ || self->finished_ || self->pendingClose_) return;
    // Queued frames (e.g. a final status frame) go out before the close frame.
    self->pendingClose_.emplace(code, std::move(reason));
    if (!self->writing_) self->WriteNext();
  });
}

void WebSocketSession::StartClose() {
  closing_ = true;
  websocket::close_reason cr(static_cast<websocket::close_code>(pendingClose_->first), pendingClose_->second);
  ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {
    self->Finish(self->pendingClose_->first, self->pendingClose_->second);
  });
}

void WebSocketSession::Finish(uint16_t code, std::string reason) {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  if (handlers_.onClose) {
    auto onClose = std::move(handlers_.onClose);
    handlers_ = {};
    onClose(code, std::move(reason));
  }
}

}  // namespace medicall::net
