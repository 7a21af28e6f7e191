#pragma once
// One RTP stream we send a subscriber (the video of one of its recvonly mids): our SSRCs (media + RTX,
// stable for the life of the mid), the payload types of the subscriber's answer, and everything about
// sending it:
//  - the RtpRewriter that keeps sequence numbers and timestamps continuous while the source behind it
//    changes (another publisher on a recycled mid, another simulcast layer);
//  - the header extensions in the subscriber's ids (ExtensionTranslator);
//  - the answer to the subscriber's NACKs (RFC 4585 section 6.2.1): resent from the source's cache,
//    as RTX (RFC 4588) when negotiated, deduplicated and paced by the Retransmitter, within the
//    subscriber's byte budget (RtxBudget);
//  - every packet leaves through the subscriber transport's PacedSender (video, RTX, padding);
//  - the subscriber's report blocks about it (ReportBlockStats: loss, jitter, RTT, which also paces the
//    Retransmitter), and our sender reports (RFC 3550 section 6.4.1).
// Worker thread only.
#include <cstdint>
#include <span>
#include <string>

#include "media/router/PacedSender.hpp"
#include "media/router/ReportBlockStats.hpp"
#include "media/router/Retransmitter.hpp"
#include "media/router/RtxBudget.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/ReportBlock.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtp/ExtensionIds.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpRewriter.hpp"

namespace medicall::media::router {

class RecvStream;
class RouterPeer;

class SendStream {
 public:
  static constexpr uint32_t kVideoClockRate = 90000;

  SendStream(RouterPeer& peer, const std::string& mid, uint32_t ssrc, uint32_t rtxSsrc);
  SendStream(const SendStream&) = delete;
  SendStream& operator=(const SendStream&) = delete;

  uint32_t Ssrc() const { return ssrc_; }
  uint32_t RtxSsrc() const { return rtxSsrc_; }
  // Payload types from the answer (rtxPayloadType -1: no RTX, NACKs are answered on the media SSRC).
  void SetPayloadTypes(uint8_t payloadType, int rtxPayloadType);
  uint8_t PayloadType() const { return payloadType_; }
  int RtxPayloadType() const { return rtxPayloadType_; }
  bool Ready() const;  // negotiated and the transport is up

  // Copies `packet` of `source` into scratch, rewrites it for this subscriber and sends it. sourceIds:
  // the publisher's extension ids. False when nothing was sent.
  bool Send(const webrtc::rtp::RtpPacket& packet, const RecvStream& source,
            const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs, std::span<uint8_t> scratch);

  // One RTX packet that carries only `paddingBytes` (1-255) of padding (RFC 3550 section 5.1, on the RTX
  // SSRC of RFC 4588: the subscriber's decoder never sees it) with a transport-wide sequence number, so
  // the estimator toward the subscriber learns what the path carries. Returns its size (0: not sent:
  // no RTX negotiated, no transport-cc, nothing sent on this stream yet, or not connected).
  // Sent at once (the pacer decided it), as part of probe cluster probeClusterId (-1: none).
  size_t SendPadding(uint8_t paddingBytes, int probeClusterId, int64_t nowUs, std::span<uint8_t> scratch);
  bool CanPad() const;
  // The next packet sent continues the output without a gap (after a pause).
  void Restart() { rewriter_.Restart(); }

  // What a NACK from the subscriber led to.
  struct NackOutcome {
    uint32_t sent = 0;        // packets resent
    uint32_t misses = 0;      // not (or no longer) in the source's cache
    uint32_t suppressed = 0;  // named twice, resent less than one RTT ago, or resent too often
    uint32_t overBudget = 0;  // the subscriber's RTX budget was spent
  };
  // Answers a NACK about this stream from the cache of `source` (the stream sent last; nullptr: none).
  // scratch and rtxScratch: two distinct buffers.
  NackOutcome ReceiveNack(const webrtc::rtcp::Nack& nack, RecvStream* source,
                          const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs,
                          std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch, RtxBudget& budget);
  // A report block of the subscriber about this stream, arrived at nowMs (arrivalCompact: our wall
  // clock in compact NTP): its figures, and the RTT for the Retransmitter.
  void ReceiveReportBlock(const webrtc::rtcp::ReportBlock& block, uint32_t arrivalCompact, int64_t nowMs) {
    reports_.OnReportBlock(block, arrivalCompact, nowMs);
    retransmitter_.OnReportBlock(block.lastSr, block.delaySinceLastSr, arrivalCompact);
  }
  const ReportBlockStats& Reports() const { return reports_; }
  // Our sender report at ntpNow / nowUs (the same instant on the wall and the router clock); its RTP
  // timestamp is the newest frame's, advanced from that frame's arrival to nowUs. False when nothing
  // was sent yet.
  bool MakeSenderReport(uint64_t ntpNow, int64_t nowUs, webrtc::rtcp::SenderReport& sr) const;

  const Retransmitter& Retransmissions() const { return retransmitter_; }
  const webrtc::rtp::RtpRewriter& Rewriter() const { return rewriter_; }
  int64_t LastSentUs() const { return lastSentUs_; }  // 0: none yet
  // Octets sent since the last call (BITRATES' per-stream average).
  uint64_t TakeOctets() {
    const uint64_t n = octets_;
    octets_ = 0;
    return n;
  }

 private:
  enum class Resend : uint8_t { kSent, kMiss, kSuppressed, kOverBudget };
  Resend Retransmit(uint16_t outputSequence, RecvStream* source, const webrtc::rtp::ExtensionIds& sourceIds,
                    int64_t nowUs, std::span<uint8_t> scratch, std::span<uint8_t> rtxScratch,
                    RtxBudget& budget);
  size_t BuildRtx(const webrtc::rtp::RtpPacket& copy, std::span<uint8_t> out) const;
  // Where the pacer writes the send time and transport-wide sequence number of `packet` as it leaves.
  PacedSender::SendTimeFields SendTimeFieldsOf(const webrtc::rtp::RtpPacket& packet) const;
  // The subscriber's header extensions (its ids, our mid, send time, transport sequence) on `copy`;
  // where the pacer writes the send time and transport-wide sequence number as the packet leaves.
  PacedSender::SendTimeFields TranslateExtensions(webrtc::rtp::RtpPacket& copy,
                                                  const webrtc::rtp::ExtensionIds& sourceIds, int64_t nowUs);

  RouterPeer& peer_;
  const std::string& mid_;
  uint32_t ssrc_;
  uint32_t rtxSsrc_;
  uint8_t payloadType_ = 0;
  int rtxPayloadType_ = -1;
  webrtc::rtp::RtpRewriter rewriter_;
  Retransmitter retransmitter_;
  ReportBlockStats reports_{kVideoClockRate};
  uint32_t timestampOffset_ = 0;  // output - source timestamp of the current source
  uint32_t anchorTimestamp_ = 0;  // output timestamp of the newest frame sent ...
  int64_t anchorArrivalUs_ = 0;   // ... and when its first packet reached us (0: none yet)
  uint16_t rtxSequence_;
  int64_t lastSentUs_ = 0;
  uint64_t octets_ = 0;
};

}  // namespace medicall::media::router
