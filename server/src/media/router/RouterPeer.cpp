#include "media/router/RouterPeer.hpp"

#include "common/Ntp.hpp"
#include "media/router/MeetingRouter.hpp"
#include "media/router/RouterContext.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"

namespace medicall::media::router {

using webrtc::transport::WebRtcTransport;

RouterPeer::RouterPeer(MeetingRouter& router, RouterContext& context, std::string attendeeId,
                       WebRtcTransport::Options options,
                       std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                       webrtc::transport::MediaDemuxer& demuxer)
    : router_(router),
      context_(context),
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

void RouterPeer::OnTransportRtp(WebRtcTransport&, std::span<uint8_t> packet, int64_t queuedUs) {
  router_.OnPeerRtp(*this, packet, queuedUs);
}

void RouterPeer::OnTransportRtcp(WebRtcTransport&, std::span<uint8_t> packet) {
  RtcpDispatcher::Dispatch(packet, *this);
}

uint64_t RouterPeer::AvailableBitrateBps(int64_t nowMs) const {
  if (targetBitrateBps_ != 0) return targetBitrateBps_;
  if (sendEstimator.FeedbackCount() != 0) return sendEstimator.EstimateBps();
  if (rembBps_ != 0 && nowMs - rembAtMs_ <= kRembMaxAgeMs && nowMs - firstRembMs_ >= kRembWarmupMs)
    return rembBps_;
  return 0;
}

// ---- RTCP from this attendee, to the stream it names ----

void RouterPeer::OnSenderReport(uint32_t senderSsrc, uint64_t ntpTimestamp) {
  if (!publisher) return;
  for (size_t i = 0; i < publisher->LayerCount(); ++i) {
    RecvStream& stream = *publisher->LayerAt(i).stream;
    if (stream.MediaSsrc() == senderSsrc) stream.ReceiveSenderReport(ntpTimestamp, context_.clock.NowMs());
  }
}

void RouterPeer::OnReportBlocks(std::span<const webrtc::rtcp::ReportBlock> blocks) {
  if (blocks.empty()) return;
  const uint32_t arrivalCompact = ntp::Compact(ntp::FromUnixUs(context_.clock.WallNowUs()));
  for (const webrtc::rtcp::ReportBlock& block : blocks) {
    Subscription* s = FindSubscriptionBySsrc(block.ssrc);
    if (s != nullptr && s->Ssrc() == block.ssrc) {
      s->Send().ReceiveReportBlock(block.lastSr, block.delaySinceLastSr, arrivalCompact);
      sendEstimator.SetRttMs(s->Send().Retransmissions().RttUs() / 1000);
    }
  }
}

void RouterPeer::OnKeyframeRequest(uint32_t mediaSsrc) {
  ++context_.stats.keyframeAsks;
  Subscription* s = FindSubscriptionBySsrc(mediaSsrc);
  // Keep forwarding meanwhile: holding packets back would open a sequence gap in the stream.
  if (s == nullptr || s->Source() == nullptr) return;
  if (RecvStream* stream = s->TargetStream()) stream->RequestKeyframe(context_.clock.NowMs());
}

void RouterPeer::OnRemb(uint64_t bitrateBps, std::span<const uint32_t> ssrcs) {
  const int64_t nowMs = context_.clock.NowMs();
  bool ours = false;
  for (uint32_t ssrc : ssrcs) {
    if (Subscription* s = FindSubscriptionBySsrc(ssrc)) {
      s->OnRemb(bitrateBps, nowMs);
      ours = true;
    }
  }
  if (ours) {
    if (firstRembMs_ == 0) firstRembMs_ = nowMs;
    rembBps_ = bitrateBps;
    rembAtMs_ = nowMs;
  }
}

void RouterPeer::OnNack(const webrtc::rtcp::Nack& nack) {
  Subscription* s = FindSubscriptionBySsrc(nack.MediaSsrc());
  if (s == nullptr || s->Source() == nullptr) return;
  const SendStream::NackOutcome outcome =
      s->Send().ReceiveNack(nack, s->CurrentStream(), s->Source()->Owner().extensions, context_.clock.NowUs(),
                            context_.sendBuffer, context_.rtxBuffer, rtxBudget);
  context_.stats.retransmitted += outcome.sent;
  context_.stats.nackMisses += outcome.misses;
  context_.stats.nackSuppressed += outcome.suppressed;
  context_.stats.nackOverBudget += outcome.overBudget;
}

void RouterPeer::OnTransportFeedback(std::span<const uint8_t> packet) {
  auto feedback = webrtc::rtcp::TransportFeedback::Parse(packet);
  if (!feedback) return;
  ++context_.stats.transportFeedbackReceived;
  sendEstimator.OnTransportFeedback(*feedback, context_.clock.NowUs());
}

void RouterPeer::OnTransportConnected(WebRtcTransport&) { router_.OnPeerConnected(*this); }

void RouterPeer::OnTransportClosed(WebRtcTransport&, WebRtcTransport::CloseReason reason) {
  router_.OnPeerClosed(*this, reason);
}

}  // namespace medicall::media::router
