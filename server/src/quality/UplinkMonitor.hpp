#pragma once
// The server's own view of one attendee's uplink, from the audio RTP it receives: packets, loss
// on the path and interarrival jitter (RFC 3550
// appendix A.8, https://www.rfc-editor.org/rfc/rfc3550#appendix-A.8) over the last few seconds, and the
// AUDIO_METADATA signal strength (0..2) the Chime SDK shows as bars (chime-protocol-2.md section 6.4).
//
// The SDK sends audio continuously (50 packets/s of 20 ms Opus, silence included), so fewer packets
// than that, or gaps in the sequence numbers, mean a bad uplink. Loss is counted when the highest
// sequence number jumps over numbers not yet received (RFC 3550 appendix A.1 extended numbers): a
// packet that fills the gap later (a retransmission after our NACK, or reordering) is counted as
// recovered and does not make the path look better than it is. Chromium answers NACKs for Opus, so
// a 20% lossy path shows about 4% after repair; the first figure is the one that tells of the path.
//
// Times come from the caller (monotonic microseconds): tests drive it with a ManualClock.
// Threading: one thread (the media worker). No allocation per packet.
#include <array>
#include <cstddef>
#include <cstdint>

namespace medicall::quality {

struct UplinkView {
  bool hasData = false;    // at least one full second of packets in the window
  int seconds = 0;         // full seconds the figures cover
  uint64_t received = 0;   // packets in those seconds (recovered ones included)
  uint64_t expected = 0;   // sequence numbers the stream advanced over
  uint64_t missed = 0;     // of those, not there when the stream passed them
  uint64_t recovered = 0;  // packets that arrived after the stream had passed them
  double lossRatio = 0;    // missed / expected, 0..1
  double jitterMs = 0;     // RFC 3550 jitter at the end of the window
  double packetsPerSecond = 0;
  double bitrateBps = 0;         // RTP payload and headers
  int64_t lastPacketAgeUs = -1;  // -1: nothing ever received
};

class UplinkMonitor {
 public:
  static constexpr int kMaxWindowSeconds = 10;

  struct Options {
    uint32_t clockRate = 48000;  // Opus RTP clock
    double expectedPacketsPerSecond = 50;
    double weakLoss = 0.05;             // above: 1 bar
    double noneLoss = 0.20;             // above: 0 bars
    double weakJitterMs = 60;           // above: 1 bar
    double weakRateShare = 0.7;         // fewer than this share of the expected packets: 1 bar
    double noneRateShare = 0.3;         // fewer than this: 0 bars
    int64_t silentAfterUs = 2'000'000;  // nothing for this long: 0 bars
  };

  UplinkMonitor() = default;
  explicit UplinkMonitor(const Options& options) : options_(options) {}

  void OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, size_t bytes, int64_t nowUs);
  // The last `windowSeconds` full seconds before nowUs (at most kMaxWindowSeconds; fewer when the
  // stream started later).
  UplinkView View(int64_t nowUs, int windowSeconds) const;
  // 2 = good, 1 = weak, 0 = none (chime-protocol-2.md 6.4), over the last 3 s.
  uint32_t SignalStrength(int64_t nowUs) const;
  static uint32_t SignalStrengthOf(const UplinkView& view, const Options& options);
  const Options& GetOptions() const { return options_; }

 private:
  struct Bucket {
    int64_t second = -1;
    uint64_t received = 0;
    uint64_t bytes = 0;
    uint64_t advanced = 0;   // new sequence numbers passed (the first packet counts one)
    uint64_t missed = 0;     // skipped by those advances
    uint64_t recovered = 0;  // late packets
    double jitterMs = 0;     // at the last packet of the second
  };

  Options options_;
  std::array<Bucket, kMaxWindowSeconds + 2> buckets_{};
  bool started_ = false;
  int64_t highestExt_ = 0;
  int64_t firstSecond_ = 0;
  int64_t lastPacketUs_ = 0;
  double lastTransit_ = 0;
  double jitter_ = 0;  // in RTP clock units
};

}  // namespace medicall::quality
