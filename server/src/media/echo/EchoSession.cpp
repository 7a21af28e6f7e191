#include "media/echo/EchoSession.hpp"

#include <algorithm>
#include <cstring>

#include "common/Bytes.hpp"
#include "common/Logger.hpp"
#include "webrtc/rtcp/Fir.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/Pli.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtp/RtpPacket.hpp"

namespace medicall::media::echo {

using webrtc::transport::WebRtcTransport;
namespace rtcp = webrtc::rtcp;

EchoSession::EchoSession(Streams streams, WebRtcTransport::Options options,
                         std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                         webrtc::transport::MediaDemuxer& demuxer, ClosedCallback onClosed)
    : streams_(std::move(streams)), demuxer_(demuxer), onClosed_(std::move(onClosed)) {
  transport_ = std::make_unique<WebRtcTransport>(std::move(options), std::move(certificate), demuxer_, *this);
}

EchoSession::~EchoSession() { demuxer_.Remove(*transport_); }

bool EchoSession::Start() {
  demuxer_.Add(*transport_);
  return transport_->Start(WebRtcTransport::Clock::now());
}

bool EchoSession::Contains(const std::vector<uint8_t>& pts, uint8_t pt) const {
  return std::find(pts.begin(), pts.end(), pt) != pts.end();
}

void EchoSession::OnTransportRtp(WebRtcTransport& transport, std::span<uint8_t> packet, int64_t) {
  auto rtp = webrtc::rtp::RtpPacket::Parse(packet);
  if (!rtp) return;
  const uint8_t pt = rtp->PayloadType();
  uint32_t ourSsrc = 0;
  if (Contains(streams_.audioPts, pt)) {
    peerAudioSsrc_ = rtp->Ssrc();
    ourSsrc = streams_.audioSsrc;
  } else if (Contains(streams_.videoPts, pt)) {
    if (peerVideoSsrc_ != rtp->Ssrc()) {
      peerVideoSsrc_ = rtp->Ssrc();
      log::Debug("rtp", "echo {}: browser video ssrc {}", Id(), peerVideoSsrc_);
    }
    ourSsrc = streams_.videoSsrc;
  } else if (Contains(streams_.rtxPts, pt) && streams_.rtxSsrc != 0) {
    peerRtxSsrc_ = rtp->Ssrc();
    ourSsrc = streams_.rtxSsrc;
  } else {
    ++counters_.unknownPayloadType;
    return;
  }
  if (packet.size() > kMaxPacket) {
    ++counters_.oversized;
    return;
  }
  std::memcpy(rtpBuffer_.data(), packet.data(), packet.size());
  WriteU32(&rtpBuffer_[8], ourSsrc);
  if (transport.SendRtp(rtpBuffer_, packet.size())) ++counters_.echoedRtp;
}

uint32_t EchoSession::PeerSsrcFor(uint32_t ourSsrc) const {
  if (ourSsrc == streams_.videoSsrc) return peerVideoSsrc_;
  if (ourSsrc == streams_.audioSsrc) return peerAudioSsrc_;
  if (ourSsrc == streams_.rtxSsrc) return peerVideoSsrc_;  // NACKs name the media stream
  return 0;
}

void EchoSession::SendRtcp(size_t length) { transport_->SendRtcp(rtcpBuffer_, length); }

// The browser, as receiver of our echoed streams, asks us (the sender) for keyframes and
// retransmissions. We have neither: ask the browser's own sender, which has both.
void EchoSession::OnTransportRtcp(WebRtcTransport&, std::span<uint8_t> packet) {
  rtcp::RtcpCompound compound(packet);
  if (!compound.Validate()) return;
  compound.ForEach([&](const rtcp::RtcpCompound::Packet& p) {
    const uint8_t type = p.header.packetType;
    const uint8_t fmt = p.header.count;
    if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtPli) {
      auto pli = rtcp::Pli::Parse(p.data);
      if (!pli) return;
      const uint32_t peer = PeerSsrcFor(pli->mediaSsrc);
      if (peer == 0) return;
      rtcp::Pli out{streams_.videoSsrc, peer};
      const size_t n = out.Serialize(std::span(rtcpBuffer_).first(kMaxPacket));
      if (n > 0) {
        ++counters_.forwardedPli;
        SendRtcp(n);
      }
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtFir) {
      auto fir = rtcp::Fir::Parse(p.data);
      if (!fir || fir->entryCount == 0) return;
      const uint32_t peer = PeerSsrcFor(fir->entries[0].ssrc);
      if (peer == 0) return;
      rtcp::Fir out;
      out.senderSsrc = streams_.videoSsrc;
      out.AddEntry(peer, firSeq_++);
      const size_t n = out.Serialize(std::span(rtcpBuffer_).first(kMaxPacket));
      if (n > 0) {
        ++counters_.forwardedFir;
        SendRtcp(n);
      }
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRtpfb) && fmt == rtcp::kFmtNack) {
      auto nack = rtcp::Nack::Parse(p.data);
      if (!nack || p.data.size() > kMaxPacket) return;
      const uint32_t peer = PeerSsrcFor(nack->MediaSsrc());
      if (peer == 0) return;
      // Same lost sequence numbers: our echoed stream keeps the browser's numbering.
      std::memcpy(rtcpBuffer_.data(), p.data.data(), p.data.size());
      WriteU32(&rtcpBuffer_[4], streams_.videoSsrc);
      WriteU32(&rtcpBuffer_[8], peer);
      ++counters_.forwardedNack;
      SendRtcp(p.data.size());
    }
  });
}

void EchoSession::RequestKeyframe() {
  if (peerVideoSsrc_ == 0) return;
  rtcp::Pli pli{streams_.videoSsrc, peerVideoSsrc_};
  const size_t n = pli.Serialize(std::span(rtcpBuffer_).first(kMaxPacket));
  if (n > 0) SendRtcp(n);
}

void EchoSession::OnTransportConnected(WebRtcTransport&) {
  log::Info("rtp", "echo {}: media connected", Id());
  RequestKeyframe();
}

void EchoSession::OnTransportClosed(WebRtcTransport&, WebRtcTransport::CloseReason reason) {
  log::Info("rtp", "echo {}: closed ({})", Id(), WebRtcTransport::CloseReasonName(reason));
  if (onClosed_) onClosed_(*this, reason);
}

}  // namespace medicall::media::echo
