#include "net/UdpSocket.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/Clock.hpp"
#include "common/Logger.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::net {

namespace asio = boost::asio;

struct UdpSocket::Impl : std::enable_shared_from_this<UdpSocket::Impl> {
  Impl(MediaWorker& w, ReceiveHandler h) : worker(w), socket(w.Context()), handler(std::move(h)) {}

  // Waits until the socket is readable, then drains it.
  void Receive() {
    socket.async_wait(
        asio::socket_base::wait_read,
        MediaWorker::Bind(slot, [self = shared_from_this()](const boost::system::error_code& ec) {
          self->OnReadable(ec);
        }));
  }

  void OnReadable(const boost::system::error_code& ec) {
    if (closed) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      ++stats.receiveErrors;
      log::Debug("udp", "wait error: {}", ec.message());
      Receive();
      return;
    }
    for (int i = 0; i < kMaxPerWakeup && !closed; ++i) {
      if (!ReceiveOne()) break;
    }
    if (!closed) Receive();  // more may be queued: the wait completes at once, after other handlers
  }

  // One recvmsg; false when nothing more is queued (or the socket failed).
  bool ReceiveOne() {
    sockaddr_storage address{};
    iovec iov{buffer.data(), buffer.size()};
    alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof(timespec))> control{};
    msghdr msg{};
    msg.msg_name = &address;
    msg.msg_namelen = sizeof(address);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(socket.native_handle(), &msg, MSG_DONTWAIT);
    if (n < 0) {
      // EAGAIN: drained. ECONNREFUSED (an ICMP port unreachable) and the like: not fatal for UDP.
      if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
      ++stats.receiveErrors;
      log::Debug("udp", "receive error: {}", std::strerror(errno));
      return errno == ECONNREFUSED || errno == EINTR;
    }
    ++stats.received;
    stats.receivedBytes += static_cast<uint64_t>(n);
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      ++stats.truncated;
      return true;
    }
    Endpoint from;
    if (msg.msg_namelen > from.capacity()) return true;
    std::memcpy(from.data(), &address, msg.msg_namelen);
    from.resize(msg.msg_namelen);
    const int64_t queuedUs = QueuedUs(msg);
    worker.Guard("udp receive",
                 [&] { handler(std::span<uint8_t>(buffer.data(), static_cast<size_t>(n)), from, queuedUs); });
    return true;
  }

  // How long the datagram waited since the kernel stamped it (0 without a stamp; never negative).
  int64_t QueuedUs(msghdr& msg) {
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
          c->cmsg_len < CMSG_LEN(sizeof(timespec)))
        continue;
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof(ts));
      ++stats.kernelTimestamps;
      const int64_t stampUs = int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
      // A wall clock step (NTP) can make this wrong for one datagram: clamp to [0, 1 s].
      return std::clamp<int64_t>(WallNowUs() - stampUs, 0, 1'000'000);
    }
    return 0;
  }

  MediaWorker& worker;
  asio::ip::udp::socket socket;
  ReceiveHandler handler;
  std::array<uint8_t, kMaxDatagram> buffer{};
  std::shared_ptr<MediaWorker::HandlerSlot> slot = std::make_shared<MediaWorker::HandlerSlot>();
  Stats stats;
  bool closed = false;
};

UdpSocket::UdpSocket(MediaWorker& worker, ReceiveHandler handler)
    : impl_(std::make_shared<Impl>(worker, std::move(handler))) {}

UdpSocket::~UdpSocket() {
  // The pending receive holds the Impl alive until it completes with operation_aborted.
  impl_->closed = true;
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

void UdpSocket::Bind(const std::string& address, uint16_t port) {
  boost::system::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("bad media bind address: " + address);
  const Endpoint endpoint(ip, port);
  impl_->socket.open(endpoint.protocol(), ec);
  if (!ec) impl_->socket.non_blocking(true, ec);
  if (!ec) impl_->socket.set_option(asio::socket_base::receive_buffer_size(4 * 1024 * 1024), ec);
  ec.clear();  // a smaller buffer than asked for is not fatal
  if (!ec) impl_->socket.set_option(asio::socket_base::send_buffer_size(4 * 1024 * 1024), ec);
  ec.clear();
  // The kernel's arrival time of each datagram (see the header); without it queuedUs stays 0.
  const int on = 1;
  if (::setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on)) != 0)
    log::Warn("udp", "no kernel receive timestamps: {}", std::strerror(errno));
  impl_->socket.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot bind UDP " + address + ":" + std::to_string(port) + ": " + ec.message());
  }
  log::Info("udp", "media socket on {}:{}", address, LocalPort());
  impl_->Receive();
}

uint16_t UdpSocket::LocalPort() const {
  boost::system::error_code ec;
  auto ep = impl_->socket.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

bool UdpSocket::Send(std::span<const uint8_t> datagram, const Endpoint& to) {
  if (impl_->closed || !impl_->socket.is_open()) return false;
  boost::system::error_code ec;
  const size_t n = impl_->socket.send_to(asio::buffer(datagram.data(), datagram.size()), to, 0, ec);
  if (ec || n != datagram.size()) {
    ++impl_->stats.sendDropped;
    return false;
  }
  ++impl_->stats.sent;
  impl_->stats.sentBytes += n;
  return true;
}

void UdpSocket::Close() {
  if (impl_->closed) return;
  impl_->closed = true;
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

const UdpSocket::Stats& UdpSocket::GetStats() const { return impl_->stats; }

}  // namespace medicall::net
