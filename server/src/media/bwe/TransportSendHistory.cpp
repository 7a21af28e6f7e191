#include "media/bwe/TransportSendHistory.hpp"

namespace medicall::media::bwe {

using webrtc::rtcp::TransportFeedback;

void TransportSendHistory::OnSent(uint16_t transportSequence, size_t size, int64_t sendUs,
                                  int probeClusterId) {
  const int64_t sequence = sent_.Unwrap(transportSequence);
  if (sequence > highest_) highest_ = sequence;
  Slot& slot = slots_[static_cast<size_t>(sequence % kWindow)];
  slot.sequence = sequence;
  slot.sendUs = sendUs;
  slot.size = static_cast<uint32_t>(size);
  slot.probeClusterId = probeClusterId;
  slot.state = State::kPending;
}

int64_t TransportSendHistory::UnwrapReference(const TransportFeedback& feedback) {
  constexpr int64_t kRange = int64_t{1} << 24;
  const int64_t raw = static_cast<int64_t>(feedback.ReferenceTime()) & (kRange - 1);
  if (!referenceTicks_) {
    referenceTicks_ = raw;
  } else {
    int64_t delta = (raw - (*referenceTicks_ & (kRange - 1))) & (kRange - 1);
    if (delta >= kRange / 2) delta -= kRange;  // an older feedback (reordered): backwards
    referenceTicks_ = *referenceTicks_ + delta;
  }
  return *referenceTicks_ * TransportFeedback::kReferenceTickUs;
}

}  // namespace medicall::media::bwe
