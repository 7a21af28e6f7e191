#include "media/bwe/LossBasedEstimator.hpp"

#include <algorithm>

namespace medicall::media::bwe {

LossBasedEstimator::LossBasedEstimator(uint64_t startBps, uint64_t minBps, uint64_t maxBps)
    : estimateBps_(std::clamp(startBps, minBps, maxBps)), minBps_(minBps), maxBps_(maxBps) {}

void LossBasedEstimator::SetEstimate(uint64_t bps) { estimateBps_ = std::clamp(bps, minBps_, maxBps_); }

void LossBasedEstimator::OnPackets(uint32_t received, uint32_t lost, int64_t nowUs, uint64_t delayBasedBps) {
  if (intervalStartUs_ < 0) intervalStartUs_ = nowUs;
  received_ += received;
  lost_ += lost;
  const uint32_t total = received_ + lost_;
  if (nowUs - intervalStartUs_ < kIntervalUs || total < kMinPackets) return;
  const double p = static_cast<double>(lost_) / total;
  lastLoss_ = p;
  double next = static_cast<double>(estimateBps_);
  if (p > 0.10) {
    next *= 1 - 0.5 * p;
  } else if (p < 0.02) {
    next *= 1.05;
  }
  next = std::min(next, 1.5 * static_cast<double>(delayBasedBps));
  estimateBps_ = std::clamp(static_cast<uint64_t>(next), minBps_, maxBps_);
  received_ = 0;
  lost_ = 0;
  intervalStartUs_ = nowUs;
}

}  // namespace medicall::media::bwe
