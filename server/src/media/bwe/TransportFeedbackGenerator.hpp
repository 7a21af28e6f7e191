#pragma once
// The receive side of transport-wide congestion control for one transport (a publisher's): remembers
// the arrival time of each packet by its transport-wide sequence number (the RTP header extension of
// draft-holmer-rmcat-transport-wide-cc-extensions-01 section 2) and turns them into the feedback packets
// of section 3.1 (webrtc/rtcp/TransportFeedback), which the router sends every tick (~50 ms). The
// browser's send-side estimator (GCC, draft-ietf-rmcat-gcc-02) runs on this feedback.
//
// Every packet is reported once, in sequence order; a packet that arrives after its range was reported
// moves the start back so that the next feedback reports it as received (the sender ignores what it
// already knows). Fixed memory, no allocation per packet.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "webrtc/rtcp/TransportFeedback.hpp"
#include "webrtc/rtp/SeqNumUnwrapper.hpp"

namespace medicall::media::bwe {

class TransportFeedbackGenerator {
 public:
  static constexpr int64_t kWindow = 4096;                // packets remembered
  static constexpr size_t kMaxStatusesPerFeedback = 400;  // keeps one feedback under ~1 KB
  static constexpr int64_t kMaxDeltaUs = 8'000'000;       // 16-bit signed deltas of 250 us

  // arrivalUs: monotonic time of the packet's arrival.
  void OnPacket(uint16_t transportSequence, int64_t arrivalUs);
  bool HasPending() const { return highest_ >= 0 && nextToReport_ <= highest_; }

  // Writes the feedback packet for the oldest unreported range (at most kMaxStatusesPerFeedback
  // statuses) into out and returns its size; 0 when nothing is pending or out is too small.
  size_t Build(uint32_t senderSsrc, uint32_t mediaSsrc, std::span<uint8_t> out);

  uint64_t FeedbackSent() const { return feedbackSent_; }

 private:
  struct Slot {
    int64_t sequence = -1;  // unwrapped; -1: empty
    int64_t arrivalUs = 0;
  };
  Slot& SlotFor(int64_t sequence) { return slots_[static_cast<size_t>(sequence % kWindow)]; }

  webrtc::rtp::SeqNumUnwrapper unwrapper_;
  std::array<Slot, kWindow> slots_{};
  std::array<webrtc::rtcp::TransportFeedback::PacketResult, kMaxStatusesPerFeedback> results_{};
  int64_t highest_ = -1;
  int64_t nextToReport_ = 0;
  int64_t baseUs_ = 0;  // arrival times are written relative to the first packet's
  uint8_t feedbackCount_ = 0;
  uint64_t feedbackSent_ = 0;
};

}  // namespace medicall::media::bwe
