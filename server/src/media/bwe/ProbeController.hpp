#pragma once
// When to probe a transport's path above the estimate, and at what rates (after libwebrtc's
// ProbeController; the GCC draft, draft-ietf-rmcat-gcc-02 section 5.5, only raises the estimate by
// 8% a second while the media stays below it, which takes half a minute from 1 to 5 Mbit/s):
//  - at start (the first media toward the transport): two clusters at kStartMultipliers x the start
//    estimate, capped by what the receiver asks for (maxBps);
//  - further (exponential) probing: while a result brings the estimate above kFurtherFraction of the
//    highest rate probed, one more cluster at kFurtherScale x the estimate, capped by maxBps;
//  - when the allocation wants more than the estimate (a stream held below its ask), one cluster at
//    kFurtherScale x the estimate capped by the ask, at most every kAllocationProbeIntervalUs; its
//    result may lead to further probing as above. A round that brought nothing (the path is full: the
//    probe only queued) doubles the interval, up to kMaxAllocationProbeIntervalUs, so a saturated
//    path is not pushed into over-use every few seconds; a successful one resets it. None within
//    kQuietAfterOveruseUs of an over-use: the estimate is at the path's limit already (a probe there
//    only lifts it to the brink, and the allocation picks a layer the path cannot carry).
// A round waits at most kResultTimeoutUs for its result. Pure: the caller passes the times and sends
// the clusters (BitrateProber) it is given.
#include <array>
#include <cstddef>
#include <cstdint>

namespace medicall::media::bwe {

class ProbeController {
 public:
  static constexpr std::array<double, 2> kStartMultipliers{3.0, 6.0};
  static constexpr double kFurtherScale = 2.0;
  static constexpr double kFurtherFraction = 0.7;
  static constexpr int64_t kResultTimeoutUs = 1'000'000;
  static constexpr int64_t kAllocationProbeIntervalUs = 5'000'000;
  static constexpr int64_t kMaxAllocationProbeIntervalUs = 60'000'000;
  static constexpr int64_t kQuietAfterOveruseUs = 10'000'000;
  // A probe less than this above the estimate tells nothing worth its bytes.
  static constexpr double kMinGain = 1.2;

  struct Probes {
    std::array<uint64_t, 2> bps{};
    size_t count = 0;
  };

  // The first media toward the transport: the start clusters (once).
  Probes OnStart(uint64_t estimateBps, uint64_t maxBps, int64_t nowUs);
  // A new estimate: further probing while results keep coming close to the probed rate.
  Probes OnEstimate(uint64_t estimateBps, uint64_t maxBps, int64_t nowUs);
  // The allocation wants wantBps but the estimate is below it; lastOveruseUs: when the estimator last
  // saw over-use (INT64_MIN: never).
  Probes OnAllocationLimited(uint64_t estimateBps, uint64_t wantBps, int64_t nowUs,
                             int64_t lastOveruseUs = INT64_MIN);

  bool Started() const { return started_; }
  bool WaitingForResult() const { return waiting_; }
  int64_t AllocationProbeIntervalUs() const { return allocationIntervalUs_; }

 private:
  void Add(Probes& p, uint64_t bps, uint64_t estimateBps, int64_t nowUs);

  bool started_ = false;
  bool waiting_ = false;
  uint64_t highestProbedBps_ = 0;
  int64_t probedAtUs_ = 0;
  int64_t lastAllocationProbeUs_ = INT64_MIN / 2;
  int64_t allocationIntervalUs_ = kAllocationProbeIntervalUs;
};

}  // namespace medicall::media::bwe
