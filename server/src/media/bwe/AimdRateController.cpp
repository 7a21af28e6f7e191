#include "media/bwe/AimdRateController.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::media::bwe {

AimdRateController::AimdRateController(uint64_t startBps, uint64_t minBps, uint64_t maxBps)
    : estimateBps_(std::clamp(startBps, minBps, maxBps)), minBps_(minBps), maxBps_(maxBps) {}

void AimdRateController::SetEstimate(uint64_t bps, int64_t nowMs) {
  estimateBps_ = std::clamp(bps, minBps_, maxBps_);
  lastChangeMs_ = nowMs;
}

bool AimdRateController::NearConvergence(uint64_t ackedBps) {
  if (congestionAvgKbps_ < 0) return false;
  const double kbps = static_cast<double>(ackedBps) / 1000;
  if (kbps > congestionAvgKbps_ + 3 * std::sqrt(congestionVar_ * congestionAvgKbps_)) {
    congestionAvgKbps_ = -1;  // more gets through than where it congested: the link grew
    return false;
  }
  return true;
}

void AimdRateController::OnCongestion(uint64_t ackedBps) {
  const double kbps = static_cast<double>(ackedBps) / 1000;
  if (congestionAvgKbps_ >= 0 &&
      std::fabs(kbps - congestionAvgKbps_) > 3 * std::sqrt(congestionVar_ * congestionAvgKbps_)) {
    congestionAvgKbps_ = -1;  // the link changed: learn it again
  }
  constexpr double kAlpha = 0.05;
  if (congestionAvgKbps_ < 0) {
    congestionAvgKbps_ = kbps;
  } else {
    congestionAvgKbps_ = (1 - kAlpha) * congestionAvgKbps_ + kAlpha * kbps;
  }
  const double norm = std::max(congestionAvgKbps_, 1.0);
  const double diff = kbps - congestionAvgKbps_;
  congestionVar_ = std::clamp((1 - kAlpha) * congestionVar_ + kAlpha * diff * diff / norm, 0.4, 2.5);
}

uint64_t AimdRateController::Update(BandwidthUsage usage, std::optional<uint64_t> ackedBps, int64_t nowMs) {
  if (lastChangeMs_ < 0) lastChangeMs_ = nowMs;
  // The state machine of the table above.
  switch (usage) {
    case BandwidthUsage::kOverusing:
      state_ = State::kDecrease;
      break;
    case BandwidthUsage::kUnderusing:
      state_ = State::kHold;
      break;
    case BandwidthUsage::kNormal:
      state_ = state_ == State::kDecrease ? State::kHold : State::kIncrease;
      break;
  }
  const int64_t dtMs = std::max<int64_t>(nowMs - lastChangeMs_, 0);
  double next = static_cast<double>(estimateBps_);
  if (state_ == State::kIncrease) {
    if (ackedBps && NearConvergence(*ackedBps)) {
      const double responseMs = 100.0 + static_cast<double>(rttMs_);
      const double alpha = 0.5 * std::min(static_cast<double>(dtMs) / responseMs, 1.0);
      next += std::max(1000.0, alpha * kPacketBits);
    } else {
      next *= std::pow(kMultiplicativePerSecond, std::min(static_cast<double>(dtMs) / 1000.0, 1.0));
    }
    if (ackedBps) next = std::min(next, 1.5 * static_cast<double>(*ackedBps) + 10'000);
    // Never lower the estimate by "increasing" (when little is sent).
    next = std::max(next, static_cast<double>(estimateBps_));
    lastChangeMs_ = nowMs;
  } else if (state_ == State::kDecrease) {
    if (lastDecreaseMs_ >= 0 && nowMs - lastDecreaseMs_ < std::clamp<int64_t>(rttMs_, 10, 200)) {
      state_ = State::kHold;
      return estimateBps_;
    }
    lastDecreaseMs_ = nowMs;
    if (ackedBps) {
      OnCongestion(*ackedBps);
      next = std::min(next, kBeta * static_cast<double>(*ackedBps));
    } else {
      next *= kBeta;
    }
    state_ = State::kHold;  // one decrease per over-use signal; the next signal decides again
    lastChangeMs_ = nowMs;
  } else {
    lastChangeMs_ = nowMs;
  }
  estimateBps_ = std::clamp(static_cast<uint64_t>(next), minBps_, maxBps_);
  return estimateBps_;
}

}  // namespace medicall::media::bwe
