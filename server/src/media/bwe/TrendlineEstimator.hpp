#pragma once
// The delay trend of draft-ietf-rmcat-gcc-02 section 5.3, as a trendline instead of the draft's Kalman
// filter (libwebrtc's GCC made the same change): the accumulated inter-group delay variation d(i)
// (InterArrivalDelta) is smoothed exponentially, and the least-squares slope of the smoothed delay over
// the arrival times of the last kWindow groups estimates how fast the bottleneck queue grows (ms of
// delay per ms). The slope, scaled by the number of deltas seen (at most 60) and a gain, is the m(i)
// that the overuse detector (OveruseDetector, section 5.4) compares with its adaptive threshold.
#include <array>
#include <cstddef>
#include <cstdint>

namespace medicall::media::bwe {

class TrendlineEstimator {
 public:
  static constexpr size_t kWindow = 20;
  static constexpr double kSmoothing = 0.9;
  static constexpr double kGain = 4.0;
  static constexpr int kMaxDeltas = 60;

  // One inter-group delta (ms); returns the modified trend m(i) in ms (0 until the window is full).
  double Update(double arrivalDeltaMs, double sendDeltaMs, int64_t arrivalMs);
  double ModifiedTrend() const { return modifiedTrend_; }
  int NumDeltas() const { return numDeltas_; }

 private:
  struct Sample {
    double x = 0;  // arrival time since the first, ms
    double y = 0;  // smoothed accumulated delay, ms
  };
  std::array<Sample, kWindow> samples_{};
  size_t count_ = 0;
  size_t next_ = 0;
  int numDeltas_ = 0;
  int64_t firstArrivalMs_ = -1;
  double accumulated_ = 0;
  double smoothed_ = 0;
  double modifiedTrend_ = 0;
};

}  // namespace medicall::media::bwe
