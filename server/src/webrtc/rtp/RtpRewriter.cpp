#include "webrtc/rtp/RtpRewriter.hpp"

#include <algorithm>

#include "webrtc/rtp/SeqNum.hpp"

namespace medicall::webrtc::rtp {

RtpRewriter::RtpRewriter(uint32_t outputSsrc, uint32_t clockRate, uint16_t initialSequence,
                         uint32_t initialTimestamp)
    : outputSsrc_(outputSsrc),
      clockRate_(clockRate),
      highestSeq_(static_cast<uint16_t>(initialSequence - 1)),
      highestTs_(initialTimestamp) {}

void RtpRewriter::StartAt(uint16_t sourceSequence) {
  sourceSeq_.Reset();
  sourceStartExtSeq_ = sourceSeq_.Unwrap(sourceSequence);
  sourceHighestExtSeq_ = sourceStartExtSeq_;
  firstOutputSeqOfSource_ = static_cast<uint16_t>(highestSeq_ + 1);
  seqOffset_ = static_cast<uint16_t>(firstOutputSeqOfSource_ - sourceSequence);
}

void RtpRewriter::SwitchTo(const RtpPacket& packet, int64_t nowMs) {
  sourceSsrc_ = packet.Ssrc();
  sequence_.Reset();
  StartAt(packet.SequenceNumber());
  uint32_t nextTs = highestTs_;
  if (started_) {
    const int64_t elapsedMs = std::max<int64_t>(0, nowMs - lastSentMs_);
    const int64_t ticks = std::max<int64_t>(1, elapsedMs * clockRate_ / 1000);
    nextTs = static_cast<uint32_t>(highestTs_ + static_cast<uint32_t>(ticks));
  }
  tsOffset_ = nextTs - packet.Timestamp();
}

bool RtpRewriter::Rewrite(RtpPacket& packet, int64_t nowMs, std::optional<uint8_t> outputPayloadType) {
  if (!sourceSsrc_ || packet.Ssrc() != *sourceSsrc_) SwitchTo(packet, nowMs);
  switch (sequence_.Update(packet.SequenceNumber())) {
    case SequenceTracker::Result::kProbation:
      ++probationDrops_;
      return false;
    case SequenceTracker::Result::kResynced:
      // The sender renumbered within its SSRC: continue after the highest number sent. The packet on
      // probation just before this one gets the next number (a gap the subscriber can NACK: it is in the
      // publisher's cache); the timestamp offset stays, the RTP clock of one SSRC is one timeline.
      StartAt(static_cast<uint16_t>(packet.SequenceNumber() - 1));
      ++resyncs_;
      break;
    default:
      break;
  }
  const int64_t ext = sourceSeq_.Unwrap(packet.SequenceNumber());
  if (ext < sourceStartExtSeq_) return false;  // from before this source's first forwarded packet
  sourceHighestExtSeq_ = std::max(sourceHighestExtSeq_, ext);
  const uint16_t outSeq = static_cast<uint16_t>(packet.SequenceNumber() + seqOffset_);
  const uint32_t outTs = packet.Timestamp() + tsOffset_;
  packet.SetSsrc(outputSsrc_);
  packet.SetSequenceNumber(outSeq);
  packet.SetTimestamp(outTs);
  if (outputPayloadType) packet.SetPayloadType(*outputPayloadType);
  if (!started_ || SeqNum::IsNewer(outSeq, highestSeq_)) {
    highestSeq_ = outSeq;
    highestTs_ = outTs;
    lastSentMs_ = nowMs;
  }
  started_ = true;
  ++packetsSent_;
  octetsSent_ += static_cast<uint32_t>(packet.PayloadSize());
  return true;
}

std::optional<uint16_t> RtpRewriter::ToSourceSequence(uint16_t outputSequence) const {
  if (!sourceSsrc_) return std::nullopt;
  // Only sequence numbers between the source's first and the highest sent belong to it. The source may
  // have sent more than 2^15 packets: count back from the highest (a NACK names a recent number) and
  // compare with how many the source has had, in extended numbers, rather than take a signed 16-bit
  // difference from its first one (negative for half of every 2^16 cycle after 32768 packets).
  const auto behindHighest = static_cast<uint16_t>(highestSeq_ - outputSequence);
  if (behindHighest > sourceHighestExtSeq_ - sourceStartExtSeq_ || behindHighest > kMaxNackDistance) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(outputSequence - seqOffset_);
}

}  // namespace medicall::webrtc::rtp
