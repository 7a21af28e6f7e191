#pragma once
// ICE-TCP, passive side (RFC 6544): a TCP listener on a media worker that accepts the browser's
// active connections and carries RFC 4571-framed packets (STUN, DTLS, SRTP, SRTCP) both ways, so a
// network that blocks UDP can still reach the media. Each frame is handed to the handler together
// with the connection's remote endpoint, exactly as a datagram from the UDP socket would be; the
// demuxer then treats it like any other datagram.
//
// Limits, because any host on the Internet can connect: at most `maxConnections` at once (further
// connections are closed at once, counted); a bounded send queue per connection (a frame that does
// not fit is dropped and counted, as a router drops on a full link); an idle timeout (a connection
// that delivered no valid frame for `idleTimeout` is closed); frames longer than `maxFrame` are
// skipped. Worker thread only.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/AliveToken.hpp"
#include "common/Clock.hpp"

namespace medicall::net {

class TcpMediaServer {
 public:
  using Endpoint = boost::asio::ip::tcp::endpoint;
  using FrameHandler = std::function<void(std::span<uint8_t> frame, const Endpoint& from)>;
  using CloseHandler = std::function<void(const Endpoint& from)>;

  struct Options {
    size_t maxConnections = 256;
    size_t maxQueuedBytes = 256 * 1024;  // per connection
    std::chrono::milliseconds idleTimeout{30'000};
    size_t maxFrame = 8192;
  };

  struct Stats {
    std::atomic<uint64_t> accepted{0};
    std::atomic<uint64_t> refused{0};  // over the connection cap
    std::atomic<uint64_t> closedIdle{0};
    std::atomic<uint64_t> framesIn{0};
    std::atomic<uint64_t> framesOut{0};
    std::atomic<uint64_t> sendDropped{0};    // no such connection, queue full or too long
    std::atomic<uint64_t> skippedFrames{0};  // oversized or empty frames received
    std::atomic<uint64_t> handlerErrors{0};  // the frame handler threw
    std::atomic<uint64_t> connections{0};    // open now
  };

  TcpMediaServer(boost::asio::io_context& context, Options options, FrameHandler onFrame,
                 CloseHandler onClose, const Clock& clock = Clock::System());
  ~TcpMediaServer();
  TcpMediaServer(const TcpMediaServer&) = delete;
  TcpMediaServer& operator=(const TcpMediaServer&) = delete;

  // Binds, listens and starts accepting. Port 0 picks a free port. Throws std::runtime_error.
  void Listen(const std::string& address, uint16_t port);
  uint16_t LocalPort() const;
  // Frames and queues `packet` for the connection from `to`. False when it was dropped.
  bool Send(std::span<const uint8_t> packet, const Endpoint& to);
  // Closes connections idle for longer than the timeout (also run by the server's own 1 s timer).
  void SweepIdle();
  // Stops accepting and closes every connection. Idempotent.
  void Close();

  size_t ConnectionCount() const;
  const Stats& GetStats() const { return stats_; }

 private:
  class Connection;
  void Accept();
  void ScheduleSweep();
  void OnConnectionClosed(const std::shared_ptr<Connection>& connection);

  boost::asio::io_context& context_;
  Options options_;
  FrameHandler onFrame_;
  CloseHandler onClose_;
  const Clock& clock_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer sweepTimer_;
  std::map<Endpoint, std::shared_ptr<Connection>> connections_;
  Stats stats_;
  bool closed_ = false;
  AliveToken alive_;
};

}  // namespace medicall::net
