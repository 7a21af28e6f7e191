#pragma once
// The media port: one UDP socket on one media worker, shared by all transports of that worker, and
// optionally an ICE-TCP listener (RFC 6544 passive candidates) whose framed packets are handled
// exactly like datagrams, with a TCP TransportAddress as their source.
// Every datagram is sorted in one place (PacketClassifier, RFC 7983) and routed:
//   STUN with USERNAME -> the transport whose local ICE ufrag is USERNAME's left half;
//   everything else    -> the transport for which the source address passed ICE.
// Unroutable and unclassifiable datagrams are dropped and counted. A 20 ms timer ticks every
// registered transport (ICE consent, retransmissions, DTLS timers); the timer re-arms before the
// transports tick, and each transport's tick runs through MediaWorker::Guard.
// Worker thread only (construct and Bind before the worker runs, or on it).
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "common/AliveToken.hpp"
#include "net/MediaWorker.hpp"
#include "net/TcpMediaServer.hpp"
#include "net/UdpSocket.hpp"
#include "webrtc/transport/WebRtcTransport.hpp"

namespace medicall::webrtc::transport {

class MediaDemuxer final : public WebRtcTransport::Network {
 public:
  struct Counters {
    uint64_t stun = 0, dtls = 0, rtp = 0, rtcp = 0;
    uint64_t unknownKind = 0;     // first byte outside the RFC 7983 ranges, or too short
    uint64_t badStun = 0;         // failed StunMessage::Parse
    uint64_t unknownUfrag = 0;    // STUN for no registered transport
    uint64_t unknownAddress = 0;  // non-STUN from an address no transport validated
  };
  static constexpr auto kTickInterval = std::chrono::milliseconds(20);

  explicit MediaDemuxer(net::MediaWorker& worker);
  ~MediaDemuxer() override;
  MediaDemuxer(const MediaDemuxer&) = delete;
  MediaDemuxer& operator=(const MediaDemuxer&) = delete;

  // Binds the socket and starts the tick timer. Throws std::runtime_error when the port is taken.
  void Bind(const std::string& address, uint16_t port);
  uint16_t LocalPort() const { return socket_.LocalPort(); }
  // Starts the ICE-TCP listener. Throws std::runtime_error when the port is taken.
  void ListenTcp(const std::string& address, uint16_t port, net::TcpMediaServer::Options options);
  // 0 when there is no TCP listener.
  uint16_t LocalTcpPort() const { return tcp_ ? tcp_->LocalPort() : 0; }
  const net::TcpMediaServer* Tcp() const { return tcp_.get(); }
  net::MediaWorker& Worker() { return worker_; }

  // Registers a transport by its local ufrag (unique per demuxer). The transport must stay alive
  // until Remove(); Remove() also forgets its validated addresses.
  void Add(WebRtcTransport& transport);
  void Remove(WebRtcTransport& transport);
  size_t TransportCount() const { return byUfrag_.size(); }
  // Any thread (a relaxed atomic, written by Add/Remove): the load MediaWorkerPool places by.
  size_t RegisteredTransports() const { return registered_.load(std::memory_order_relaxed); }

  const Counters& GetCounters() const { return counters_; }
  const net::UdpSocket::Stats& SocketStats() const { return socket_.GetStats(); }

  // WebRtcTransport::Network
  void SendDatagram(std::span<const uint8_t> datagram, const stun::TransportAddress& to) override;
  void OnAddressValidated(WebRtcTransport& transport, const stun::TransportAddress& address) override;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  // queuedUs: how long it waited in the kernel (UdpSocket); 0 for ICE-TCP frames.
  void OnDatagram(std::span<uint8_t> datagram, const stun::TransportAddress& from, int64_t queuedUs);
  void ScheduleTick();

  net::MediaWorker& worker_;
  net::UdpSocket socket_;
  std::unique_ptr<net::TcpMediaServer> tcp_;
  boost::asio::steady_timer timer_;
  std::unordered_map<std::string, WebRtcTransport*, StringHash, std::equal_to<>> byUfrag_;
  std::unordered_map<stun::TransportAddress, WebRtcTransport*, stun::TransportAddressHash> byAddress_;
  std::vector<WebRtcTransport*> tickList_;
  Counters counters_;
  std::atomic<size_t> registered_{0};  // byUfrag_.size(), for other threads
  AliveToken alive_;
  std::shared_ptr<net::MediaWorker::HandlerSlot> timerSlot_ =
      std::make_shared<net::MediaWorker::HandlerSlot>();
};

}  // namespace medicall::webrtc::transport
