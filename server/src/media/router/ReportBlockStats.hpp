#pragma once
// What a receiver's report blocks (RFC 3550 section 6.4.1,
// https://www.rfc-editor.org/rfc/rfc3550#section-6.4.1) said about one stream we send it: the fraction
// lost since its previous report, the cumulative number lost, the extended highest sequence number,
// the interarrival jitter (converted from RTP timestamp units at the stream's clock rate) and the round
// trip from LSR/DLSR against our sender reports (common/Ntp.hpp). This is the server's view of the
// receiver's downlink; nothing in a block is trusted beyond its range (a jitter of 2^32 units is read
// as such, an LSR we never sent gives no round trip).
// Worker thread only; no allocation.
#include <cstdint>
#include <optional>

#include "webrtc/rtcp/ReportBlock.hpp"

namespace medicall::media::router {

class ReportBlockStats {
 public:
  // A round trip above this is not one (an LSR that was never ours, or a stale one): it is ignored.
  static constexpr int64_t kMaxRttUs = 10'000'000;

  explicit ReportBlockStats(uint32_t clockRate) : clockRate_(clockRate == 0 ? 1 : clockRate) {}

  // A block about the stream arrived at nowMs (the router's clock), arrivalCompact being our wall
  // clock then in compact NTP.
  void OnReportBlock(const webrtc::rtcp::ReportBlock& block, uint32_t arrivalCompact, int64_t nowMs);

  uint64_t Reports() const { return reports_; }  // 0: none yet (the figures below are 0)
  int64_t LastReportMs() const { return lastReportMs_; }
  double FractionLost() const { return fractionLost_ / 256.0; }  // 0..1, since the receiver's previous report
  int32_t CumulativeLost() const { return cumulativeLost_; }     // may be negative (duplicates)
  uint32_t ExtendedHighestSeq() const { return extendedHighestSeq_; }
  double JitterMs() const { return jitter_ * 1000.0 / clockRate_; }
  // The latest round trip measured (a block without LSR, or with a bad one, leaves it).
  std::optional<int64_t> RttUs() const { return rttUs_; }
  int64_t RttAtMs() const { return rttAtMs_; }

 private:
  uint32_t clockRate_;
  uint64_t reports_ = 0;
  int64_t lastReportMs_ = 0;
  uint8_t fractionLost_ = 0;
  int32_t cumulativeLost_ = 0;
  uint32_t extendedHighestSeq_ = 0;
  uint32_t jitter_ = 0;
  std::optional<int64_t> rttUs_;
  int64_t rttAtMs_ = 0;
};

}  // namespace medicall::media::router
