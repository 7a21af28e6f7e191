#pragma once
// The send side of transport-wide congestion control for one transport (a subscriber's): the send time
// and size of each packet by the transport-wide sequence number we wrote into it, matched against the
// receiver's feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01 section 3.1) to give the
// estimator (SendSideEstimator) one PacketFeedback per packet, in send order. The feedback's 24-bit
// reference time is unwrapped across packets; a packet is reported received once and lost at most once
// (a feedback that repeats a range, or reports late a packet it called lost, changes nothing twice).
// Fixed memory, no allocation.
#include <array>
#include <cstdint>
#include <optional>

#include "media/bwe/PacketFeedback.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"
#include "webrtc/rtp/SeqNumUnwrapper.hpp"

namespace medicall::media::bwe {

class TransportSendHistory {
 public:
  static constexpr int64_t kWindow = 8192;  // packets remembered (~8 s at 8 Mbit/s)

  // probeClusterId: the probe cluster the packet belongs to (-1: none).
  void OnSent(uint16_t transportSequence, size_t size, int64_t sendUs, int probeClusterId = -1);

  // Calls on(const PacketFeedback&) for each packet of the feedback that we sent and had not yet
  // reported in that state, in sequence order. Returns how many.
  template <typename F>
  size_t OnFeedback(const webrtc::rtcp::TransportFeedback& feedback, F&& on) {
    const int64_t offsetUs = UnwrapReference(feedback) - feedback.ReferenceTimeUs();
    size_t count = 0;
    feedback.ForEachPacket([&](const webrtc::rtcp::TransportFeedback::PacketResult& r) {
      const int64_t sequence = sent_.PeekUnwrap(r.sequenceNumber);
      if (sequence > highest_ || sequence <= highest_ - kWindow) return;
      Slot& slot = slots_[static_cast<size_t>(sequence % kWindow)];
      if (slot.sequence != sequence) return;
      if (r.received ? slot.state == State::kReceived : slot.state != State::kPending) return;
      slot.state = r.received ? State::kReceived : State::kLost;
      PacketFeedback p;
      p.sendUs = slot.sendUs;
      p.size = slot.size;
      p.probeClusterId = slot.probeClusterId;
      if (r.received) p.arrivalUs = r.arrivalTimeUs + offsetUs;
      on(p);
      ++count;
    });
    return count;
  }

 private:
  enum class State : uint8_t { kPending, kLost, kReceived };
  struct Slot {
    int64_t sequence = -1;
    int64_t sendUs = 0;
    uint32_t size = 0;
    int32_t probeClusterId = -1;
    State state = State::kPending;
  };
  // The reference time in microseconds, continuous across the 24-bit wrap.
  int64_t UnwrapReference(const webrtc::rtcp::TransportFeedback& feedback);

  webrtc::rtp::SeqNumUnwrapper sent_;
  std::array<Slot, kWindow> slots_{};
  int64_t highest_ = -1;
  std::optional<int64_t> referenceTicks_;  // unwrapped, 64 ms units
};

}  // namespace medicall::media::bwe
