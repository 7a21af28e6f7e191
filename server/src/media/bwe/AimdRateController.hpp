#pragma once
// The delay-based rate controller, draft-ietf-rmcat-gcc-02 section 5.5
// (https://datatracker.ietf.org/doc/html/draft-ietf-rmcat-gcc-02#section-5.5). A state machine driven by
// the over-use signal:
//   signal \ state | Hold      | Increase  | Decrease
//   over-use       | Decrease  | Decrease  | Decrease
//   normal         | Increase  | Increase  | Hold
//   under-use      | Hold      | Hold      | Hold
// Increase: multiplicative, A(i) = eta * A(i-1) with eta = 1.08^min(dt / 1 s, 1), while far from the
// last congestion point; additive (about half a packet per response time, 100 ms + RTT) once the link
// has congested, until the incoming rate exceeds the average rate at congestion by three standard
// deviations (the link grew).
// Decrease: A(i) = beta * R(i) with beta = 0.85 and R the measured incoming (acknowledged) rate.
// A(i) never exceeds 1.5 * R(i) (plus 10 kbit/s), so the estimate does not run away from what is sent;
// decreases come at most once per RTT (10..200 ms), the time the previous one needs to show.
#include <cstdint>
#include <optional>

#include "media/bwe/BandwidthUsage.hpp"

namespace medicall::media::bwe {

class AimdRateController {
 public:
  enum class State : uint8_t { kHold, kIncrease, kDecrease };
  static constexpr double kBeta = 0.85;
  static constexpr double kMultiplicativePerSecond = 1.08;
  static constexpr int64_t kPacketBits = 1200 * 8;

  AimdRateController(uint64_t startBps, uint64_t minBps, uint64_t maxBps);

  // Runs the state machine on the detector's latest signal. ackedBps: the measured incoming rate, when
  // known. Returns the new estimate.
  uint64_t Update(BandwidthUsage usage, std::optional<uint64_t> ackedBps, int64_t nowMs);
  void SetRttMs(int64_t rttMs) { rttMs_ = rttMs; }
  // Sets the estimate (e.g. to follow a lower loss-based one), within the bounds.
  void SetEstimate(uint64_t bps, int64_t nowMs);

  uint64_t EstimateBps() const { return estimateBps_; }
  State CurrentState() const { return state_; }

 private:
  void OnCongestion(uint64_t ackedBps);
  // Whether the rate is near where the link last congested (forgets that point when well above it).
  bool NearConvergence(uint64_t ackedBps);

  uint64_t estimateBps_;
  uint64_t minBps_;
  uint64_t maxBps_;
  State state_ = State::kIncrease;
  int64_t lastChangeMs_ = -1;
  int64_t lastDecreaseMs_ = -1;
  int64_t rttMs_ = 100;
  // Average and variance (normalised) of the incoming rate at congestion, kbit/s.
  double congestionAvgKbps_ = -1;
  double congestionVar_ = 0.4;
};

}  // namespace medicall::media::bwe
