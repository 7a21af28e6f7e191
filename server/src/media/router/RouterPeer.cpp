#include "media/router/RouterPeer.hpp"

#include <algorithm>

#include "common/Logger.hpp"
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
    : pacer(*this, demuxer.Worker(), context),
      router_(router),
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
  pacer.Stop();
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

uint64_t RouterPeer::OutgoingEstimateBps() const {
  if (targetBitrateBps_ != 0) return targetBitrateBps_;
  if (extensions.transportWideCc != 0 && sendEstimator.FeedbackCount() != 0)
    return sendEstimator.EstimateBps();
  return 0;
}

DownlinkView RouterPeer::Downlink(int64_t nowMs) const {
  DownlinkView view;
  view.attendeeId = attendeeId_;
  int64_t rttAtMs = 0;
  auto add = [&](const ReportBlockStats& r, uint32_t ssrc, bool audio) {
    if (r.Reports() == 0) return;
    DownlinkView::Stream s;
    s.ssrc = ssrc;
    s.audio = audio;
    s.fractionLost = r.FractionLost();
    s.cumulativeLost = r.CumulativeLost();
    s.extendedHighestSeq = r.ExtendedHighestSeq();
    s.jitterMs = r.JitterMs();
    if (auto rtt = r.RttUs()) s.rttMs = static_cast<double>(*rtt) / 1000.0;
    s.reportAgeMs = nowMs - r.LastReportMs();
    view.streams.push_back(s);
    if (s.reportAgeMs > DownlinkView::kFreshMs) return;
    view.lossPct = std::max(view.lossPct.value_or(0), s.fractionLost * 100.0);
    view.jitterMs = std::max(view.jitterMs.value_or(0), s.jitterMs);
    // One path carries every stream: the round trip measured last is the one to tell.
    if (s.rttMs && nowMs - r.RttAtMs() <= DownlinkView::kFreshMs && (!view.rttMs || r.RttAtMs() >= rttAtMs)) {
      view.rttMs = s.rttMs;
      rttAtMs = r.RttAtMs();
    }
  };
  add(audioReports, audioSsrc, true);
  for (const auto& [mid, subscription] : subscriptions)
    add(subscription->Send().Reports(), subscription->Ssrc(), false);
  view.nacksReceived = counters_.nacks;
  view.keyframeRequestsReceived = counters_.keyframeRequests;
  view.retransmissionsSent = counters_.retransmissions;
  if (sendEstimator.FeedbackCount() != 0) view.estimateBps = sendEstimator.EstimateBps();
  view.rembBps = rembBps_;
  return view;
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
  const int64_t nowMs = context_.clock.NowMs();
  for (const webrtc::rtcp::ReportBlock& block : blocks) {
    if (audioSsrc != 0 && block.ssrc == audioSsrc) {
      audioReports.OnReportBlock(block, arrivalCompact, nowMs);
      continue;
    }
    Subscription* s = FindSubscriptionBySsrc(block.ssrc);
    if (s != nullptr && s->Ssrc() == block.ssrc) {
      s->Send().ReceiveReportBlock(block, arrivalCompact, nowMs);
      sendEstimator.SetRttMs(s->Send().Retransmissions().RttUs() / 1000);
    }
  }
}

void RouterPeer::OnKeyframeRequest(uint32_t mediaSsrc) {
  ++context_.stats.keyframeAsks;
  Subscription* s = FindSubscriptionBySsrc(mediaSsrc);
  if (s != nullptr) ++counters_.keyframeRequests;
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
  if (s != nullptr) ++counters_.nacks;
  if (s == nullptr || s->Source() == nullptr) return;
  const SendStream::NackOutcome outcome =
      s->Send().ReceiveNack(nack, s->CurrentStream(), s->Source()->Owner().extensions, context_.clock.NowUs(),
                            context_.sendBuffer, context_.rtxBuffer, rtxBudget);
  context_.stats.retransmitted += outcome.sent;
  counters_.retransmissions += outcome.sent;
  context_.stats.nackMisses += outcome.misses;
  context_.stats.nackSuppressed += outcome.suppressed;
  context_.stats.nackOverBudget += outcome.overBudget;
}

void RouterPeer::OnTransportFeedback(std::span<const uint8_t> packet) {
  auto feedback = webrtc::rtcp::TransportFeedback::Parse(packet);
  if (!feedback) return;
  ++context_.stats.transportFeedbackReceived;
  const int64_t nowUs = context_.clock.NowUs();
  sendEstimator.OnTransportFeedback(*feedback, nowUs);
  UpdatePacing(nowUs);
  if (extensions.transportWideCc != 0)
    StartProbes(probeController.OnEstimate(sendEstimator.EstimateBps(), askedBps, nowUs), nowUs);
}

void RouterPeer::UpdatePacing(int64_t /*nowUs*/) {
  // Paced at the target when one was set, else at our own estimate once feedback about what we send
  // arrived; before that nothing is known of the path (and the start probes find out).
  uint64_t target = targetBitrateBps_;
  if (target == 0 && sendEstimator.FeedbackCount() != 0 && extensions.transportWideCc != 0)
    target = sendEstimator.EstimateBps();
  pacer.SetTargetBitrate(target);
}

void RouterPeer::StartProbes(const bwe::ProbeController::Probes& probes, int64_t nowUs) {
  for (size_t i = 0; i < probes.count; ++i) {
    log::Debug("rtp", "router: {} probe cluster at {} bps (estimate {} bps)", attendeeId_, probes.bps[i],
               sendEstimator.EstimateBps());
    pacer.Probe(probes.bps[i], nowUs);
  }
}

std::span<uint8_t> RouterPeer::PaddingScratch() { return context_.rtxBuffer; }

bool RouterPeer::CanPad() const {
  if (extensions.transportWideCc == 0 || !transport_->IsConnected()) return false;
  for (const auto& [mid, s] : subscriptions) {
    if (s->Source() != nullptr && !s->Paused() && s->Send().CanPad()) return true;
  }
  return false;
}

size_t RouterPeer::SendPadding(size_t bytes, int probeClusterId, int64_t nowUs, std::span<uint8_t> scratch) {
  const auto padding = static_cast<uint8_t>(std::min<size_t>(bytes, 255));
  for (auto& [mid, s] : subscriptions) {
    if (s->Source() == nullptr || s->Paused()) continue;
    if (const size_t sent = s->Send().SendPadding(padding, probeClusterId, nowUs, scratch)) return sent;
  }
  return 0;
}

void RouterPeer::OnTransportConnected(WebRtcTransport&) { router_.OnPeerConnected(*this); }

void RouterPeer::OnTransportClosed(WebRtcTransport&, WebRtcTransport::CloseReason reason) {
  router_.OnPeerClosed(*this, reason);
}

}  // namespace medicall::media::router
