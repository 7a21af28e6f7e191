#pragma once
// The send path of one subscriber transport (RouterPeer): every video packet, retransmission and
// padding packet we send the attendee leaves through here, paced by bwe::Pacer (audio > RTX > video >
// padding, at kPacingFactor x the transport's estimate, bursts bounded, the queue drained within
// kMaxQueueTimeUs) and probed by bwe::BitrateProber (clusters of media and RTX padding at a probe
// rate, their packets numbered with the cluster id for the estimator).
//  - Fast path: a packet that may leave now (nothing of its priority waits, budget left) is sent from
//    the caller's buffer, no copy;
//  - otherwise it is copied into a slot of a fixed ring per kind (allocated once, on the first packet
//    that waits) and leaves from the worker's steady timer, every kIntervalUs (kProbeIntervalUs while
//    a probe runs); a full ring drops the packet and counts it.
//  - The transport-wide sequence number and abs-send-time of a packet are written when it leaves
//    (SendTimeFields: where they are in the packet), so the estimator sees real send times in send
//    order.
// Audio (the mixer's, sent directly) is only counted against the budget. Worker thread only; the
// clock is the router's (a ManualClock in tests); the meeting's Router::Stats count what it did.
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <span>

#include "common/AliveToken.hpp"
#include "common/Clock.hpp"
#include "media/bwe/BitrateProber.hpp"
#include "media/bwe/Pacer.hpp"
#include "media/router/RouterContext.hpp"

namespace medicall::net {
class MediaWorker;
}

namespace medicall::media::router {

class RouterPeer;

class PacedSender {
 public:
  using Kind = bwe::Pacer::Kind;
  static constexpr int64_t kIntervalUs = 5'000;
  static constexpr int64_t kProbeIntervalUs = 1'000;
  static constexpr size_t kMaxPaddingPerPacket = 255;  // RFC 3550 section 5.1: one octet of count
  static constexpr size_t kMinPaddingPerPacket = 64;   // smaller ones are mostly header

  // Byte offsets in a packet of the values written when it leaves (0: absent; no value can be at 0).
  struct SendTimeFields {
    uint16_t transportSequence = 0;  // 2 bytes, transport-wide-cc
    uint16_t absSendTime = 0;        // 3 bytes
  };
  struct Counters {
    uint64_t queued = 0;          // packets that waited (not the fast path)
    uint64_t dropped = 0;         // refused by a full queue
    uint64_t paddingPackets = 0;  // padding-only RTX packets (probes included)
    uint64_t probePackets = 0;    // packets sent as part of a probe cluster (media and padding)
    uint64_t probeClusters = 0;   // clusters started
    int64_t maxWaitUs = 0;        // the longest a packet waited
  };

  PacedSender(RouterPeer& peer, net::MediaWorker& worker, RouterContext& context);
  ~PacedSender();
  PacedSender(const PacedSender&) = delete;
  PacedSender& operator=(const PacedSender&) = delete;

  // Sends `size` bytes of `packet` (a buffer with room for the SRTP trailer) now or queues a copy.
  // False: dropped (queue full) or the transport refused it.
  bool Send(Kind kind, std::span<uint8_t> packet, size_t size, SendTimeFields fields, int64_t nowUs);
  // Audio sent directly (the mixer's): it spends the budget.
  void OnAudioSent(size_t size, int64_t nowUs) { pacer_.TrySend(Kind::kAudio, size, nowUs); }
  // The transport's estimate (0: none, not paced) and the rate padding fills up to (0: none).
  void SetTargetBitrate(uint64_t bps) { pacer_.SetTargetBitrate(bps); }
  void SetPaddingBitrate(uint64_t bps);
  uint64_t PaddingBitrate() const { return paddingBps_; }
  // Queues a probe cluster at bps.
  void Probe(uint64_t bps, int64_t nowUs);
  // No timer any more (the transport is closing); queued packets are dropped.
  void Stop();

  const bwe::Pacer& Pacer() const { return pacer_; }
  const bwe::BitrateProber& Prober() const { return prober_; }
  const Counters& Stats() const { return counters_; }
  // The pacer's work now (what the timer does); public for tests that drive a ManualClock.
  void Process();

 private:
  static constexpr size_t kQueuedKinds = 2;  // RTX and video wait; audio never does
  struct Slot {
    std::array<uint8_t, RouterContext::kBufferSize> data;
    uint16_t size;
    SendTimeFields fields;
  };
  static size_t Ring(Kind kind) { return kind == Kind::kRtx ? 0 : 1; }
  bool Transmit(std::span<uint8_t> packet, size_t size, SendTimeFields fields, int clusterId, int64_t nowUs);
  bool TransmitQueued(const bwe::Pacer::Entry& e, int clusterId, int64_t nowUs);
  void Schedule(int64_t delayUs);

  RouterPeer& peer_;
  net::MediaWorker& worker_;
  RouterContext& context_;
  bwe::Pacer pacer_;
  bwe::BitrateProber prober_;
  std::array<std::unique_ptr<Slot[]>, kQueuedKinds> rings_;
  std::array<uint32_t, kQueuedKinds> writeIndex_{};
  uint64_t paddingBps_ = 0;
  Counters counters_;
  bool armed_ = false;
  bool stopped_ = false;
  boost::asio::steady_timer timer_;
  AliveToken alive_;
};

}  // namespace medicall::media::router
