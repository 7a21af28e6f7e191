#include "media/bwe/ProbeController.hpp"

#include <algorithm>

namespace medicall::media::bwe {

void ProbeController::Add(Probes& p, uint64_t bps, uint64_t estimateBps, int64_t nowUs) {
  if (p.count == p.bps.size()) return;
  if (static_cast<double>(bps) < kMinGain * static_cast<double>(estimateBps)) return;
  p.bps[p.count++] = bps;
  highestProbedBps_ = std::max(highestProbedBps_, bps);
  probedAtUs_ = nowUs;
  waiting_ = true;
}

ProbeController::Probes ProbeController::OnStart(uint64_t estimateBps, uint64_t maxBps, int64_t nowUs) {
  Probes p;
  if (started_ || estimateBps == 0) return p;
  started_ = true;
  for (double m : kStartMultipliers) {
    const auto bps = std::min<uint64_t>(static_cast<uint64_t>(m * static_cast<double>(estimateBps)), maxBps);
    if (p.count != 0 && bps <= p.bps[p.count - 1]) break;  // capped: the next one would repeat it
    Add(p, bps, estimateBps, nowUs);
  }
  return p;
}

ProbeController::Probes ProbeController::OnEstimate(uint64_t estimateBps, uint64_t maxBps, int64_t nowUs) {
  Probes p;
  if (!waiting_) return p;
  if (nowUs - probedAtUs_ > kResultTimeoutUs) {
    // No result in time: the path did not carry the probe, stop here and wait longer next time.
    waiting_ = false;
    allocationIntervalUs_ = std::min(2 * allocationIntervalUs_, kMaxAllocationProbeIntervalUs);
    return p;
  }
  if (static_cast<double>(estimateBps) <= kFurtherFraction * static_cast<double>(highestProbedBps_)) return p;
  waiting_ = false;
  allocationIntervalUs_ = kAllocationProbeIntervalUs;
  const auto next =
      std::min<uint64_t>(static_cast<uint64_t>(kFurtherScale * static_cast<double>(estimateBps)), maxBps);
  if (next > highestProbedBps_) Add(p, next, estimateBps, nowUs);
  return p;
}

ProbeController::Probes ProbeController::OnAllocationLimited(uint64_t estimateBps, uint64_t wantBps,
                                                             int64_t nowUs, int64_t lastOveruseUs) {
  Probes p;
  if (!started_ || waiting_ || wantBps <= estimateBps) return p;
  if (lastOveruseUs != INT64_MIN && nowUs - lastOveruseUs < kQuietAfterOveruseUs) return p;
  if (nowUs - lastAllocationProbeUs_ < allocationIntervalUs_) return p;
  lastAllocationProbeUs_ = nowUs;
  highestProbedBps_ = 0;  // a new round: further probing is judged against this one
  const auto bps =
      std::min<uint64_t>(static_cast<uint64_t>(kFurtherScale * static_cast<double>(estimateBps)), wantBps);
  Add(p, bps, estimateBps, nowUs);
  return p;
}

}  // namespace medicall::media::bwe
