#include "media/bwe/TransportFeedbackGenerator.hpp"

#include <algorithm>
#include <cstdlib>

namespace medicall::media::bwe {

using webrtc::rtcp::TransportFeedback;

void TransportFeedbackGenerator::OnPacket(uint16_t transportSequence, int64_t arrivalUs) {
  const int64_t sequence = unwrapper_.Unwrap(transportSequence);
  if (highest_ < 0) {
    baseUs_ = arrivalUs;
    highest_ = sequence;
    nextToReport_ = sequence;
  } else if (sequence > highest_) {
    // A jump past the whole window: what lies between can no longer be reported.
    if (sequence - highest_ >= kWindow) nextToReport_ = sequence;
    highest_ = sequence;
  } else if (sequence <= highest_ - kWindow) {
    return;  // older than anything remembered
  }
  Slot& slot = SlotFor(sequence);
  if (slot.sequence == sequence) return;  // a duplicate: the first arrival counts
  slot.sequence = sequence;
  slot.arrivalUs = arrivalUs - baseUs_;
  nextToReport_ = std::min(nextToReport_, sequence);
  nextToReport_ = std::max(nextToReport_, highest_ - kWindow + 1);
}

size_t TransportFeedbackGenerator::Build(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<uint8_t> out) {
  if (!HasPending()) return 0;
  const int64_t last = std::min<int64_t>(highest_, nextToReport_ + kMaxStatusesPerFeedback - 1);
  size_t count = 0;
  bool anyReceived = false;
  int64_t previousUs = 0;
  for (int64_t s = nextToReport_; s <= last; ++s) {
    const Slot& slot = SlotFor(s);
    TransportFeedback::PacketResult& r = results_[count];
    r.sequenceNumber = static_cast<uint16_t>(s);
    r.received = slot.sequence == s;
    r.arrivalTimeUs = r.received ? slot.arrivalUs : 0;
    if (r.received) {
      // A delta that does not fit ends this feedback before the packet (the next one starts with it).
      if (anyReceived && std::abs(r.arrivalTimeUs - previousUs) >= kMaxDeltaUs) break;
      anyReceived = true;
      previousUs = r.arrivalTimeUs;
    }
    ++count;
  }
  const size_t n = TransportFeedback::Serialize(senderSsrc, mediaSsrc, feedbackCount_,
                                                std::span(results_).first(count), out);
  if (n == 0) return 0;
  nextToReport_ += static_cast<int64_t>(count);
  ++feedbackCount_;
  ++feedbackSent_;
  return n;
}

}  // namespace medicall::media::bwe
