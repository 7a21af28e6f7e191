#pragma once
// The media series of /metrics: RTP in and out, drops by reason, NACKs, PLIs, RTX, active transports,
// DTLS failures, mixer tick time, worker loop lag, and CLIENT_METRIC frames accepted or dropped.
// Labels are fixed names (reasons, directions): never an attendee or meeting id.
//
// The counters live with the media objects on the worker, unsynchronised. Once a second the worker
// sums them (Publish, on the worker) into relaxed atomics that /metrics reads on any thread: nothing
// on the packet path takes a lock or touches an atomic. With several media workers each has its own
// MediaMetrics (its sources register and publish on that worker's thread), and /metrics renders the
// sum of them (Render(workers)): counters and gauges add up, the loop lag is the largest.
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>

namespace medicall::quality {

class MediaMetrics {
 public:
  enum Counter : uint8_t {
    kVideoIn,          // publisher video packets received
    kVideoOut,         // video packets forwarded to subscribers
    kAudioIn,          // audio packets accepted by the mixer
    kAudioOut,         // mixed audio packets sent
    kRtxSent,          // retransmissions sent for subscribers' NACKs
    kNackNotCached,    // NACKed packets no longer in the cache
    kNackSuppressed,   // NACKed again too soon
    kNackOverBudget,   // NACKed while the RTX budget was spent
    kNacksSent,        // sequence numbers we NACKed to publishers
    kPlisSent,         // keyframe requests to publishers
    kPlisReceived,     // PLI/FIR from subscribers
    kDropUnknownKind,  // demuxer: not STUN/DTLS/RTP/RTCP
    kDropBadStun,
    kDropUnknownUfrag,
    kDropUnknownAddress,
    kDropUnknownStream,  // router: RTP of no known stream or payload type
    kDropForeignSsrc,
    kDropAudioRejected,  // mixer: unknown attendee, late, duplicate
    kDtlsHandshakeFailed,
    kDtlsTimeout,
    kMixerTicks,
    kMixerTicksDropped,
    kMixerBusyUs,       // time spent in mixer ticks
    kTransportsActive,  // gauge
    kCount
  };
  using Counts = std::array<uint64_t, kCount>;
  // Adds the counters of one source (a meeting's router and mixer, the demuxer) into `counts`.
  using Reader = std::function<void(Counts&)>;

  // Worker thread. A source's last counts stay in the totals once it goes (counters never go back).
  uint64_t Register(Reader reader);
  void Unregister(uint64_t id);
  // Worker thread: sums the sources and publishes; `loopLagUs` is how late the worker ran this task.
  void Publish(int64_t loopLagUs);

  // Signaling thread (atomics).
  void CountClientMetric(bool accepted);

  // Any thread.
  uint64_t Published(Counter c) const { return published_[c].load(std::memory_order_relaxed); }
  std::string Render() const;
  // The series of several workers' MediaMetrics together: sums, and the largest loop lags.
  static std::string Render(std::span<const MediaMetrics* const> workers);
  int64_t LoopLagUs() const { return lagUs_.load(std::memory_order_relaxed); }
  int64_t MaxLoopLagUs() const { return maxLagUs_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kLagWindow = 60;  // publishes (seconds) the max lag covers

  std::map<uint64_t, Reader> readers_;  // worker thread
  uint64_t nextId_ = 1;
  Counts retired_{};  // worker thread
  std::array<int64_t, kLagWindow> lags_{};
  size_t lagIndex_ = 0;
  std::array<std::atomic<uint64_t>, kCount> published_{};
  std::atomic<int64_t> lagUs_{0}, maxLagUs_{0};
  std::atomic<uint64_t> clientMetricsAccepted_{0}, clientMetricsDropped_{0};
};

}  // namespace medicall::quality
