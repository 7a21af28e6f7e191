#include "net/TcpMediaServer.hpp"

#include <array>
#include <deque>
#include <stdexcept>
#include <vector>

#include <boost/asio/write.hpp>

#include "common/Logger.hpp"
#include "net/Rfc4571Framer.hpp"

namespace medicall::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class TcpMediaServer::Connection : public std::enable_shared_from_this<TcpMediaServer::Connection> {
 public:
  Connection(TcpMediaServer& server, tcp::socket socket, Endpoint remote)
      : server_(server),
        socket_(std::move(socket)),
        remote_(std::move(remote)),
        framer_(server.options_.maxFrame),
        lastActivityUs_(server.clock_.NowUs()) {}

  const Endpoint& Remote() const { return remote_; }
  int64_t LastActivityUs() const { return lastActivityUs_; }

  void Start() { Read(); }

  bool Send(std::span<const uint8_t> packet) {
    if (closed_) return false;
    const size_t size = packet.size() + Rfc4571Framer::kHeaderSize;
    if (queuedBytes_ + size > server_.options_.maxQueuedBytes) return false;
    std::vector<uint8_t> frame(size);
    if (!Rfc4571Framer::WriteHeader(packet.size(),
                                    std::span<uint8_t, Rfc4571Framer::kHeaderSize>(frame.data(), 2)))
      return false;
    std::copy(packet.begin(), packet.end(), frame.begin() + Rfc4571Framer::kHeaderSize);
    queuedBytes_ += size;
    queue_.push_back(std::move(frame));
    if (!writing_) WriteNext();
    return true;
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  void Read() {
    socket_.async_read_some(
        asio::buffer(buffer_),
        [self = shared_from_this()](const boost::system::error_code& ec, size_t n) { self->OnRead(ec, n); });
  }

  void OnRead(const boost::system::error_code& ec, size_t n) {
    if (closed_) return;
    if (ec) return Fail();
    const auto before = framer_.GetCounters();
    framer_.Feed(std::span<const uint8_t>(buffer_.data(), n), [this](std::span<uint8_t> frame) {
      lastActivityUs_ = server_.clock_.NowUs();
      ++server_.stats_.framesIn;
      try {
        server_.onFrame_(frame, remote_);
      } catch (const std::exception& e) {
        ++server_.stats_.handlerErrors;
        log::Warn("tcp", "media frame handler failed for {}: {}", remote_.address().to_string(), e.what());
      }
    });
    const auto& after = framer_.GetCounters();
    server_.stats_.skippedFrames += (after.oversized - before.oversized) + (after.empty - before.empty);
    if (!closed_) Read();
  }

  void WriteNext() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    asio::async_write(socket_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                        self->queuedBytes_ -= self->queue_.front().size();
                        self->queue_.pop_front();
                        if (self->closed_) return;  // the server may be gone
                        if (ec) return self->Fail();
                        ++self->server_.stats_.framesOut;
                        self->WriteNext();
                      });
  }

  void Fail() {
    if (closed_) return;
    Close();
    server_.OnConnectionClosed(shared_from_this());
  }

  TcpMediaServer& server_;
  tcp::socket socket_;
  Endpoint remote_;
  Rfc4571Framer framer_;
  std::array<uint8_t, 16384> buffer_{};
  std::deque<std::vector<uint8_t>> queue_;
  size_t queuedBytes_ = 0;
  bool writing_ = false;
  bool closed_ = false;
  int64_t lastActivityUs_;
};

TcpMediaServer::TcpMediaServer(asio::io_context& context, Options options, FrameHandler onFrame,
                               CloseHandler onClose, const Clock& clock)
    : context_(context),
      options_(options),
      onFrame_(std::move(onFrame)),
      onClose_(std::move(onClose)),
      clock_(clock),
      acceptor_(context),
      sweepTimer_(context) {}

TcpMediaServer::~TcpMediaServer() {
  alive_.Kill();
  // Connections' pending handlers hold them alive; closing makes those handlers return at once. They
  // reference the server, so none may run after this point: Close() marks each connection closed.
  try {
    Close();
  } catch (...) {
    // Closing sockets does not throw with error_code overloads; nothing else to do in a destructor.
  }
}

void TcpMediaServer::Listen(const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("bad media TCP bind address: " + address);
  const tcp::endpoint endpoint(ip, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on TCP " + address + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
  log::Info("tcp", "ICE-TCP media listener on {}:{}", address, LocalPort());
  Accept();
  ScheduleSweep();
}

uint16_t TcpMediaServer::LocalPort() const {
  boost::system::error_code ec;
  const auto ep = acceptor_.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void TcpMediaServer::Accept() {
  acceptor_.async_accept(
      [this, watch = alive_.Observe()](const boost::system::error_code& ec, tcp::socket socket) {
        if (!watch.Alive() || closed_) return;
        if (!ec) {
          boost::system::error_code endpointError;
          const Endpoint remote = socket.remote_endpoint(endpointError);
          if (endpointError) {
            // The peer went away between accept and now.
          } else if (connections_.size() >= options_.maxConnections || connections_.count(remote) != 0) {
            ++stats_.refused;
            boost::system::error_code ignored;
            socket.close(ignored);
          } else {
            socket.set_option(tcp::no_delay(true), endpointError);
            auto connection = std::make_shared<Connection>(*this, std::move(socket), remote);
            connections_.emplace(remote, connection);
            ++stats_.accepted;
            stats_.connections = connections_.size();
            log::Debug("tcp", "ICE-TCP connection from {}:{}", remote.address().to_string(), remote.port());
            connection->Start();
          }
        } else if (ec == asio::error::operation_aborted) {
          return;
        }
        Accept();
      });
}

bool TcpMediaServer::Send(std::span<const uint8_t> packet, const Endpoint& to) {
  auto it = connections_.find(to);
  if (it == connections_.end() || packet.size() > Rfc4571Framer::kMaxLength || !it->second->Send(packet)) {
    ++stats_.sendDropped;
    return false;
  }
  return true;
}

void TcpMediaServer::OnConnectionClosed(const std::shared_ptr<Connection>& connection) {
  auto it = connections_.find(connection->Remote());
  if (it == connections_.end() || it->second != connection) return;
  const Endpoint remote = connection->Remote();
  connections_.erase(it);
  stats_.connections = connections_.size();
  if (onClose_) onClose_(remote);
}

void TcpMediaServer::SweepIdle() {
  const int64_t now = clock_.NowUs();
  const int64_t limit = std::chrono::duration_cast<std::chrono::microseconds>(options_.idleTimeout).count();
  std::vector<std::shared_ptr<Connection>> idle;
  for (const auto& [remote, connection] : connections_) {
    if (now - connection->LastActivityUs() > limit) idle.push_back(connection);
  }
  for (const auto& connection : idle) {
    ++stats_.closedIdle;
    connection->Close();
    OnConnectionClosed(connection);
  }
}

void TcpMediaServer::ScheduleSweep() {
  sweepTimer_.expires_after(std::chrono::seconds(1));
  sweepTimer_.async_wait([this, watch = alive_.Observe()](const boost::system::error_code& ec) {
    if (ec || !watch.Alive() || closed_) return;
    SweepIdle();
    ScheduleSweep();
  });
}

void TcpMediaServer::Close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  sweepTimer_.cancel();
  for (auto& [remote, connection] : connections_) connection->Close();
  connections_.clear();
  stats_.connections = 0;
}

size_t TcpMediaServer::ConnectionCount() const { return connections_.size(); }

}  // namespace medicall::net
