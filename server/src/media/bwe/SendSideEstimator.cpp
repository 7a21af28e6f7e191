#include "media/bwe/SendSideEstimator.hpp"

#include <algorithm>

namespace medicall::media::bwe {

SendSideEstimator::SendSideEstimator(const Settings& settings)
    : settings_(settings),
      aimd_(settings.startBps, settings.minBps, settings.maxBps),
      loss_(settings.startBps, settings.minBps, settings.maxBps) {}

void SendSideEstimator::OnPacketFeedback(const PacketFeedback& p, BandwidthUsage& strongest) {
  if (!p.Received()) return;
  acked_.OnPacket(p.arrivalUs, p.size);
  if (p.probeClusterId >= 0) probes_.OnPacket(p.probeClusterId, p.sendUs, p.arrivalUs, p.size);
  InterArrivalDelta::Delta d;
  if (!interArrival_.OnPacket(p.sendUs, p.arrivalUs, p.size, d)) return;
  const double sendDeltaMs = static_cast<double>(d.sendDeltaUs) / 1000;
  const double trend =
      trendline_.Update(static_cast<double>(d.arrivalDeltaUs) / 1000, sendDeltaMs, d.arrivalUs / 1000);
  const BandwidthUsage usage =
      detector_.Detect(trend, sendDeltaMs, trendline_.NumDeltas(), d.arrivalUs / 1000);
  // Over-use outranks under-use, which outranks normal.
  if (usage == BandwidthUsage::kOverusing ||
      (usage == BandwidthUsage::kUnderusing && strongest == BandwidthUsage::kNormal)) {
    strongest = usage;
  }
}

void SendSideEstimator::OnTransportFeedback(const webrtc::rtcp::TransportFeedback& feedback, int64_t nowUs) {
  BandwidthUsage strongest = BandwidthUsage::kNormal;
  uint32_t received = 0;
  uint32_t lost = 0;
  const size_t known = history_.OnFeedback(feedback, [&](const PacketFeedback& p) {
    if (p.Received()) {
      ++received;
    } else {
      ++lost;
    }
    OnPacketFeedback(p, strongest);
  });
  if (known == 0) return;
  ++feedbackCount_;
  const int64_t nowMs = nowUs / 1000;
  if (strongest == BandwidthUsage::kOverusing) lastOveruseUs_ = nowUs;
  aimd_.Update(strongest, acked_.RateBps(), nowMs);
  const auto probe = probes_.TakeResult();
  if (probe && strongest != BandwidthUsage::kOverusing && *probe > EstimateBps()) {
    aimd_.SetEstimate(*probe, nowMs);
    loss_.SetEstimate(*probe);
    lastProbeBps_ = *probe;
    ++probeResults_;
  }
  loss_.OnPackets(received, lost, nowUs, aimd_.EstimateBps());
}

uint64_t SendSideEstimator::EstimateBps() const {
  return std::clamp(std::min(aimd_.EstimateBps(), loss_.EstimateBps()), settings_.minBps, settings_.maxBps);
}

}  // namespace medicall::media::bwe
