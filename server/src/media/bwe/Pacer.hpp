#pragma once
// Paces what one transport sends (a leaky bucket at the pacing rate, in the manner of libwebrtc's
// pacer and mediasoup's): packets wait in one queue per kind and leave by priority, audio > RTX
// (retransmissions) > video, as the byte budget allows; audio never waits for the budget (it is small
// and late audio is worse than a brief overshoot). When the estimator wants to probe above what media
// fills, PaddingBytes() says how much padding (RTP padding on the RTX SSRC, RFC 4588) to send now.
// Pure and allocation-free: the queues hold the caller's packet ids and sizes; the caller passes the
// times. Not yet wired into the router's send path (SendStream sends directly).
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace medicall::media::bwe {

class Pacer {
 public:
  enum class Kind : uint8_t { kAudio = 0, kRtx = 1, kVideo = 2 };
  static constexpr size_t kQueueCapacity = 512;  // per kind
  static constexpr int64_t kMaxBurstUs = 5'000;  // budget saved while idle, at most this much of the rate
  static constexpr double kPacingFactor = 2.5;   // pacing rate = factor x target, so frames are not delayed

  struct Entry {
    Kind kind = Kind::kVideo;
    uint32_t id = 0;
    uint32_t size = 0;
    int64_t enqueuedUs = 0;
  };

  // targetBps: the estimate; packets leave at kPacingFactor times it.
  void SetTargetBitrate(uint64_t targetBps) { targetBps_ = targetBps; }
  // False (and nothing queued) when that kind's queue is full.
  bool Enqueue(Kind kind, uint32_t id, size_t size, int64_t nowUs);
  // The next packet that may leave now, or nullopt (empty, or the budget is spent).
  std::optional<Entry> Pop(int64_t nowUs);
  // Padding to send now so that what left over the last window reaches probeBps (0: none needed). Only
  // when no media waits: padding never delays media. The caller reports what it sent with OnPadding.
  size_t PaddingBytes(uint64_t probeBps, int64_t nowUs);
  void OnPadding(size_t bytes) {
    Spend(bytes);
    windowBytes_ += bytes;
  }

  size_t Queued(Kind kind) const { return queues_[static_cast<size_t>(kind)].count; }
  size_t QueuedTotal() const;

 private:
  struct Queue {
    std::array<Entry, kQueueCapacity> entries{};
    size_t head = 0;
    size_t count = 0;
  };
  void Refill(int64_t nowUs);
  void Spend(size_t bytes) { budgetBits_ -= static_cast<double>(bytes) * 8; }

  std::array<Queue, 3> queues_{};
  uint64_t targetBps_ = 0;
  double budgetBits_ = 0;
  int64_t lastUs_ = -1;
  // For padding: bytes sent in the current window of kPaddingWindowUs.
  static constexpr int64_t kPaddingWindowUs = 100'000;
  int64_t windowStartUs_ = -1;
  uint64_t windowBytes_ = 0;
};

}  // namespace medicall::media::bwe
