#include "media/router/RouterPeer.hpp"

#include "media/router/MeetingRouter.hpp"

namespace medicall::media::router {

using webrtc::transport::WebRtcTransport;

RouterPeer::RouterPeer(MeetingRouter& router, std::string attendeeId, WebRtcTransport::Options options,
                       std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                       webrtc::transport::MediaDemuxer& demuxer)
    : router_(router),
      attendeeId_(std::move(attendeeId)),
      localPwd_(options.localPwd),
      remoteUfrag_(options.remoteUfrag),
      demuxer_(demuxer) {
  transport_ = std::make_unique<WebRtcTransport>(std::move(options), std::move(certificate), demuxer_, *this);
}

RouterPeer::~RouterPeer() { Shutdown(); }

bool RouterPeer::Start() {
  demuxer_.Add(*transport_);
  registered_ = true;
  return transport_->Start(WebRtcTransport::Clock::now());
}

void RouterPeer::Shutdown() {
  if (registered_) {
    demuxer_.Remove(*transport_);
    registered_ = false;
  }
  if (!transport_->IsClosed()) transport_->Close();
}

Subscription* RouterPeer::FindSubscriptionBySsrc(uint32_t ssrc) {
  for (auto& [mid, s] : subscriptions) {
    if (s->Ssrc() == ssrc || s->RtxSsrc() == ssrc) return s.get();
  }
  return nullptr;
}

bool RouterPeer::UsesSsrc(uint32_t ssrc) const {
  if (ssrc == 0 || ssrc == audioSsrc) return true;
  for (const auto& [mid, s] : subscriptions) {
    if (s->Ssrc() == ssrc || s->RtxSsrc() == ssrc) return true;
  }
  return false;
}

void RouterPeer::OnTransportRtp(WebRtcTransport&, std::span<uint8_t> packet) {
  router_.OnPeerRtp(*this, packet);
}

void RouterPeer::OnTransportRtcp(WebRtcTransport&, std::span<uint8_t> packet) {
  router_.OnPeerRtcp(*this, packet);
}

void RouterPeer::OnTransportConnected(WebRtcTransport&) { router_.OnPeerConnected(*this); }

void RouterPeer::OnTransportClosed(WebRtcTransport&, WebRtcTransport::CloseReason reason) {
  router_.OnPeerClosed(*this, reason);
}

}  // namespace medicall::media::router
