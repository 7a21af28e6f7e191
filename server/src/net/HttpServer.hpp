#pragma once
// HTTP/1.1 and WebSocket server on Boost.Beast, kept behind this header so that only
// HttpServer.cpp and WebSocketSession.cpp compile Beast.
//
// - keep-alive, header and body limits (431/413), read timeouts, a connection cap (503 beyond)
//   that counts HTTP connections and WebSockets alike (an upgraded connection keeps its place);
// - handlers get plain HttpRequest values and answer through a Responder, from any thread;
// - WebSocket upgrades are handed to a WebSocketAcceptor, which decides on the subprotocol;
// - optional TLS (UseTls): HTTPS and WSS only on the port, certificate replaceable at run time;
// - Shutdown(): stop accepting, finish in-flight requests, then close WebSockets with the code
//   given (a 45xx code makes Chime SDK clients reconnect).
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/HttpTypes.hpp"

namespace medicall::net {

class WebSocketConnection;

struct HttpServerLimits {
  size_t maxHeaderBytes = 16 * 1024;
  size_t maxBodyBytes = 64 * 1024;
  int requestTimeoutSeconds = 30;
  int maxConnections = 1024;     // HTTP connections plus WebSockets
  int shutdownDrainSeconds = 5;  // WebSockets are closed once HTTP drained, or after this
};

using Responder = std::function<void(HttpResponse)>;
using HttpHandler = std::function<void(HttpRequest&&, Responder)>;

// Decides on an upgrade request. Return an empty subprotocol and a non-zero status to refuse
// with that HTTP status; otherwise the connection is accepted (echoing `subprotocol` if not
// empty) and `onOpen` is called with the live connection on the HTTP thread.
struct WebSocketDecision {
  int refuseStatus = 0;     // e.g. 401, 404; 0 = accept
  std::string refuseBody;   // body of the refusal
  std::string subprotocol;  // echoed in Sec-WebSocket-Protocol
  std::function<void(std::shared_ptr<WebSocketConnection>)> onOpen;
};
using WebSocketAcceptor = std::function<WebSocketDecision(const HttpRequest&)>;

struct HttpServerStats {
  std::atomic<uint64_t> connectionsOpen{0};  // HTTP connections and WebSockets
  std::atomic<uint64_t> webSocketsOpen{0};
  std::atomic<uint64_t> connectionsRefused{0};
  std::atomic<uint64_t> requestsRejected{0};  // malformed, too large, timed out
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& ioc, HttpServerLimits limits, HttpHandler handler,
             WebSocketAcceptor wsAcceptor);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Serve HTTPS and WSS only (TLS 1.2 or later) with this certificate chain and private key (PEM
  // text); plain HTTP on the port is answered 400 and closed. Before Listen, this turns TLS on;
  // later (e.g. on SIGHUP) it replaces the certificate for new connections, while established ones
  // keep theirs. Throws std::runtime_error when the pair is unusable (the previous one stays).
  void UseTls(const std::string& certificateChainPem, const std::string& privateKeyPem);
  bool TlsEnabled() const;
  // Binds and starts accepting. Throws std::runtime_error when the address cannot be bound.
  void Listen(const std::string& address, uint16_t port);
  uint16_t LocalPort() const;
  // Stops accepting and closes idle keep-alive connections; in-flight requests finish (answered
  // with Connection: close). Once they have (or after shutdownDrainSeconds), every WebSocket is
  // closed with `webSocketCloseCode`. Any thread.
  void Shutdown(uint16_t webSocketCloseCode, std::string reason);
  const HttpServerStats& Stats() const;

  struct Impl;  // public so the connection classes in the .cpp can reach it

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace medicall::net
