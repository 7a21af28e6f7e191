// Boost.Beast HTTP/1.1 + WebSocket server. The only translation unit (with WebSocketSession.cpp)
// that compiles Beast's HTTP parser; handlers only see plain HttpRequest/HttpResponse values.
#include <utility>  // before Asio (std::exchange with g++ 12)

#include "net/HttpServer.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <array>
#include <atomic>
#include <deque>
#include <list>
#include <mutex>
#include <optional>

#include "common/Logger.hpp"
#include "net/WebSocketSession.hpp"

namespace medicall::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {
const char* StatusReason(int status) {
  return beast::http::obsolete_reason(static_cast<http::status>(status)).data();
}
}  // namespace

// What Shutdown needs of an HTTP session, whichever stream it runs on.
class HttpSessionBase {
 public:
  virtual ~HttpSessionBase() = default;
  virtual void CloseIfIdle() = 0;
};

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  Impl(asio::io_context& ioc, HttpServerLimits l, HttpHandler h, WebSocketAcceptor w)
      : ioc(ioc),
        acceptor(ioc),
        drainTimer(ioc),
        limits(l),
        handler(std::move(h)),
        wsAcceptor(std::move(w)) {}

  asio::io_context& ioc;
  tcp::acceptor acceptor;
  asio::steady_timer drainTimer;
  HttpServerLimits limits;
  HttpHandler handler;
  WebSocketAcceptor wsAcceptor;
  HttpServerStats stats;
  bool shuttingDown = false;
  bool webSocketsClosed = false;  // Shutdown: the close below has been sent
  uint16_t closeCode = 1001;
  std::string closeReason;
  // Live connections, so Shutdown can close idle ones. Only touched on the io_context thread.
  std::list<std::weak_ptr<HttpSessionBase>> sessions;
  std::list<std::weak_ptr<WebSocketConnection>> webSockets;
  // TLS on: the context new connections use (replaced by UseTls; sessions keep theirs).
  std::shared_ptr<ssl::context> tls;

  void Accept();
  void StartShutdown(uint16_t code, std::string reason);
  // Shutdown: called as HTTP sessions go; closes the WebSockets once none is left.
  void OnHttpSessionGone();
  void CloseWebSockets();
};

namespace {
// A connection's place under the cap, counted while alive. Held by the HTTP session, then by the
// WebSocket session it is upgraded to.
struct ConnectionSlot {
  explicit ConnectionSlot(std::shared_ptr<HttpServer::Impl> s) : server(std::move(s)) {
    ++server->stats.connectionsOpen;
  }
  ~ConnectionSlot() { --server->stats.connectionsOpen; }
  ConnectionSlot(const ConnectionSlot&) = delete;
  ConnectionSlot& operator=(const ConnectionSlot&) = delete;
  std::shared_ptr<HttpServer::Impl> server;
};

struct WebSocketSlot {
  WebSocketSlot(std::shared_ptr<ConnectionSlot> c, std::shared_ptr<void> k)
      : connection(std::move(c)), keep(std::move(k)) {
    ++connection->server->stats.webSocketsOpen;
  }
  ~WebSocketSlot() { --connection->server->stats.webSocketsOpen; }
  WebSocketSlot(const WebSocketSlot&) = delete;
  WebSocketSlot& operator=(const WebSocketSlot&) = delete;
  std::shared_ptr<ConnectionSlot> connection;
  std::shared_ptr<void> keep;  // the TLS context of a WSS connection
};

tcp::socket& SocketOf(beast::tcp_stream& stream) { return stream.socket(); }
tcp::socket& SocketOf(TlsStream& stream) { return beast::get_lowest_layer(stream).socket(); }
}  // namespace

// One connection (plain TCP or TLS): reads requests one by one (keep-alive), hands each to the
// handler, writes the response, and either reads the next one or upgrades to WebSocket.
template <typename Stream>
class HttpSession : public HttpSessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  // `buffer` holds bytes already read (TLS detection); `tls` keeps a TLS stream's context alive.
  HttpSession(Stream stream, std::shared_ptr<HttpServer::Impl> server, std::shared_ptr<ConnectionSlot> slot,
              beast::flat_buffer buffer, std::shared_ptr<ssl::context> tls)
      : stream_(std::move(stream)),
        buffer_(std::move(buffer)),
        server_(std::move(server)),
        slot_(std::move(slot)),
        tls_(std::move(tls)) {
    beast::error_code ec;
    auto ep = SocketOf(stream_).remote_endpoint(ec);
    if (!ec) {
      remoteAddress_ = ep.address().to_string();
      remoteIsLoopback_ =
          ep.address().is_loopback() || (ep.address().is_v6() && ep.address().to_v6().is_v4_mapped() &&
                                         ep.address().to_v6().to_v4().is_loopback());
    }
  }
  ~HttpSession() override {
    slot_.reset();
    try {
      if (server_->shuttingDown) server_->OnHttpSessionGone();
    } catch (const std::exception& e) {
      // Only allocation or timer failures get here; the drain deadline still closes the WebSockets.
      log::Error("http", "shutdown: closing WebSockets failed: {}", e.what());
    }
  }

  void Start() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      // The handshake (its first bytes are in buffer_ already) counts as busy: not idle yet.
      busy_ = true;
      Lowest().expires_after(std::chrono::seconds(server_->limits.requestTimeoutSeconds));
      stream_.async_handshake(ssl::stream_base::server, buffer_.data(),
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t used) {
                                if (ec) {
                                  log::Debug("http", "TLS handshake from {} failed: {}", self->remoteAddress_,
                                             ec.message());
                                  return self->Close();
                                }
                                self->buffer_.consume(used);
                                self->ReadRequest();
                              });
    } else {
      ReadRequest();
    }
  }

  // Closes the connection if it is idle between requests (used by Shutdown). A request whose
  // first bytes have arrived is in flight: it is finished and answered with Connection: close.
  void CloseIfIdle() override {
    if (streaming_ || (!busy_ && !(parser_ && parser_->got_some()))) {
      streamClosed_ = true;
      beast::error_code ec;
      SocketOf(stream_).shutdown(tcp::socket::shutdown_both, ec);
      Lowest().close();
    }
  }

 private:
  void ReadRequest() {
    busy_ = false;
    if (server_->shuttingDown) return CloseIfIdle();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.maxHeaderBytes));
    parser_->body_limit(server_->limits.maxBodyBytes);
    Lowest().expires_after(std::chrono::seconds(server_->limits.requestTimeoutSeconds));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    busy_ = true;
    if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
        ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == ssl::error::stream_truncated) {
      if (ec == beast::error::timeout && parser_ && parser_->got_some()) server_->stats.requestsRejected++;
      return Close();
    }
    if (ec == http::error::body_limit) {
      server_->stats.requestsRejected++;
      return WriteError(413, "PayloadTooLarge", "request body exceeds the limit");
    }
    if (ec == http::error::header_limit) {
      server_->stats.requestsRejected++;
      return WriteError(431, "RequestHeaderFieldsTooLarge", "request headers exceed the limit");
    }
    if (ec) {
      server_->stats.requestsRejected++;
      log::Debug("http", "bad request from {}: {}", remoteAddress_, ec.message());
      return WriteError(400, "BadRequest", "malformed HTTP request");
    }

    auto& req = parser_->get();
    keepAlive_ = req.keep_alive() && !server_->shuttingDown;

    HttpRequest r;
    if (!ToPlainRequest(req, r)) {
      server_->stats.requestsRejected++;
      return WriteError(400, "BadRequest", "malformed request target");
    }

    if (beast::websocket::is_upgrade(req)) {
      if (server_->shuttingDown) return WriteError(503, "ServiceUnavailable", "server shutting down");
      return Upgrade(std::move(r));
    }

    // The handler may answer from any thread; hop back to this connection's executor.
    auto self = this->shared_from_this();
    Responder respond = [self](HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    };
    try {
      server_->handler(std::move(r), std::move(respond));
    } catch (const std::exception& e) {
      log::Error("http", "handler threw: {}", e.what());
      Write(HttpResponse::AwsError(500, "ServiceFailureException", "internal error"));
    }
  }

  bool ToPlainRequest(const http::request<http::string_body>& req, HttpRequest& r) {
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    if (r.target.empty() || r.target[0] != '/') return false;
    const auto q = r.target.find('?');
    r.rawPath = r.target.substr(0, q);
    r.rawQuery = q == std::string::npos ? std::string() : r.target.substr(q + 1);
    auto path = PercentDecode(r.rawPath, false);
    auto query = ParseQuery(r.rawQuery);
    if (!path || !query) return false;
    r.path = std::move(*path);
    r.query = std::move(*query);
    for (const auto& field : req) r.headers[std::string(field.name_string())] = std::string(field.value());
    r.body = req.body();
    r.remoteAddress = remoteAddress_;
    r.remoteIsLoopback = remoteIsLoopback_;
    return true;
  }

  void WriteError(int status, const char* code, const char* message) {
    keepAlive_ = false;
    HttpResponse r = HttpResponse::Json(
        status, std::string("{\"error\":\"") + code + "\",\"message\":\"" + message + "\"}");
    Write(std::move(r));
  }

  void Write(HttpResponse response) {
    if (response.onStream) return StartStream(std::move(response));
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(11);
    res->result(static_cast<unsigned>(response.status));
    res->reason(StatusReason(response.status));
    res->set(http::field::server, "medicall");
    for (auto& [k, v] : response.headers) res->insert(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keepAlive_ && !server_->shuttingDown);
    res->prepare_payload();
    Lowest().expires_after(std::chrono::seconds(server_->limits.requestTimeoutSeconds));
    http::async_write(stream_, *res,
                      [self = this->shared_from_this(), res](beast::error_code ec, std::size_t) {
                        if (ec || !res->keep_alive()) return self->Close();
                        self->ReadRequest();
                      });
  }

  // A streamed response (server-sent events): the headers without a length (the body ends with the
  // connection), then each Send in order. The client sends nothing more: a read completing with an
  // error (it closed) ends the stream. No timeout while it lasts.
  class Streamer final : public ResponseStream {
   public:
    explicit Streamer(std::shared_ptr<HttpSession> session) : session_(std::move(session)) {}
    void Send(std::string bytes) override {
      auto session = session_.lock();
      if (!session || closed_.load()) return;
      asio::post(session->stream_.get_executor(), [session, bytes = std::move(bytes)]() mutable {
        session->QueueStreamBytes(std::move(bytes));
      });
    }
    bool Closed() const override { return closed_.load() || session_.expired(); }
    void Close() override {
      if (auto session = session_.lock()) {
        asio::post(session->stream_.get_executor(), [session] { session->EndStream(); });
      }
    }
    std::atomic<bool> closed_{false};

   private:
    std::weak_ptr<HttpSession> session_;
  };

  void StartStream(HttpResponse response) {
    streaming_ = true;
    keepAlive_ = false;
    Lowest().expires_never();
    std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + StatusReason(response.status) +
                       "\r\nServer: medicall\r\n";
    for (const auto& [k, v] : response.headers) head += k + ": " + v + "\r\n";
    head += "Connection: close\r\n\r\n" + response.body;
    streamer_ = std::make_shared<Streamer>(this->shared_from_this());
    QueueStreamBytes(std::move(head));
    WatchStreamClose();
    try {
      response.onStream(streamer_);
    } catch (const std::exception& e) {
      log::Error("http", "stream handler threw: {}", e.what());
      EndStream();
    }
  }

  void QueueStreamBytes(std::string bytes) {
    if (streamClosed_) return;
    streamQueue_.push_back(std::move(bytes));
    if (streamQueue_.size() == 1) WriteStreamFront();
  }

  void WriteStreamFront() {
    asio::async_write(stream_, asio::buffer(streamQueue_.front()),
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->EndStream();
                        self->streamQueue_.pop_front();
                        if (!self->streamQueue_.empty() && !self->streamClosed_) self->WriteStreamFront();
                      });
  }

  void WatchStreamClose() {
    stream_.async_read_some(asio::buffer(streamReadBuffer_),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->EndStream();
                              self->WatchStreamClose();  // ignore what the client sends
                            });
  }

  void EndStream() {
    if (streamClosed_ && !Lowest().socket().is_open()) return;
    streamClosed_ = true;
    if (streamer_) streamer_->closed_ = true;
    Close();
  }

  void Upgrade(HttpRequest r) {
    WebSocketDecision decision;
    try {
      decision =
          server_->wsAcceptor ? server_->wsAcceptor(r) : WebSocketDecision{404, "no WebSocket here", {}, {}};
    } catch (const std::exception& e) {
      log::Error("http", "WebSocket acceptor threw: {}", e.what());
      decision = WebSocketDecision{500, "internal error", {}, {}};
    }
    if (decision.refuseStatus != 0) {
      keepAlive_ = false;
      return Write(HttpResponse::Text(decision.refuseStatus, decision.refuseBody));
    }
    Lowest().expires_never();
    auto ws = std::make_shared<WebSocketSession<Stream>>(
        std::move(stream_), remoteAddress_, std::make_shared<WebSocketSlot>(std::move(slot_), tls_));
    server_->webSockets.push_back(ws);
    ws->Accept(parser_->release(), decision.subprotocol, std::move(decision.onOpen));
  }

  // TLS: the TCP connection is shut down without a close_notify (as most servers do on keep-alive
  // expiry); browsers treat that as the end of the connection.
  void Close() {
    beast::error_code ec;
    SocketOf(stream_).shutdown(tcp::socket::shutdown_send, ec);
    Lowest().close();
  }

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::shared_ptr<ConnectionSlot> slot_;  // moves to the WebSocket on upgrade
  std::shared_ptr<ssl::context> tls_;     // TLS: the context this connection was accepted with
  std::string remoteAddress_;
  bool remoteIsLoopback_ = false;
  bool keepAlive_ = true;
  bool busy_ = false;
  // Streamed response state.
  bool streaming_ = false;
  bool streamClosed_ = false;
  std::shared_ptr<Streamer> streamer_;
  std::deque<std::string> streamQueue_;
  std::array<char, 256> streamReadBuffer_{};
};

// TLS on: the first bytes decide. A TLS ClientHello goes on to an HTTPS session; anything else
// (plain HTTP) is answered 400 "use https" and closed: this port speaks only TLS.
class TlsDetector : public std::enable_shared_from_this<TlsDetector> {
 public:
  TlsDetector(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)),
        server_(std::move(server)),
        slot_(std::make_shared<ConnectionSlot>(server_)),
        tls_(server_->tls) {}

  void Run() {
    stream_.expires_after(std::chrono::seconds(server_->limits.requestTimeoutSeconds));
    beast::async_detect_ssl(stream_, buffer_, [self = shared_from_this()](beast::error_code ec, bool isTls) {
      if (ec) return;  // closed or timed out before a byte arrived
      if (!isTls) return self->RefusePlain();
      auto session = std::make_shared<HttpSession<TlsStream>>(
          TlsStream(std::move(self->stream_), *self->tls_), self->server_, std::move(self->slot_),
          std::move(self->buffer_), self->tls_);
      self->server_->sessions.push_back(session);
      session->Start();
    });
  }

 private:
  void RefusePlain() {
    server_->stats.requestsRejected++;
    static const char kPlain[] =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        "Content-Length: 42\r\n\r\nThis port speaks HTTPS only: use https://\n";
    auto self = shared_from_this();
    asio::async_write(stream_, asio::buffer(kPlain, sizeof(kPlain) - 1),
                      [self](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                        self->stream_.close();
                      });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<HttpServer::Impl> server_;
  std::shared_ptr<ConnectionSlot> slot_;
  std::shared_ptr<ssl::context> tls_;
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept(ioc, [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || self->shuttingDown) return;
    if (!ec) {
      // Drop dead entries, then enforce the connection cap.
      self->sessions.remove_if([](const auto& w) { return w.expired(); });
      self->webSockets.remove_if([](const auto& w) { return w.expired(); });
      if (self->stats.connectionsOpen.load() >= static_cast<uint64_t>(self->limits.maxConnections)) {
        self->stats.connectionsRefused++;
        static const char kBusy[] =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: 62\r\n\r\n{\"error\":\"ServiceUnavailable\",\"message\":\"too many "
            "connections\"}";
        beast::error_code ignored;
        asio::write(socket, asio::buffer(kBusy, sizeof(kBusy) - 1), ignored);
        socket.close(ignored);
      } else if (self->tls) {
        std::make_shared<TlsDetector>(std::move(socket), self)->Run();
      } else {
        auto session = std::make_shared<HttpSession<beast::tcp_stream>>(
            beast::tcp_stream(std::move(socket)), self, std::make_shared<ConnectionSlot>(self),
            beast::flat_buffer(), nullptr);
        self->sessions.push_back(session);
        session->Start();
      }
    }
    self->Accept();
  });
}

HttpServer::HttpServer(asio::io_context& ioc, HttpServerLimits limits, HttpHandler handler,
                       WebSocketAcceptor wsAcceptor)
    : impl_(std::make_shared<Impl>(ioc, limits, std::move(handler), std::move(wsAcceptor))) {}

HttpServer::~HttpServer() = default;

void HttpServer::Listen(const std::string& address, uint16_t port) {
  beast::error_code ec;
  auto addr = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("bad listen address " + address);
  tcp::endpoint ep(addr, port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  impl_->Accept();
}

void HttpServer::UseTls(const std::string& certificateChainPem, const std::string& privateKeyPem) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  try {
    context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1)
      throw std::runtime_error("cannot require TLS 1.2");
    context->use_certificate_chain(asio::buffer(certificateChainPem));
    context->use_private_key(asio::buffer(privateKeyPem), ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error(std::string("TLS setup failed: ") + e.what());
  }
  if (SSL_CTX_check_private_key(context->native_handle()) != 1)
    throw std::runtime_error("the private key does not match the certificate");
  // Swapped on the HTTP thread once it runs (new connections only); directly before Listen.
  asio::post(impl_->ioc, [impl = impl_, context] { impl->tls = context; });
  if (!impl_->acceptor.is_open()) impl_->tls = context;
}

bool HttpServer::TlsEnabled() const { return impl_->tls != nullptr; }

uint16_t HttpServer::LocalPort() const {
  beast::error_code ec;
  return impl_->acceptor.local_endpoint(ec).port();
}

void HttpServer::Impl::StartShutdown(uint16_t code, std::string reason) {
  if (shuttingDown) return;
  shuttingDown = true;
  closeCode = code;
  closeReason = std::move(reason);
  beast::error_code ec;
  acceptor.close(ec);
  for (auto& w : sessions)
    if (auto s = w.lock()) s->CloseIfIdle();
  drainTimer.expires_after(std::chrono::seconds(limits.shutdownDrainSeconds));
  drainTimer.async_wait([self = shared_from_this()](beast::error_code e) {
    if (!e) self->CloseWebSockets();
  });
  OnHttpSessionGone();  // nothing may be in flight at all
}

void HttpServer::Impl::OnHttpSessionGone() {
  if (webSocketsClosed) return;
  for (auto& w : sessions)
    if (!w.expired()) return;
  CloseWebSockets();
}

void HttpServer::Impl::CloseWebSockets() {
  if (webSocketsClosed) return;
  webSocketsClosed = true;
  drainTimer.cancel();
  for (auto& w : webSockets)
    if (auto s = w.lock()) s->Close(closeCode, closeReason);
}

void HttpServer::Shutdown(uint16_t webSocketCloseCode, std::string reason) {
  asio::post(impl_->ioc, [impl = impl_, webSocketCloseCode, reason = std::move(reason)]() mutable {
    impl->StartShutdown(webSocketCloseCode, std::move(reason));
  });
}

const HttpServerStats& HttpServer::Stats() const { return impl_->stats; }

}  // namespace medicall::net
