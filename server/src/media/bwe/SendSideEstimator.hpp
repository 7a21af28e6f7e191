#pragma once
// Send-side bandwidth estimate for one transport we send on (a subscriber's), after
// draft-ietf-rmcat-gcc-02 (https://datatracker.ietf.org/doc/html/draft-ietf-rmcat-gcc-02), fed by the
// subscriber's transport-wide feedback about the packets we forward to it:
//   OnPacketSent (our transport-wide sequence number, size, send time) -> TransportSendHistory
//   OnTransportFeedback -> per packet, in send order:
//     received: AckedBitrateEstimator (R), InterArrivalDelta (section 5.2) -> TrendlineEstimator
//               (5.3) -> OveruseDetector (5.4)
//     every packet: LossBasedEstimator counts (section 6)
//     received probe packets: ProbeBitrateEstimator (the rate a probe cluster was delivered at)
//   then once per feedback: AimdRateController (5.5) on the strongest signal of the feedback; a probe
//   result above the estimate, when the feedback showed no over-use, sets both A and As to it (as
//   libwebrtc does: the probe measured what the path carries, no need to climb 8% a second to it);
//   target = min(delay-based A, loss-based As) within [min, max].
// Pure: no clock of its own, no allocation; the caller passes the times.
#include <cstdint>

#include "media/bwe/AckedBitrateEstimator.hpp"
#include "media/bwe/AimdRateController.hpp"
#include "media/bwe/InterArrivalDelta.hpp"
#include "media/bwe/LossBasedEstimator.hpp"
#include "media/bwe/OveruseDetector.hpp"
#include "media/bwe/ProbeBitrateEstimator.hpp"
#include "media/bwe/TransportSendHistory.hpp"
#include "media/bwe/TrendlineEstimator.hpp"

namespace medicall::media::bwe {

class SendSideEstimator {
 public:
  struct Settings {
    uint64_t startBps = 1'000'000;  // what a fresh subscriber transport is assumed to carry
    uint64_t minBps = 50'000;
    uint64_t maxBps = 20'000'000;
  };

  SendSideEstimator() : SendSideEstimator(Settings{}) {}
  explicit SendSideEstimator(const Settings& settings);

  // probeClusterId: the probe cluster (BitrateProber) the packet belongs to, -1: none.
  void OnPacketSent(uint16_t transportSequence, size_t size, int64_t sendUs, int probeClusterId = -1) {
    history_.OnSent(transportSequence, size, sendUs, probeClusterId);
  }
  void OnTransportFeedback(const webrtc::rtcp::TransportFeedback& feedback, int64_t nowUs);
  void SetRttMs(int64_t rttMs) { aimd_.SetRttMs(rttMs); }

  uint64_t EstimateBps() const;
  uint64_t DelayBasedBps() const { return aimd_.EstimateBps(); }
  uint64_t LossBasedBps() const { return loss_.EstimateBps(); }
  BandwidthUsage Usage() const { return detector_.State(); }
  double LossFraction() const { return loss_.LastLossFraction(); }
  std::optional<uint64_t> AckedBps() const { return acked_.RateBps(); }
  uint64_t FeedbackCount() const { return feedbackCount_; }
  // The last probe result that raised the estimate (0: none), and how many did.
  uint64_t LastProbeBps() const { return lastProbeBps_; }
  uint64_t ProbeResults() const { return probeResults_; }
  // When a feedback last showed over-use (INT64_MIN: never).
  int64_t LastOveruseUs() const { return lastOveruseUs_; }

 private:
  void OnPacketFeedback(const PacketFeedback& p, BandwidthUsage& strongest);

  Settings settings_;
  TransportSendHistory history_;
  AckedBitrateEstimator acked_;
  InterArrivalDelta interArrival_;
  TrendlineEstimator trendline_;
  OveruseDetector detector_;
  AimdRateController aimd_;
  LossBasedEstimator loss_;
  ProbeBitrateEstimator probes_;
  uint64_t feedbackCount_ = 0;
  uint64_t lastProbeBps_ = 0;
  uint64_t probeResults_ = 0;
  int64_t lastOveruseUs_ = INT64_MIN;
};

}  // namespace medicall::media::bwe
