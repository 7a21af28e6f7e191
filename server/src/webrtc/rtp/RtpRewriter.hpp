#pragma once
// Per-subscriber rewriting of SSRC, sequence number and timestamp, so that one outgoing stream stays
// continuous while the source behind it changes (publisher switch, simulcast layer switch).
//
// Within one source, output = input + offset (mod 2^16 / 2^32), so gaps (losses) and reordering pass
// through unchanged and NACKs can be mapped back. When a packet from another source SSRC arrives, the
// offsets are recomputed: the first packet of the new source gets the next sequence number after the
// highest one sent and a timestamp advanced by the wall-clock time since the last packet sent (at least 1
// tick). Packets of the current source older than its first packet are dropped (they belong before the
// switch). Within one source a sequence jump (the sender renumbered without a new SSRC, of any size,
// even above 2^15) is checked as RFC 3550 appendix A.1 does (SequenceTracker): the jump is held on
// probation and, when the next packet follows it, the offsets are re-based so the output continues
// after the highest number sent. No allocation, no locks: one instance per subscriber stream, used on the
// media worker.
#include <cstdint>
#include <optional>

#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/SeqNumUnwrapper.hpp"
#include "webrtc/rtp/SequenceTracker.hpp"

namespace medicall::webrtc::rtp {

class RtpRewriter {
 public:
  // outputSsrc: the SSRC the subscriber sees. clockRate: RTP clock in Hz (90000 for video).
  // initialSequence/initialTimestamp: values of the first packet sent (pick them at random).
  RtpRewriter(uint32_t outputSsrc, uint32_t clockRate, uint16_t initialSequence, uint32_t initialTimestamp);

  // Rewrites packet in place (SSRC, sequence number, timestamp; the payload type when outputPayloadType is
  // set). Returns false when the packet must not be forwarded. nowMs: a monotonic clock.
  bool Rewrite(RtpPacket& packet, int64_t nowMs, std::optional<uint8_t> outputPayloadType = std::nullopt);

  // The next packet starts the output afresh as if from a new source (next sequence number after the
  // highest sent, timestamp advanced by the time since): what the source sent meanwhile (a paused
  // stream) leaves no gap for the receiver to NACK.
  void Restart() { sourceSsrc_.reset(); }

  // Maps an outgoing sequence number (from a subscriber's NACK) to the current source's sequence number,
  // nullopt when it was sent before the current source started, is not sent yet, or lies more than
  // kMaxNackDistance behind the highest one sent (further is ambiguous mod 2^16).
  std::optional<uint16_t> ToSourceSequence(uint16_t outputSequence) const;

  uint32_t OutputSsrc() const { return outputSsrc_; }
  std::optional<uint32_t> SourceSsrc() const { return sourceSsrc_; }
  uint16_t HighestSequence() const { return highestSeq_; }
  uint32_t HighestTimestamp() const { return highestTs_; }
  // Packets and payload octets sent (for sender reports).
  uint32_t PacketsSent() const { return packetsSent_; }
  uint32_t OctetsSent() const { return octetsSent_; }
  // Packets dropped while a sequence jump was on probation, and the re-bases that confirmed one.
  uint64_t ProbationDrops() const { return probationDrops_; }
  uint64_t Resyncs() const { return resyncs_; }
  // Late packets are accepted this far behind the highest one (the publisher's cache holds as many).
  static constexpr int32_t kMaxMisorder = 512;
  static constexpr uint16_t kMaxNackDistance = 32767;

 private:
  void SwitchTo(const RtpPacket& packet, int64_t nowMs);
  // The source packet `sourceSequence` is sent with the number after the highest one sent.
  void StartAt(uint16_t sourceSequence);

  uint32_t outputSsrc_;
  uint32_t clockRate_;
  std::optional<uint32_t> sourceSsrc_;
  SequenceTracker sequence_{SequenceTracker::kDefaultMaxDropout, kMaxMisorder};
  SeqNumUnwrapper sourceSeq_;
  int64_t sourceStartExtSeq_ = 0;    // extended input sequence of the source's first packet
  int64_t sourceHighestExtSeq_ = 0;  // and of its highest one forwarded
  uint16_t firstOutputSeqOfSource_ = 0;
  uint16_t seqOffset_ = 0;
  uint32_t tsOffset_ = 0;
  bool started_ = false;
  uint16_t highestSeq_;
  uint32_t highestTs_;
  int64_t lastSentMs_ = 0;
  uint32_t packetsSent_ = 0;
  uint32_t octetsSent_ = 0;
  uint64_t probationDrops_ = 0;
  uint64_t resyncs_ = 0;
};

}  // namespace medicall::webrtc::rtp
