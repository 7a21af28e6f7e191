#pragma once
// Reception statistics of one incoming RTP stream, for the receiver reports we send its sender
// (RFC 3550 section 6.4.1, https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1): extended highest
// sequence number and cumulative loss (appendix A.3), fraction lost per report interval, interarrival
// jitter (appendix A.8) and LSR/DLSR from the sender's last SR. No allocation.
#include <cstdint>

#include "webrtc/rtcp/ReportBlock.hpp"

namespace medicall::media::router {

class StreamReceiveStats {
 public:
  explicit StreamReceiveStats(uint32_t clockRate = 90000) : clockRate_(clockRate) {}

  // One packet arrived at nowMs (monotonic). A retransmitted packet (recovered from RTX) counts as
  // received but gives no jitter sample: its transit time is the repair's, not the network's
  // (RFC 3550 A.8 measures packets as sent).
  void OnPacket(uint16_t sequenceNumber, uint32_t rtpTimestamp, int64_t nowMs, bool retransmitted = false);
  // The sender's SR with its 64-bit NTP timestamp arrived at nowMs.
  void OnSenderReport(uint64_t ntpTimestamp, int64_t nowMs);
  // The report block for `ssrc`; starts a new interval for the fraction lost.
  webrtc::rtcp::ReportBlock MakeReportBlock(uint32_t ssrc, int64_t nowMs);
  bool HasData() const { return started_; }
  void Reset() { *this = StreamReceiveStats(clockRate_); }

  uint64_t Received() const { return received_; }
  uint32_t ExtendedHighest() const { return cycles_ + maxSeq_; }
  int64_t CumulativeLost() const;
  uint32_t Jitter() const { return static_cast<uint32_t>(jitter_ >> 4); }

 private:
  uint32_t clockRate_;
  bool started_ = false;
  uint16_t maxSeq_ = 0;
  uint32_t cycles_ = 0;
  uint32_t baseSeq_ = 0;
  uint64_t received_ = 0;
  uint32_t expectedPrior_ = 0;
  uint64_t receivedPrior_ = 0;
  int64_t lastTransit_ = 0;
  bool haveTransit_ = false;
  uint32_t jitter_ = 0;  // scaled by 16 (RFC 3550 appendix A.8)
  uint32_t lastSrMiddle_ = 0;
  int64_t lastSrAtMs_ = -1;
};

}  // namespace medicall::media::router
