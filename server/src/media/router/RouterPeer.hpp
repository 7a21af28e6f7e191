#pragma once
// One attendee of a routed meeting: its server WebRtcTransport (ICE-lite, DTLS server, registered with
// the demuxer), what the last offer/answer negotiated (extension ids, audio SSRCs and payload type),
// its subscriptions by mid and, while its camera is on, its Publisher. RTP and transport events go to
// the MeetingRouter, which does the routing; the attendee's RTCP is dispatched here (RtcpDispatcher) to
// the stream each message names: NACKs and report blocks to the SendStream of a subscription, PLI/FIR
// to the RecvStream that subscription shows, sender reports to the publisher's RecvStream, REMB to the
// attendee's downlink estimate, report blocks about the mixed audio we send it to audioReports. With the
// NACK / keyframe-request / resend counters that is the server's view of its downlink (Downlink()).
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "media/bwe/SendSideEstimator.hpp"
#include "media/bwe/ProbeController.hpp"
#include "media/bwe/TransportFeedbackGenerator.hpp"
#include "media/router/PacedSender.hpp"
#include "media/router/Publisher.hpp"
#include "media/router/ReceiveCodecs.hpp"
#include "media/router/RecvStream.hpp"
#include "media/router/ReportBlockStats.hpp"
#include "media/router/Router.hpp"
#include "media/router/RtxBudget.hpp"
#include "media/router/Subscription.hpp"
#include "media/router/RtcpDispatcher.hpp"
#include "webrtc/rtp/ExtensionIds.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"
#include "webrtc/transport/WebRtcTransport.hpp"

namespace medicall::media::router {

class MeetingRouter;
struct RouterContext;

class RouterPeer final : public webrtc::transport::WebRtcTransport::Listener,
                         public RtcpDispatcher::Handler,
                         public FeedbackTarget {
 public:
  static constexpr int64_t kRembMaxAgeMs = 5000;
  // A receiver's REMB starts low and is set to its measured throughput after about 5 s (libwebrtc's
  // AimdRateControl initialisation): until then it says nothing about the link.
  static constexpr int64_t kRembWarmupMs = 8000;
  static constexpr uint32_t kAudioClockRate = 48000;  // Opus RTP clock (RFC 7587 section 4.1)

  RouterPeer(MeetingRouter& router, RouterContext& context, std::string attendeeId,
             webrtc::transport::WebRtcTransport::Options options,
             std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
             webrtc::transport::MediaDemuxer& demuxer);
  ~RouterPeer() override;
  RouterPeer(const RouterPeer&) = delete;
  RouterPeer& operator=(const RouterPeer&) = delete;

  // Registers with the demuxer and starts the transport; false on an unusable remote fingerprint.
  bool Start();
  // Unregisters and closes the transport (idempotent). The object may be destroyed later.
  void Shutdown();

  const std::string& AttendeeId() const { return attendeeId_; }
  std::string externalUserId;
  webrtc::transport::WebRtcTransport& Transport() { return *transport_; }

  // FeedbackTarget: what our receive streams send to this (publishing) attendee.
  uint32_t FeedbackSenderSsrc() const override { return audioSsrc; }
  bool FeedbackConnected() const override { return transport_->IsConnected(); }
  bool SendFeedbackRtcp(std::span<uint8_t> buffer, size_t length) override {
    return transport_->SendRtcp(buffer, length);
  }
  const std::string& LocalUfrag() const { return transport_->LocalUfrag(); }
  const std::string& LocalPwd() const { return localPwd_; }
  const std::string& RemoteUfrag() const { return remoteUfrag_; }

  // Negotiated by the last answer.
  webrtc::rtp::ExtensionIds extensions;
  ReceiveCodecs decodes = ReceiveCodecs::Vp8Only();  // what its browser decodes (its offer)
  std::string sessionId;
  uint64_t sessionVersion = 0;
  std::string audioMid;
  uint32_t audioSsrc = 0;        // ours (a=ssrc in the answer's audio section)
  std::string audioStream;       // its a=msid stream, kept for the connection (SubscribeNegotiator)
  uint32_t remoteAudioSsrc = 0;  // the attendee's (0: any)
  int audioPayloadType = -1;     // Opus
  bool audioMuted = false;
  std::string publisherMid;  // the attendee's camera send section
  // The transport-wide sequence number of a packet of `size` bytes sent now (remembered by the estimator
  // with the probe cluster it belongs to, -1: none). Called by the pacer as the packet leaves.
  uint16_t NextTransportSequence(size_t size, int64_t nowUs, int probeClusterId = -1) {
    ++transportSequence_;
    sendEstimator.OnPacketSent(transportSequence_, size, nowUs, probeClusterId);
    return transportSequence_;
  }
  // One padding-only RTX packet of about `bytes` (the pacer's padding and probes) on the first stream
  // that can carry it; its size (0: none can: no RTX or transport-cc, nothing sent yet).
  size_t SendPadding(size_t bytes, int probeClusterId, int64_t nowUs, std::span<uint8_t> scratch);
  bool CanPad() const;
  std::span<uint8_t> PaddingScratch();
  // What the attendee's streams ask for in all (MeetingRouter::AllocateLayers): the cap of probes.
  uint64_t askedBps = 0;
  // The pacer's target from the bandwidth toward the attendee, and further probing after a feedback.
  void UpdatePacing(int64_t nowUs);
  // Probes up (bwe::ProbeController) through the pacer.
  void StartProbes(const bwe::ProbeController::Probes& probes, int64_t nowUs);
  bwe::ProbeController probeController;
  // What all retransmissions to this attendee may spend (RTX and plain resends, every stream).
  RtxBudget rtxBudget;
  // Arrivals of the attendee's packets by transport-wide sequence number (when transport-cc is negotiated).
  bwe::TransportFeedbackGenerator feedbackGenerator;
  // The estimate of what we can send the attendee, from its transport-wide feedback about our packets.
  bwe::SendSideEstimator sendEstimator;
  // Every packet we send the attendee but its audio (which it only counts): paced and probed.
  PacedSender pacer;

  std::map<std::string, std::unique_ptr<Subscription>> subscriptions;  // by mid
  std::unique_ptr<Publisher> publisher;
  Subscription* FindSubscriptionBySsrc(uint32_t ssrc);
  bool UsesSsrc(uint32_t ssrc) const;

  // The bandwidth toward this attendee: a target when one was set (SetTargetBitrate), else the send-side
  // estimate once its transport-wide feedback arrived (sendEstimator), else its latest REMB while
  // fresh and past the warm-up; 0 = unknown.
  uint64_t AvailableBitrateBps(int64_t nowMs) const;
  void SetTargetBitrate(uint64_t bps) { targetBitrateBps_ = bps; }
  // Only an estimator's target (0: none). Chromium's REMB toward us was measured at 200-300 kbit/s while
  // it received over 2 Mbit/s of clean loopback video (tests/e2e/simulcast.test.mjs), so REMB does not
  // choose layers nor go into BITRATES: the SDK adapts from its own estimate until an estimator is set.
  uint64_t TargetBitrateBps() const { return targetBitrateBps_; }
  // What BITRATES' server_available_outgoing_bitrate tells the SDK (it overrides the client's
  // availableIncomingBitrate, which its priority policy picks layers by): a set target, else our own
  // send-side estimate once transport-wide feedback about what we send arrived; 0 (absent) with REMB only.
  uint64_t OutgoingEstimateBps() const;
  uint64_t RembBps() const { return rembBps_; }

  // The attendee's report blocks about the mixed audio we send it (on audioSsrc, built by the mixer,
  // which also sends the sender reports they answer).
  ReportBlockStats audioReports{kAudioClockRate};
  // What the attendee, as a receiver, sent us about our streams, and what we resent it.
  struct DownlinkCounters {
    uint64_t nacks = 0;             // NACK messages naming one of our video streams
    uint64_t keyframeRequests = 0;  // PLIs and FIR entries naming one of them
    uint64_t retransmissions = 0;   // packets resent after those NACKs
  };
  const DownlinkCounters& Counters() const { return counters_; }
  // The server's view of the attendee's downlink now (Router::DownlinkViews).
  DownlinkView Downlink(int64_t nowMs) const;

  // RtcpDispatcher::Handler
  void OnSenderReport(uint32_t senderSsrc, uint64_t ntpTimestamp) override;
  void OnReportBlocks(std::span<const webrtc::rtcp::ReportBlock> blocks) override;
  void OnKeyframeRequest(uint32_t mediaSsrc) override;
  void OnRemb(uint64_t bitrateBps, std::span<const uint32_t> ssrcs) override;
  void OnNack(const webrtc::rtcp::Nack& nack) override;
  void OnTransportFeedback(std::span<const uint8_t> packet) override;

  // WebRtcTransport::Listener
  void OnTransportRtp(webrtc::transport::WebRtcTransport& transport, std::span<uint8_t> packet,
                      int64_t queuedUs) override;
  void OnTransportRtcp(webrtc::transport::WebRtcTransport& transport, std::span<uint8_t> packet) override;
  void OnTransportConnected(webrtc::transport::WebRtcTransport& transport) override;
  void OnTransportClosed(webrtc::transport::WebRtcTransport& transport,
                         webrtc::transport::WebRtcTransport::CloseReason reason) override;

 private:
  MeetingRouter& router_;
  RouterContext& context_;
  std::string attendeeId_;
  std::string localPwd_;
  std::string remoteUfrag_;
  webrtc::transport::MediaDemuxer& demuxer_;
  std::unique_ptr<webrtc::transport::WebRtcTransport> transport_;
  bool registered_ = false;
  uint16_t transportSequence_ = 0;
  uint64_t rembBps_ = 0;
  int64_t rembAtMs_ = 0;
  int64_t firstRembMs_ = 0;
  uint64_t targetBitrateBps_ = 0;
  DownlinkCounters counters_;
};

}  // namespace medicall::media::router
