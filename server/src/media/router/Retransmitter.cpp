#include "media/router/Retransmitter.hpp"

#include <algorithm>

#include "common/Ntp.hpp"

namespace medicall::media::router {

Retransmitter::Slot& Retransmitter::SlotFor(uint16_t seq, int64_t nowUs) {
  Slot& slot = slots_[seq % kSlots];
  if (!slot.used || slot.seq != seq || nowUs - slot.firstUs > kForgetAfterUs) {
    slot = Slot{seq, true, 0, 0, nowUs, 0};
  }
  return slot;
}

Retransmitter::Verdict Retransmitter::Check(uint16_t seq, int64_t nowUs) {
  Slot& slot = SlotFor(seq, nowUs);
  if (slot.nack == nack_ && nack_ != 0) return Verdict::kDuplicate;
  slot.nack = nack_;
  if (slot.count >= kMaxPerPacket) return Verdict::kTooMany;
  if (slot.count > 0 && nowUs - slot.resentAtUs < std::max(rttUs_, kMinRttUs)) return Verdict::kTooSoon;
  return Verdict::kSend;
}

void Retransmitter::Resent(uint16_t seq, int64_t nowUs) {
  Slot& slot = SlotFor(seq, nowUs);
  if (slot.count < UINT8_MAX) ++slot.count;
  slot.resentAtUs = nowUs;
}

void Retransmitter::OnReportBlock(uint32_t lastSr, uint32_t delaySinceLastSr, uint32_t arrivalCompact) {
  const int64_t rtt = ntp::RoundTripUs(arrivalCompact, lastSr, delaySinceLastSr);
  if (rtt < 0) return;
  rttUs_ = std::min(rtt, kMaxRttUs);
  hasRtt_ = true;
}

}  // namespace medicall::media::router
