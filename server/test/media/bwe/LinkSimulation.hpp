#pragma once
// A sender, one bottleneck link and a receiver, simulated on a ManualClock in 1 ms steps, for the
// estimator's unit tests and its convergence benchmark (bench/bwe):
//  - the sender sends 1200-byte packets at the estimator's target (as an encoder and pacer following
//    it would), numbered with transport-wide sequence numbers, and tells the estimator;
//  - the link is a FIFO queue drained at capacityBps (a tail drop when a packet would wait longer than
//    maxQueueUs), then baseDelayUs of propagation, then optional loss (random from a fixed seed, or
//    every N-th packet);
//  - with probing on, a ProbeController and BitrateProber as the router's pacer runs them: start
//    clusters, further probing after each feedback and allocation probes while the estimate is below
//    what the receiver asks for (askBps); a cluster's packets (media and padding) leave at its rate;
//  - the receiver records arrivals in a TransportFeedbackGenerator and every feedbackIntervalUs sends
//    the real feedback packets back (baseDelayUs again), which the estimator parses and consumes.
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "common/Clock.hpp"
#include "media/bwe/BitrateProber.hpp"
#include "media/bwe/ProbeController.hpp"
#include "media/bwe/SendSideEstimator.hpp"
#include "media/bwe/TransportFeedbackGenerator.hpp"

namespace medicall::media::bwe::testing {

struct LinkSettings {
  uint64_t capacityBps = 1'000'000;
  int64_t baseDelayUs = 20'000;
  int64_t maxQueueUs = 300'000;
  double randomLoss = 0;   // fraction of packets lost after the queue
  uint32_t lossEvery = 0;  // 0, or every N-th packet is lost after the queue (deterministic)
  int64_t feedbackIntervalUs = 50'000;
  size_t packetSize = 1200;
  uint64_t maxSendBps = 50'000'000;  // what the source can produce at most
  bool probing = false;
  uint64_t askBps = 10'000'000;  // what the receiver asks for: the cap of probes
};

class LinkSimulation {
 public:
  LinkSimulation(const LinkSettings& link, const SendSideEstimator::Settings& estimator)
      : link_(link), estimator_(estimator) {}

  // Runs for durationUs; calls sample(nowUs) every sampleUs (0: never).
  void Run(int64_t durationUs, int64_t sampleUs = 0, const std::function<void(int64_t)>& sample = {}) {
    const int64_t end = clock_.NowUs() + durationUs;
    int64_t nextSample = clock_.NowUs();
    while (clock_.NowUs() < end) {
      Step();
      if (sample && sampleUs > 0 && clock_.NowUs() >= nextSample) {
        sample(clock_.NowUs());
        nextSample += sampleUs;
      }
      clock_.AdvanceUs(kStepUs);
    }
  }
  // Changes the link from now on (e.g. a capacity drop).
  LinkSettings& Link() { return link_; }
  const SendSideEstimator& Estimator() const { return estimator_; }
  SendSideEstimator& Estimator() { return estimator_; }
  const ManualClock& Clock() const { return clock_; }
  int64_t LastQueueDelayUs() const { return lastQueueUs_; }
  uint64_t Sent() const { return sent_; }
  uint64_t Dropped() const { return dropped_; }
  uint64_t DeliveredBytes() const { return deliveredBytes_; }
  const BitrateProber& Prober() const { return prober_; }

 private:
  static constexpr int64_t kStepUs = 1000;
  struct InFlight {
    int64_t arrivalUs;
    uint16_t sequence;
  };
  struct FeedbackInFlight {
    int64_t arrivalUs;
    std::vector<uint8_t> packet;
  };

  bool RandomLoss() {
    if (link_.lossEvery != 0 && ++lossCounter_ % link_.lossEvery == 0) return true;
    if (link_.randomLoss <= 0) return false;
    lcg_ = lcg_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<double>(lcg_ >> 11) / static_cast<double>(1ULL << 53) < link_.randomLoss;
  }

  void SendPacket(int64_t now, int clusterId) {
    const uint16_t seq = nextSequence_++;
    estimator_.OnPacketSent(seq, link_.packetSize, now, clusterId);
    ++sent_;
    const int64_t transmitUs = static_cast<int64_t>(link_.packetSize * 8 * 1'000'000 / link_.capacityBps);
    const int64_t start = std::max(now, linkFreeUs_);
    if (start - now > link_.maxQueueUs) {
      ++dropped_;
      return;
    }
    linkFreeUs_ = start + transmitUs;
    lastQueueUs_ = start - now;
    if (RandomLoss()) {
      ++dropped_;
      return;
    }
    packets_.push_back({linkFreeUs_ + link_.baseDelayUs, seq});
  }

  void Probe(const ProbeController::Probes& probes, int64_t now) {
    for (size_t i = 0; i < probes.count; ++i) prober_.CreateCluster(probes.bps[i], now);
  }

  void Step() {
    const int64_t now = clock_.NowUs();
    // Send at the target; while a probe cluster runs the media goes in it (the probe's rate is the
    // total, as the pacer sends queued media as part of the cluster).
    const bool probing = link_.probing && prober_.Active(now);
    const uint64_t rate = probing ? 0 : std::min(estimator_.EstimateBps(), link_.maxSendBps);
    budgetBits_ += static_cast<double>(rate) * kStepUs / 1e6;
    budgetBits_ = std::min(budgetBits_, static_cast<double>(link_.packetSize * 8 * 4));
    while (budgetBits_ >= static_cast<double>(link_.packetSize * 8)) {
      budgetBits_ -= static_cast<double>(link_.packetSize * 8);
      SendPacket(now, -1);
    }
    if (link_.probing) {
      if (!controller_.Started())
        Probe(controller_.OnStart(estimator_.EstimateBps(), link_.askBps, now), now);
      size_t due = prober_.BytesDue(now);
      const int cluster = prober_.ClusterId();
      while (due > 0 && prober_.ClusterId() == cluster) {
        SendPacket(now, cluster);
        prober_.OnProbeSent(link_.packetSize, now);
        due -= std::min(due, link_.packetSize);
      }
    }
    // Deliver to the receiver.
    while (!packets_.empty() && packets_.front().arrivalUs <= now) {
      receiver_.OnPacket(packets_.front().sequence, packets_.front().arrivalUs);
      deliveredBytes_ += link_.packetSize;
      packets_.pop_front();
    }
    // Feedback from the receiver.
    if (now - lastFeedbackUs_ >= link_.feedbackIntervalUs) {
      lastFeedbackUs_ = now;
      std::vector<uint8_t> buf(1500);
      while (size_t n = receiver_.Build(1, 2, buf)) {
        feedback_.push_back({now + link_.baseDelayUs, std::vector<uint8_t>(buf.begin(), buf.begin() + n)});
      }
    }
    while (!feedback_.empty() && feedback_.front().arrivalUs <= now) {
      if (auto fb = webrtc::rtcp::TransportFeedback::Parse(feedback_.front().packet))
        estimator_.OnTransportFeedback(*fb, now);
      feedback_.pop_front();
      if (link_.probing) {
        Probe(controller_.OnEstimate(estimator_.EstimateBps(), link_.askBps, now), now);
        Probe(controller_.OnAllocationLimited(estimator_.EstimateBps(), link_.askBps, now,
                                              estimator_.LastOveruseUs()),
              now);
      }
    }
  }

  LinkSettings link_;
  SendSideEstimator estimator_;
  TransportFeedbackGenerator receiver_;
  ProbeController controller_;
  BitrateProber prober_;
  ManualClock clock_;
  std::deque<InFlight> packets_;
  std::deque<FeedbackInFlight> feedback_;
  double budgetBits_ = 0;
  int64_t linkFreeUs_ = 0;
  int64_t lastFeedbackUs_ = 0;
  int64_t lastQueueUs_ = 0;
  uint16_t nextSequence_ = 1;
  uint64_t sent_ = 0;
  uint64_t dropped_ = 0;
  uint64_t deliveredBytes_ = 0;
  uint64_t lcg_ = 42;
  uint64_t lossCounter_ = 0;
};

}  // namespace medicall::media::bwe::testing
