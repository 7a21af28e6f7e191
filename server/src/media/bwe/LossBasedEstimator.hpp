#pragma once
// The loss-based controller, draft-ietf-rmcat-gcc-02 section 6
// (https://datatracker.ietf.org/doc/html/draft-ietf-rmcat-gcc-02#section-6), run on the fraction of
// packets lost p over intervals of at least kIntervalUs and kMinPackets:
//   p > 10%:        As(i) = As(i-1) * (1 - 0.5 p)
//   2% <= p <= 10%: As(i) = As(i-1)
//   p < 2%:         As(i) = 1.05 * As(i-1)
// The sender's target is min(As, A) with A the delay-based estimate; As is kept within 1.5 times the
// delay-based one so that after a clean stretch a loss burst takes effect at once.
#include <cstdint>

namespace medicall::media::bwe {

class LossBasedEstimator {
 public:
  static constexpr int64_t kIntervalUs = 500'000;
  static constexpr uint32_t kMinPackets = 20;

  LossBasedEstimator(uint64_t startBps, uint64_t minBps, uint64_t maxBps);

  void OnPackets(uint32_t received, uint32_t lost, int64_t nowUs, uint64_t delayBasedBps);
  uint64_t EstimateBps() const { return estimateBps_; }
  // Sets As (a probe measured what the path carries), within the bounds.
  void SetEstimate(uint64_t bps);
  double LastLossFraction() const { return lastLoss_; }

 private:
  uint64_t estimateBps_;
  uint64_t minBps_;
  uint64_t maxBps_;
  uint32_t received_ = 0;
  uint32_t lost_ = 0;
  int64_t intervalStartUs_ = -1;
  double lastLoss_ = 0;
};

}  // namespace medicall::media::bwe
