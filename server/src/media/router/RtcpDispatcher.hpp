#pragma once
// Sorts one decrypted RTCP compound packet (RFC 3550 section 6.1) from an attendee into typed
// messages for a Handler: sender reports (RFC 3550 6.4.1), report blocks of SRs and RRs, PLI and FIR
// (RFC 4585 6.3.1, RFC 5104 4.3.1: one keyframe request per media SSRC named), REMB
// (draft-alvestrand-rmcat-remb), generic NACK (RFC 4585 6.2.1) and transport-wide feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01, passed on unparsed). Parsing only; what each
// message means for a stream is the handler's (RouterPeer routes them to the SendStream or RecvStream
// they name). An invalid compound is dropped whole; an unparsable packet in it is skipped.
#include <cstdint>
#include <span>

#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/ReportBlock.hpp"

namespace medicall::media::router {

class RtcpDispatcher {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void OnSenderReport(uint32_t senderSsrc, uint64_t ntpTimestamp) = 0;
    virtual void OnReportBlocks(std::span<const webrtc::rtcp::ReportBlock> blocks) = 0;
    virtual void OnKeyframeRequest(uint32_t mediaSsrc) = 0;
    virtual void OnRemb(uint64_t bitrateBps, std::span<const uint32_t> ssrcs) = 0;
    virtual void OnNack(const webrtc::rtcp::Nack& nack) = 0;
    virtual void OnTransportFeedback(std::span<const uint8_t> /*packet*/) {}
  };
  // False when the compound is not valid RTCP (nothing was dispatched).
  static bool Dispatch(std::span<const uint8_t> compound, Handler& handler);
};

}  // namespace medicall::media::router
