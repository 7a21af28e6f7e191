#include "net/UdpSocket.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <memory>

#include "common/Clock.hpp"
#include "common/Logger.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::net {

namespace asio = boost::asio;

struct UdpSocket::Impl : MediaWorker::Flushable, std::enable_shared_from_this<UdpSocket::Impl> {
  static constexpr size_t kControlBytes = CMSG_SPACE(sizeof(timespec));

  Impl(MediaWorker& w, ReceiveHandler h)
      : worker(w),
        socket(w.Context()),
        handler(std::move(h)),
        receiveBuffers(std::make_unique_for_overwrite<uint8_t[]>(kReceiveBatch * kMaxDatagram)),
        sendBuffers(std::make_unique_for_overwrite<uint8_t[]>(kSendBatch * kSendSlotBytes)) {
    // The receive headers point at their slot, address and control buffer once and for all; each
    // recvmmsg only resets the lengths the kernel overwrites.
    for (size_t i = 0; i < static_cast<size_t>(kReceiveBatch); ++i) {
      receiveIov[i] = iovec{receiveBuffers.get() + i * kMaxDatagram, kMaxDatagram};
      msghdr& m = receiveMsgs[i].msg_hdr;
      m.msg_name = &receiveFrom[i];
      m.msg_iov = &receiveIov[i];
      m.msg_iovlen = 1;
      m.msg_control = receiveControl[i].data();
    }
  }

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
    int handled = 0;
    while (handled < kMaxPerWakeup && !closed) {
      const int want = std::min(kReceiveBatch, kMaxPerWakeup - handled);
      const int n = ReceiveBatch(want);
      if (n < 0) break;  // drained, or failed
      handled += n;
      if (n < want && n > 0) break;  // the queue had fewer: drained
    }
    if (!closed) Receive();  // more may be queued: the wait completes at once, after other handlers
  }

  // One recvmmsg of up to `want` datagrams, each handed to the handler; the count (0 after a
  // transient error worth retrying), or -1 when nothing more is queued (or the socket failed).
  int ReceiveBatch(int want) {
    for (size_t i = 0; i < static_cast<size_t>(want); ++i) {
      msghdr& m = receiveMsgs[i].msg_hdr;
      m.msg_namelen = sizeof(sockaddr_storage);
      m.msg_controllen = kControlBytes;
      m.msg_flags = 0;
    }
    const int n = ::recvmmsg(socket.native_handle(), receiveMsgs.data(), static_cast<unsigned>(want),
                             MSG_DONTWAIT, nullptr);
    if (n < 0) {
      // EAGAIN: drained. ECONNREFUSED (an ICMP port unreachable) and the like: not fatal for UDP.
      if (errno == EAGAIN || errno == EWOULDBLOCK) return -1;
      ++stats.receiveErrors;
      log::Debug("udp", "receive error: {}", std::strerror(errno));
      return errno == ECONNREFUSED || errno == EINTR ? 0 : -1;
    }
    ++stats.receiveCalls;
    for (int i = 0; i < n && !closed; ++i) Deliver(static_cast<size_t>(i));
    return n;
  }

  void Deliver(size_t i) {
    msghdr& msg = receiveMsgs[i].msg_hdr;
    const size_t n = receiveMsgs[i].msg_len;
    ++stats.received;
    stats.receivedBytes += n;
    if ((msg.msg_flags & MSG_TRUNC) != 0) {
      ++stats.truncated;
      return;
    }
    Endpoint from;
    if (msg.msg_namelen > from.capacity()) return;
    std::memcpy(from.data(), &receiveFrom[i], msg.msg_namelen);
    from.resize(msg.msg_namelen);
    const int64_t queuedUs = QueuedUs(msg);
    uint8_t* data = receiveBuffers.get() + i * kMaxDatagram;
    worker.Guard("udp receive", [&] { handler(std::span<uint8_t>(data, n), from, queuedUs); });
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

  bool Queue(std::span<const uint8_t> datagram, const Endpoint& to) {
    if (datagram.size() > kSendSlotBytes) {
      Flush();  // keep the order
      return SendAlone(datagram, to);
    }
    const size_t i = pending;
    std::memcpy(sendBuffers.get() + i * kSendSlotBytes, datagram.data(), datagram.size());
    sendTo[i] = to;
    sendIov[i] = iovec{sendBuffers.get() + i * kSendSlotBytes, datagram.size()};
    msghdr& m = sendMsgs[i].msg_hdr;
    m = msghdr{};
    m.msg_name = sendTo[i].data();
    m.msg_namelen = static_cast<socklen_t>(sendTo[i].size());
    m.msg_iov = &sendIov[i];
    m.msg_iovlen = 1;
    if (++pending == static_cast<size_t>(kSendBatch)) {
      Flush();
    } else if (!flushAsked) {
      flushAsked = true;
      worker.FlushAfterHandler(weak_from_this());
    }
    return true;
  }

  void FlushBatch() override {
    flushAsked = false;
    Flush();
  }

  // Everything queued, in order, in as few sendmmsg calls as the kernel takes; a datagram it refuses
  // is dropped and counted, and the rest still go.
  void Flush() {
    size_t off = 0;
    while (off < pending && !closed) {
      const int r = ::sendmmsg(socket.native_handle(), &sendMsgs[off], static_cast<unsigned>(pending - off),
                               MSG_DONTWAIT);
      ++stats.sendCalls;
      if (r < 0) {
        if (errno == EINTR) continue;
        ++stats.sendDropped;  // would block, or refused: this one is lost
        ++off;
        continue;
      }
      for (size_t i = off; i < off + static_cast<size_t>(r); ++i) {
        ++stats.sent;
        stats.sentBytes += sendMsgs[i].msg_len;
      }
      off += static_cast<size_t>(r);
    }
    pending = 0;
  }

  bool SendAlone(std::span<const uint8_t> datagram, const Endpoint& to) {
    boost::system::error_code ec;
    const size_t n = socket.send_to(asio::buffer(datagram.data(), datagram.size()), to, 0, ec);
    ++stats.sendCalls;
    if (ec || n != datagram.size()) {
      ++stats.sendDropped;
      return false;
    }
    ++stats.sent;
    stats.sentBytes += n;
    return true;
  }

  MediaWorker& worker;
  asio::ip::udp::socket socket;
  ReceiveHandler handler;
  // Receive: one slot of kMaxDatagram per datagram of a batch, not zero-filled (a 2 MiB allocation is
  // mapped on demand: pages the kernel never writes stay unbacked, so small datagrams cost a page each).
  std::unique_ptr<uint8_t[]> receiveBuffers;
  std::array<mmsghdr, kReceiveBatch> receiveMsgs{};
  std::array<iovec, kReceiveBatch> receiveIov{};
  std::array<sockaddr_storage, kReceiveBatch> receiveFrom{};
  std::array<std::array<uint8_t, kControlBytes>, kReceiveBatch> receiveControl{};
  // Send: kSendBatch slots of kSendSlotBytes, `pending` of them queued.
  std::unique_ptr<uint8_t[]> sendBuffers;
  std::array<mmsghdr, kSendBatch> sendMsgs{};
  std::array<iovec, kSendBatch> sendIov{};
  std::array<Endpoint, kSendBatch> sendTo{};
  size_t pending = 0;
  bool flushAsked = false;  // FlushAfterHandler pending
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
  return impl_->Queue(datagram, to);
}

void UdpSocket::Flush() {
  if (!impl_->closed) impl_->Flush();
}

void UdpSocket::Close() {
  if (impl_->closed) return;
  impl_->Flush();  // what was queued before the close still goes
  impl_->closed = true;
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

const UdpSocket::Stats& UdpSocket::GetStats() const { return impl_->stats; }

}  // namespace medicall::net
