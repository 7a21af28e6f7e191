#pragma once
// One subscriber m-section (an attendee's recvonly video transceiver, keyed by its mid): the SSRCs we
// send on (media + RTX, stable for the life of the mid, so a recycled mid keeps its stream), the
// payload types of the subscriber's offer, and the RtpRewriter that keeps sequence numbers and
// timestamps continuous while the publisher behind the mid changes. After every (re)attachment the
// subscription waits for a key frame before it forwards anything.
#include <cstdint>
#include <span>
#include <string>

#include "media/router/Retransmitter.hpp"
#include "media/router/RtxBudget.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpRewriter.hpp"
#include "webrtc/sdp/AnswerBuilder.hpp"

namespace medicall::media::router {

class Publisher;
class RouterPeer;

class Subscription {
 public:
  Subscription(RouterPeer& peer, std::string mid, uint32_t ssrc, uint32_t rtxSsrc);
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  RouterPeer& Peer() const { return peer_; }
  const std::string& Mid() const { return mid_; }
  const std::string& TrackLabel() const { return label_; }  // "v_<mid>"
  uint32_t Ssrc() const { return ssrc_; }
  uint32_t RtxSsrc() const { return rtxSsrc_; }

  // Payload types from the answer (rtxPayloadType -1: no RTX, NACKs are answered on the media SSRC).
  void SetPayloadTypes(uint8_t payloadType, int rtxPayloadType);
  uint8_t PayloadType() const { return payloadType_; }
  int RtxPayloadType() const { return rtxPayloadType_; }

  Publisher* Source() const { return source_; }
  uint32_t StreamId() const { return streamId_; }
  // Attaches to `publisher` (nullptr: detaches). Returns true when the source changed.
  bool SetSource(Publisher* publisher);
  void WaitForKeyframe() { waitingForKeyframe_ = true; }
  bool WaitingForKeyframe() const { return waitingForKeyframe_; }

  // Copies `packet` (from the source, parsed) into scratch, rewrites it for this subscriber and sends
  // it. sourceIds: the publisher's extension ids. False when nothing was sent.
  bool Forward(const webrtc::rtp::RtpPacket& packet, bool keyframe,
               const webrtc::sdp::ExtensionIds& sourceIds, int64_t nowUs, std::span<uint8_t> scratch);
  // What a NACK from the subscriber led to.
  struct NackOutcome {
    uint32_t sent = 0;        // packets resent
    uint32_t misses = 0;      // not (or no longer) in the source's cache
    uint32_t suppressed = 0;  // named twice, resent less than one RTT ago, or resent too often
    uint32_t overBudget = 0;  // the subscriber's RTX budget was spent
  };
  // Answers a NACK about this stream: each packet it names is resent from the source's cache (as RTX
  // when negotiated) if the Retransmitter allows it and the subscriber's budget has room.
  // scratch and rtxScratch: two distinct buffers.
  NackOutcome OnNack(const webrtc::rtcp::Nack& nack, const webrtc::sdp::ExtensionIds& sourceIds,
                     int64_t nowUs, std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch,
                     RtxBudget& budget);
  // A report block of the subscriber about this stream (RTT for the Retransmitter).
  void OnReportBlock(uint32_t lastSr, uint32_t delaySinceLastSr, uint32_t arrivalCompact) {
    retransmitter_.OnReportBlock(lastSr, delaySinceLastSr, arrivalCompact);
  }
  const Retransmitter& Retransmissions() const { return retransmitter_; }

  // Latest receiver estimate (REMB) the subscriber sent about this stream.
  void OnRemb(uint64_t bitrateBps, int64_t nowMs) {
    rembBps_ = bitrateBps;
    rembAtMs_ = nowMs;
  }
  uint64_t RembBps() const { return rembBps_; }
  int64_t RembAtMs() const { return rembAtMs_; }
  const webrtc::rtp::RtpRewriter& Rewriter() const { return rewriter_; }
  // Monotonic time of the last packet sent (0: none yet), for sender reports.
  int64_t LastSentUs() const { return lastSentUs_; }

 private:
  enum class Resend : uint8_t { kSent, kMiss, kSuppressed, kOverBudget };
  // Resends the packet the subscriber knows as `outputSequence`.
  Resend Retransmit(uint16_t outputSequence, const webrtc::sdp::ExtensionIds& sourceIds, int64_t nowUs,
                    std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch, RtxBudget& budget);
  // The subscriber's header extensions (its ids, our mid, send time, transport sequence) on `copy`.
  void TranslateExtensions(webrtc::rtp::RtpPacket& copy, const webrtc::sdp::ExtensionIds& sourceIds,
                           int64_t nowUs);
  // Rewrites the copy in scratch; false when it must not be sent.
  bool Prepare(webrtc::rtp::RtpPacket& copy, const webrtc::sdp::ExtensionIds& sourceIds, int64_t nowUs);

  RouterPeer& peer_;
  std::string mid_;
  std::string label_;
  uint32_t ssrc_;
  uint32_t rtxSsrc_;
  uint8_t payloadType_ = 0;
  int rtxPayloadType_ = -1;
  Publisher* source_ = nullptr;
  uint32_t streamId_ = 0;
  bool waitingForKeyframe_ = true;
  webrtc::rtp::RtpRewriter rewriter_;
  Retransmitter retransmitter_;
  uint32_t timestampOffset_ = 0;  // output - source timestamp of the current source
  uint16_t rtxSequence_;
  int64_t lastSentUs_ = 0;
  uint64_t rembBps_ = 0;
  int64_t rembAtMs_ = 0;
};

}  // namespace medicall::media::router
