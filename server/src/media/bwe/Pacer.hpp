#pragma once
// Paces what one transport sends (a leaky bucket at the pacing rate, in the manner of libwebrtc's
// PacingController): packets wait in one queue per kind and leave by priority, audio > RTX
// (retransmissions) > video, as the byte budget allows; audio never waits for the budget (it is small
// and late audio is worse than a brief overshoot, but it spends the budget like the rest).
//  - pacing rate = kPacingFactor x the target (the estimate), so a frame leaves in a fraction of its
//    frame interval and the queue stays short; the budget saved while idle is at most kMaxBurstUs of
//    the rate (bursts bounded);
//  - a queue that would need more than kMaxQueueTimeUs to drain at that rate raises the rate so that
//    it drains within it (libwebrtc does the same with its 2 s expected queue time); a kind's queue
//    that is full refuses (the caller drops and counts);
//  - padding (RTP padding on the RTX SSRC, RFC 4588) fills what media leaves free up to a padding rate,
//    only while no media waits, and never spends the media's budget: padding never delays media;
//  - a probe (BitrateProber) takes queued media regardless of the budget (PopForProbe).
// Target 0: not paced (nothing is known about the path yet), every packet may leave at once.
// Pure and allocation-free: the queues hold the caller's packet ids and sizes; the caller passes the
// times. The router's PacedSender holds the packets themselves.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace medicall::media::bwe {

class Pacer {
 public:
  enum class Kind : uint8_t { kAudio = 0, kRtx = 1, kVideo = 2 };
  static constexpr size_t kQueueCapacity = 256;  // per kind
  static constexpr int64_t kMaxBurstUs = 5'000;  // budget saved while idle, at most this much of the rate
  static constexpr int64_t kMaxQueueTimeUs = 500'000;  // the queue drains within this, whatever the target
  static constexpr double kPacingFactor = 2.5;  // pacing rate = factor x target, so frames are not delayed
  static constexpr int64_t kPaddingWindowUs = 100'000;  // padding reaches its rate over windows of this

  struct Entry {
    Kind kind = Kind::kVideo;
    uint32_t id = 0;
    uint32_t size = 0;
    int64_t enqueuedUs = 0;
  };

  // targetBps: the estimate; packets leave at kPacingFactor times it (0: not paced).
  void SetTargetBitrate(uint64_t targetBps) { targetBps_ = targetBps; }
  uint64_t TargetBitrate() const { return targetBps_; }
  // The rate packets leave at now: the pacing rate, or more when the queue would not drain before its
  // oldest packet waited kMaxQueueTimeUs (0: not paced).
  uint64_t PacingBps() const;

  // A packet of `kind` that may leave now without waiting: audio always; otherwise when no packet of
  // the same or a higher priority waits and the budget allows. True: it was counted as sent.
  bool TrySend(Kind kind, size_t size, int64_t nowUs);
  // False (and nothing queued) when that kind's queue is full.
  bool Enqueue(Kind kind, uint32_t id, size_t size, int64_t nowUs);
  // The next packet that may leave now, or nullopt (empty, or the budget is spent).
  std::optional<Entry> Pop(int64_t nowUs);
  // The next packet by priority whatever the budget (a probe sends at its own rate); it still counts.
  std::optional<Entry> PopForProbe(int64_t nowUs);
  // Padding to send now so that what left over the current window reaches paddingBps (0: none needed).
  // Only when no media waits. The caller reports what it sent with OnPadding.
  size_t PaddingBytes(uint64_t paddingBps, int64_t nowUs);
  void OnPadding(size_t bytes) { windowBytes_ += bytes; }

  size_t Queued(Kind kind) const { return queues_[static_cast<size_t>(kind)].count; }
  size_t QueuedTotal() const;
  uint64_t QueuedBytes() const { return queuedBytes_; }
  // The oldest waiting packet's time in the queue (0: none).
  int64_t OldestWaitUs(int64_t nowUs) const;

 private:
  struct Queue {
    std::array<Entry, kQueueCapacity> entries{};
    size_t head = 0;
    size_t count = 0;
  };
  void Refill(int64_t nowUs);
  void Spend(size_t bytes) { budgetBits_ -= static_cast<double>(bytes) * 8; }
  Entry Take(Queue& q);

  std::array<Queue, 3> queues_{};
  uint64_t targetBps_ = 0;
  uint64_t queuedBytes_ = 0;
  double budgetBits_ = 0;
  int64_t lastUs_ = -1;
  // For padding: bytes sent in the current window of kPaddingWindowUs.
  int64_t windowStartUs_ = -1;
  uint64_t windowBytes_ = 0;
};

}  // namespace medicall::media::bwe
