#include "media/router/StreamReceiveStats.hpp"

#include <algorithm>

#include "common/Ntp.hpp"
#include "webrtc/rtp/SeqNum.hpp"

namespace medicall::media::router {

void StreamReceiveStats::OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t nowMs,
                                  bool retransmitted) {
  if (!started_) {
    started_ = true;
    maxSeq_ = sequenceNumber;
    baseSeq_ = sequenceNumber;
  } else if (webrtc::rtp::SeqNum::IsNewer(sequenceNumber, maxSeq_)) {
    if (sequenceNumber < maxSeq_) cycles_ += 65536;  // wrapped (RFC 3550 appendix A.1)
    maxSeq_ = sequenceNumber;
  }
  ++received_;
  if (retransmitted) return;
  // Interarrival jitter, RFC 3550 appendix A.8: J += (|D| - J) / 16, in timestamp units.
  const int64_t arrival = nowMs * static_cast<int64_t>(clockRate_) / 1000;
  const int64_t transit = arrival - static_cast<int64_t>(rtpTimestamp);
  if (haveTransit_) {
    int64_t d = transit - lastTransit_;
    // The RTP timestamp wraps at 2^32: take the shortest distance.
    d = static_cast<int32_t>(static_cast<uint32_t>(d));
    if (d < 0) d = -d;
    const int64_t j = static_cast<int64_t>(jitter_) + d - ((static_cast<int64_t>(jitter_) + 8) >> 4);
    jitter_ = static_cast<uint32_t>(std::clamp<int64_t>(j, 0, UINT32_MAX));
  }
  lastTransit_ = transit;
  haveTransit_ = true;
}

void StreamReceiveStats::OnSenderReport(uint64_t ntpTimestamp, int64_t nowMs) {
  lastSrMiddle_ = ntp::Compact(ntpTimestamp);
  lastSrAtMs_ = nowMs;
}

int64_t StreamReceiveStats::CumulativeLost() const {
  if (!started_) return 0;
  const int64_t expected = static_cast<int64_t>(ExtendedHighest()) - baseSeq_ + 1;
  return expected - static_cast<int64_t>(received_);
}

webrtc::rtcp::ReportBlock StreamReceiveStats::MakeReportBlock(uint32_t ssrc, int64_t nowMs) {
  webrtc::rtcp::ReportBlock block;
  block.ssrc = ssrc;
  if (!started_) return block;
  const uint32_t expected = ExtendedHighest() - baseSeq_ + 1;
  const uint32_t expectedInterval = expected - expectedPrior_;
  const uint64_t receivedInterval = received_ - receivedPrior_;
  expectedPrior_ = expected;
  receivedPrior_ = received_;
  const int64_t lostInterval =
      static_cast<int64_t>(expectedInterval) - static_cast<int64_t>(receivedInterval);
  if (expectedInterval != 0 && lostInterval > 0) {
    block.fractionLost = static_cast<uint8_t>(std::min<int64_t>(255, (lostInterval << 8) / expectedInterval));
  }
  block.cumulativeLost = static_cast<int32_t>(std::clamp<int64_t>(CumulativeLost(), -0x800000, 0x7FFFFF));
  block.extendedHighestSeq = ExtendedHighest();
  block.jitter = Jitter();
  if (lastSrAtMs_ >= 0) {
    block.lastSr = lastSrMiddle_;
    block.delaySinceLastSr = ntp::UsToCompact((nowMs - lastSrAtMs_) * 1000);
  }
  return block;
}

}  // namespace medicall::media::router
