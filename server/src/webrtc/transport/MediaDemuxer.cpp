#include "webrtc/transport/MediaDemuxer.hpp"

#include "common/Logger.hpp"
#include "webrtc/transport/AddressConversion.hpp"

namespace medicall::webrtc::transport {

MediaDemuxer::MediaDemuxer(net::MediaWorker& worker)
    : worker_(worker),
      socket_(worker, [this](std::span<uint8_t> datagram, const net::UdpSocket::Endpoint& from,
                             int64_t queuedUs) { OnDatagram(datagram, ToTransportAddress(from), queuedUs); }),
      timer_(worker.Context()) {
  byUfrag_.reserve(64);
  byAddress_.reserve(128);
  tickList_.reserve(64);
}

MediaDemuxer::~MediaDemuxer() {
  alive_.Kill();
  try {
    timer_.cancel();
  } catch (const boost::system::system_error&) {
    // Nothing to cancel on a broken timer; the alive flag already stops the tick.
  }
  if (tcp_) tcp_->Close();
  socket_.Close();
}

void MediaDemuxer::ListenTcp(const std::string& address, uint16_t port,
                             net::TcpMediaServer::Options options) {
  tcp_ = std::make_unique<net::TcpMediaServer>(
      worker_.Context(), options,
      [this](std::span<uint8_t> frame, const net::TcpMediaServer::Endpoint& from) {
        OnDatagram(frame, ToTransportAddress(from), 0);
      },
      [this](const net::TcpMediaServer::Endpoint& from) { byAddress_.erase(ToTransportAddress(from)); });
  tcp_->Listen(address, port);
}

void MediaDemuxer::Bind(const std::string& address, uint16_t port) {
  socket_.Bind(address, port);
  ScheduleTick();
}

void MediaDemuxer::ScheduleTick() {
  timer_.expires_after(kTickInterval);
  timer_.async_wait(net::MediaWorker::Bind(
      timerSlot_, [this, alive = alive_.Observe()](const boost::system::error_code& ec) {
        if (ec || !alive.Alive()) return;
        ScheduleTick();  // first: a transport that throws must not stop the others' timers
        const auto now = WebRtcTransport::Clock::now();
        tickList_.clear();
        for (auto& [ufrag, transport] : byUfrag_) tickList_.push_back(transport);
        for (WebRtcTransport* t : tickList_) {
          // A transport removed by an earlier one's callback is skipped.
          auto it = byUfrag_.find(t->LocalUfrag());
          if (it != byUfrag_.end() && it->second == t) worker_.Guard("demuxer tick", [&] { t->Tick(now); });
        }
      }));
}

void MediaDemuxer::Add(WebRtcTransport& transport) {
  byUfrag_[transport.LocalUfrag()] = &transport;
  registered_.store(byUfrag_.size(), std::memory_order_relaxed);
}

void MediaDemuxer::Remove(WebRtcTransport& transport) {
  auto it = byUfrag_.find(transport.LocalUfrag());
  if (it != byUfrag_.end() && it->second == &transport) byUfrag_.erase(it);
  registered_.store(byUfrag_.size(), std::memory_order_relaxed);
  std::erase_if(byAddress_, [&](const auto& entry) { return entry.second == &transport; });
}

void MediaDemuxer::OnAddressValidated(WebRtcTransport& transport, const stun::TransportAddress& address) {
  auto [it, inserted] = byAddress_.try_emplace(address, &transport);
  if (!inserted && it->second != &transport) {
    // The same remote 5-tuple now belongs to another session (e.g. the browser reconnected).
    log::Info("ice", "address {} moves to transport {}", address.ToString(), transport.LocalUfrag());
    it->second = &transport;
  }
}

void MediaDemuxer::SendDatagram(std::span<const uint8_t> datagram, const stun::TransportAddress& to) {
  if (to.tcp) {
    if (tcp_) tcp_->Send(datagram, ToTcpEndpoint(to));
    return;
  }
  socket_.Send(datagram, ToEndpoint(to));
}

void MediaDemuxer::OnDatagram(std::span<uint8_t> datagram, const stun::TransportAddress& from,
                              int64_t queuedUs) {
  const auto now = WebRtcTransport::Clock::now();
  const PacketKind kind = PacketClassifier::Classify(datagram);
  if (kind == PacketKind::Stun) {
    ++counters_.stun;
    auto message = stun::StunMessage::Parse(datagram);
    if (!message) {
      ++counters_.badStun;
      return;
    }
    WebRtcTransport* transport = nullptr;
    if (auto username = message->Username()) {
      const auto ufrag = username->substr(0, username->find(':'));
      auto it = byUfrag_.find(ufrag);
      if (it != byUfrag_.end()) transport = it->second;
    } else {
      auto it = byAddress_.find(from);
      if (it != byAddress_.end()) transport = it->second;
    }
    if (transport == nullptr) {
      ++counters_.unknownUfrag;
      return;
    }
    transport->ReceiveStun(*message, from, now);
    return;
  }
  switch (kind) {
    case PacketKind::Dtls:
      ++counters_.dtls;
      break;
    case PacketKind::Rtp:
      ++counters_.rtp;
      break;
    case PacketKind::Rtcp:
      ++counters_.rtcp;
      break;
    default:
      ++counters_.unknownKind;
      return;
  }
  auto it = byAddress_.find(from);
  if (it == byAddress_.end()) {
    ++counters_.unknownAddress;
    return;
  }
  it->second->ReceivePacket(kind, datagram, from, now, queuedUs);
}

}  // namespace medicall::webrtc::transport
