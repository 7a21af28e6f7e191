#pragma once
// One UDP socket on a media worker's io_context. When the socket is readable, the worker drains it
// with recvmmsg, kReceiveBatch datagrams per system call (up to kMaxPerWakeup per wakeup, then it
// yields to the other handlers of the loop), into preallocated slots, and hands each datagram to the
// handler in arrival order (on the worker thread, synchronously: the bytes are valid only during the
// call, and the handler may modify them in place, e.g. to decrypt). The handler runs through
// MediaWorker::Guard: a handler that throws is counted and the socket keeps receiving.
//
// Arrival time: the kernel stamps each datagram as it arrives (SO_TIMESTAMPNS), and the handler is
// told how long it waited in the socket's queue (`queuedUs`, >= 0). A busy or descheduled worker then
// does not look like network delay to the bandwidth estimators (transport-wide feedback, RR jitter):
// consumers subtract it from their own clock's now. Without a kernel stamp it is 0.
//
// Sending is batched: Send copies the datagram into a preallocated send slot, and the slots go out
// in one sendmmsg when the batch is full or when the handler that queued them returns
// (MediaWorker::FlushAfterHandler: a receive batch forwarded to N subscribers, or a pacer tick,
// leaves in one system call per kSendBatch datagrams), in the order queued. No allocation on the way; a
// datagram larger than a slot is sent on its own, after what is queued. A datagram the kernel cannot take
// right now is dropped and counted, as a router would.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include <boost/asio/ip/udp.hpp>

namespace medicall::net {

class MediaWorker;

class UdpSocket {
 public:
  using Endpoint = boost::asio::ip::udp::endpoint;
  using ReceiveHandler =
      std::function<void(std::span<uint8_t> datagram, const Endpoint& from, int64_t queuedUs)>;
  static constexpr size_t kMaxDatagram = 65536;
  static constexpr int kMaxPerWakeup = 64;
  static constexpr int kReceiveBatch = 32;        // datagrams per recvmmsg
  static constexpr int kSendBatch = 64;           // datagrams per sendmmsg
  static constexpr size_t kSendSlotBytes = 1536;  // larger ones are sent alone

  struct Stats {
    std::atomic<uint64_t> received{0};
    std::atomic<uint64_t> receivedBytes{0};
    std::atomic<uint64_t> sent{0};
    std::atomic<uint64_t> sentBytes{0};
    std::atomic<uint64_t> sendDropped{0};  // would block or failed
    std::atomic<uint64_t> receiveErrors{0};
    std::atomic<uint64_t> truncated{0};         // larger than kMaxDatagram: dropped
    std::atomic<uint64_t> kernelTimestamps{0};  // datagrams that carried the kernel's arrival stamp
    std::atomic<uint64_t> receiveCalls{0};      // recvmmsg calls that returned datagrams
    std::atomic<uint64_t> sendCalls{0};         // sendmmsg/sendmsg calls
  };

  UdpSocket(MediaWorker& worker, ReceiveHandler handler);
  ~UdpSocket();  // closes; pending receives finish harmlessly
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Binds (SO_REUSEADDR off) and starts receiving. Port 0 picks a free port. Throws
  // std::runtime_error when the address cannot be bound. Call on the worker thread or before it runs.
  void Bind(const std::string& address, uint16_t port);
  uint16_t LocalPort() const;
  // Worker thread only. Queues the datagram (see the header); false when it was dropped at once
  // (socket closed, or a datagram larger than a slot that the kernel refused).
  bool Send(std::span<const uint8_t> datagram, const Endpoint& to);
  // Worker thread only. Sends what is queued now (Send posts this itself).
  void Flush();
  // Worker thread only. Idempotent.
  void Close();
  const Stats& GetStats() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace medicall::net
