#include "media/bwe/OveruseDetector.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::media::bwe {

BandwidthUsage OveruseDetector::Detect(double trend, double sendDeltaMs, int numDeltas, int64_t nowMs) {
  if (numDeltas < 2) return state_ = BandwidthUsage::kNormal;
  if (trend > threshold_) {
    overusingMs_ = overusingMs_ < 0 ? sendDeltaMs / 2 : overusingMs_ + sendDeltaMs;
    ++overuseCount_;
    if (overusingMs_ > kOveruseTimeMs && overuseCount_ > 1 && trend >= previousTrend_) {
      overusingMs_ = 0;
      overuseCount_ = 0;
      state_ = BandwidthUsage::kOverusing;
    }
  } else if (trend < -threshold_) {
    overusingMs_ = -1;
    overuseCount_ = 0;
    state_ = BandwidthUsage::kUnderusing;
  } else {
    overusingMs_ = -1;
    overuseCount_ = 0;
    state_ = BandwidthUsage::kNormal;
  }
  previousTrend_ = trend;
  UpdateThreshold(trend, nowMs);
  return state_;
}

void OveruseDetector::UpdateThreshold(double trend, int64_t nowMs) {
  if (lastUpdateMs_ < 0) lastUpdateMs_ = nowMs;
  const double magnitude = std::fabs(trend);
  if (magnitude > threshold_ + kMaxSpikeMs) {
    lastUpdateMs_ = nowMs;  // a spike: the threshold does not chase it
    return;
  }
  const double k = magnitude < threshold_ ? kDown : kUp;
  const double dtMs = static_cast<double>(std::min<int64_t>(nowMs - lastUpdateMs_, 100));
  threshold_ += k * (magnitude - threshold_) * dtMs;
  threshold_ = std::clamp(threshold_, kMinThresholdMs, kMaxThresholdMs);
  lastUpdateMs_ = nowMs;
}

}  // namespace medicall::media::bwe
