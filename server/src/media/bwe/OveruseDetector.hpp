#pragma once
// The over-use detector with its adaptive threshold, draft-ietf-rmcat-gcc-02 section 5.4
// (https://datatracker.ietf.org/doc/html/draft-ietf-rmcat-gcc-02#section-5.4):
// over-use when the delay trend m(i) stays above the threshold del_var_th for at least
// overuse_time_th (10 ms) and does not fall; under-use when m(i) < -del_var_th; normal otherwise.
// The threshold follows |m(i)|:  del_var_th(i) = del_var_th(i-1) + dt * K(i) * (|m(i)| - del_var_th(i-1))
// with K = K_d when |m(i)| < del_var_th, K_u otherwise, clamped to [6, 600] ms, and not updated on
// spikes (|m(i)| more than 15 ms over it); the threshold adapting is what keeps a concurrent TCP flow
// from starving the call. The draft's gains (K_u 0.01, K_d 0.00018) are for its Kalman filter's m(i);
// these suit the trendline's scale (TrendlineEstimator): the threshold rises slowly and falls faster.
#include <cstdint>

#include "media/bwe/BandwidthUsage.hpp"

namespace medicall::media::bwe {

class OveruseDetector {
 public:
  static constexpr double kInitialThresholdMs = 12.5;
  static constexpr double kMinThresholdMs = 6;
  static constexpr double kMaxThresholdMs = 600;
  static constexpr double kUp = 0.0087;   // K_u
  static constexpr double kDown = 0.039;  // K_d
  static constexpr double kOveruseTimeMs = 10;
  static constexpr double kMaxSpikeMs = 15;

  // trend: m(i) from the trendline; sendDeltaMs: the send-time delta of the group; numDeltas: how many
  // deltas the trendline has seen.
  BandwidthUsage Detect(double trend, double sendDeltaMs, int numDeltas, int64_t nowMs);
  BandwidthUsage State() const { return state_; }
  double ThresholdMs() const { return threshold_; }

 private:
  void UpdateThreshold(double trend, int64_t nowMs);

  double threshold_ = kInitialThresholdMs;
  double overusingMs_ = -1;
  int overuseCount_ = 0;
  double previousTrend_ = 0;
  int64_t lastUpdateMs_ = -1;
  BandwidthUsage state_ = BandwidthUsage::kNormal;
};

}  // namespace medicall::media::bwe
