#include "net/UdpSocket.hpp"

#include <stdexcept>

#include "common/Logger.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::net {

namespace asio = boost::asio;

struct UdpSocket::Impl : std::enable_shared_from_this<UdpSocket::Impl> {
  Impl(MediaWorker& w, ReceiveHandler h) : worker(w), socket(w.Context()), handler(std::move(h)) {}

  // Receives into buffers[next]. Asio may complete the read at once (a speculative receive), so the
  // buffer a handler is still using is never the one being received into.
  void Receive() {
    const size_t slotIndex = next;
    socket.async_receive_from(asio::buffer(buffers[slotIndex]), from[slotIndex],
                              MediaWorker::Bind(slot, [self = shared_from_this(), slotIndex](
                                                          const boost::system::error_code& ec, size_t n) {
                                self->OnReceive(ec, n, slotIndex);
                              }));
  }

  void OnReceive(const boost::system::error_code& ec, size_t n, size_t slotIndex) {
    if (closed) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      // ICMP port unreachable surfaces as connection_refused on Linux: not fatal for UDP.
      ++stats.receiveErrors;
      log::Debug("udp", "receive error: {}", ec.message());
      Receive();
      return;
    }
    ++stats.received;
    stats.receivedBytes += n;
    // Re-arm first, into the other buffer: whatever the handler does, the port keeps listening.
    next = slotIndex ^ 1U;
    Receive();
    worker.Guard("udp receive",
                 [&] { handler(std::span<uint8_t>(buffers[slotIndex].data(), n), from[slotIndex]); });
  }

  MediaWorker& worker;
  asio::ip::udp::socket socket;
  ReceiveHandler handler;
  std::array<std::array<uint8_t, kMaxDatagram>, 2> buffers{};
  std::array<Endpoint, 2> from;
  size_t next = 0;
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
