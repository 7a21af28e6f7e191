#include "media/bwe/TrendlineEstimator.hpp"

#include <algorithm>

namespace medicall::media::bwe {

double TrendlineEstimator::Update(double arrivalDeltaMs, double sendDeltaMs, int64_t arrivalMs) {
  if (firstArrivalMs_ < 0) firstArrivalMs_ = arrivalMs;
  numDeltas_ = std::min(numDeltas_ + 1, kMaxDeltas);
  accumulated_ += arrivalDeltaMs - sendDeltaMs;
  smoothed_ = kSmoothing * smoothed_ + (1 - kSmoothing) * accumulated_;
  samples_[next_] = Sample{static_cast<double>(arrivalMs - firstArrivalMs_), smoothed_};
  next_ = (next_ + 1) % kWindow;
  count_ = std::min(count_ + 1, kWindow);
  if (count_ < kWindow) return modifiedTrend_ = 0;
  // Least-squares slope of y over x.
  double meanX = 0;
  double meanY = 0;
  for (const Sample& s : samples_) {
    meanX += s.x;
    meanY += s.y;
  }
  meanX /= kWindow;
  meanY /= kWindow;
  double num = 0;
  double den = 0;
  for (const Sample& s : samples_) {
    num += (s.x - meanX) * (s.y - meanY);
    den += (s.x - meanX) * (s.x - meanX);
  }
  const double slope = den > 0 ? num / den : 0;
  modifiedTrend_ = static_cast<double>(numDeltas_) * slope * kGain;
  return modifiedTrend_;
}

}  // namespace medicall::media::bwe
