#include "media/router/ReportBlockStats.hpp"

#include "common/Ntp.hpp"

namespace medicall::media::router {

void ReportBlockStats::OnReportBlock(const webrtc::rtcp::ReportBlock& block, uint32_t arrivalCompact,
                                     int64_t nowMs) {
  ++reports_;
  lastReportMs_ = nowMs;
  fractionLost_ = block.fractionLost;
  cumulativeLost_ = block.cumulativeLost;
  extendedHighestSeq_ = block.extendedHighestSeq;
  jitter_ = block.jitter;
  const int64_t rtt = ntp::RoundTripUs(arrivalCompact, block.lastSr, block.delaySinceLastSr);
  if (rtt >= 0 && rtt <= kMaxRttUs) {
    rttUs_ = rtt;
    rttAtMs_ = nowMs;
  }
}

}  // namespace medicall::media::router
