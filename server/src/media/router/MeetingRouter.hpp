#pragma once
// The Router of one meeting (see Router.hpp for the contract): attendees (RouterPeer), their cameras
// (Publisher, one RecvStream per simulcast layer) and subscriptions (Subscription with a SendStream),
// and the per-packet forwarding between them. Worker thread only.
//
// Where things are:
//  - offer/answer: SubscribeNegotiator (pure); this class applies its plan;
//  - forwarding (no allocation, no lock): OnPeerRtp here: publisher RTP arrives decrypted -> its layer
//    (Publisher::ResolveMedia: SSRC or RID) -> RecvStream (sequence, loss, cache, stats) -> each
//    Subscription decides (pause, LayerSelector: switches at key frames) -> SendStream rewrites ->
//    the subscriber transport's PacedSender sends it now or from its queue (audio > RTX > video >
//    padding, at 2.5 x the estimate), encrypted as it leaves;
//  - probing up toward a subscriber: bwe::ProbeController (RouterPeer) decides in AllocateLayers and
//    after each feedback, the PacedSender sends the clusters, the estimator reads their result;
//  - RTCP from an attendee: RtcpDispatcher -> RouterPeer -> the SendStream (NACK: retransmission,
//    report blocks: RTT) or RecvStream (PLI/FIR: KeyframeRequestThrottle, SR) it names; what the
//    attendee's reports and feedback said of its downlink: DownlinkViews (RouterPeer::Downlink);
//  - NACK generation and PLIs to publishers: RecvStream::SendFeedback, from the tick;
//  - transport-cc: arrivals of each attendee's packets -> bwe::TransportFeedbackGenerator -> feedback
//    every tick (and then no REMB to that publisher: its own GCC ramps); the attendee's feedback about
//    what we send it -> bwe::SendSideEstimator (RouterPeer), the bandwidth toward it;
//  - per tick (kTickMs): feedback, layer targets from the bandwidth toward each subscriber (its REMB or
//    SetTargetBitrate, see AllocateLayers); every kReportIntervalMs receiver reports + REMB to
//    publishers and sender reports to subscribers; every kBitratesIntervalMs Listener::OnBitrates.
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/AliveToken.hpp"
#include "common/Clock.hpp"
#include "media/router/Router.hpp"
#include "media/router/RouterContext.hpp"
#include "media/router/RouterPeer.hpp"

namespace medicall::webrtc::sdp {
struct MediaSection;
}

namespace medicall::media::router {

class MeetingRouter final : public Router {
 public:
  static constexpr const char* kVideoAllocationLabel = "AmazonChimeExpressVideo";
  static constexpr uint32_t kFirstStreamId = 2;
  static constexpr uint32_t kDefaultMaxBitrateKbps = 1500;
  static constexpr uint64_t kMinRembBps = 100'000;
  static constexpr int64_t kTickMs = 50;
  static constexpr int64_t kReportIntervalMs = 1000;
  static constexpr int64_t kBitratesIntervalMs = 2000;
  static constexpr int64_t kRembMaxAgeMs = RouterPeer::kRembMaxAgeMs;
  static constexpr size_t kMaxAllocatedStreams = 64;  // video streams toward one attendee, for allocation

  MeetingRouter(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
                std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate, Listener& listener,
                const Clock& clock = Clock::System());
  ~MeetingRouter() override;
  MeetingRouter(const MeetingRouter&) = delete;
  MeetingRouter& operator=(const MeetingRouter&) = delete;

  // Router
  SubscribeAnswer Subscribe(const SubscribeParams& params) override;
  void RemoveAttendee(const std::string& attendeeId) override;
  std::vector<VideoSource> Sources() const override;
  std::vector<webrtc::rtp::VideoCodec> ReceiveCodecIntersection() const override {
    return receiveCodecs_.List();
  }
  void SetAudioMuted(const std::string& attendeeId, bool muted) override;
  bool RequestKeyframeFrom(const std::string& attendeeId) override;
  void SetPaused(const std::string& attendeeId, const std::vector<uint32_t>& streamIds, bool paused) override;
  void UpdateSubscription(const std::string& attendeeId, const std::string& mid, uint32_t streamId) override;
  void SetTargetBitrate(const std::string& attendeeId, uint64_t bps) override;
  void SetVideoPreference(const std::string& attendeeId, const VideoPreference& preference) override;
  void SetAudioSink(AudioSink* sink) override { audioSink_ = sink; }
  Stats GetStats() const override { return context_.stats; }
  std::optional<AudioParams> GetAudioParams(const std::string& attendeeId) const override;
  bool SendRtpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override;
  bool SendRtcpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override;
  std::optional<uint64_t> AvailableOutgoingBitrate(const std::string& attendeeId) const override;
  std::vector<DownlinkView> DownlinkViews() const override;

  // From RouterPeer (transport callbacks).
  // queuedUs: how long the datagram waited in the kernel; the packet arrived at clock_ now minus that.
  void OnPeerRtp(RouterPeer& peer, std::span<uint8_t> packet, int64_t queuedUs = 0);
  void OnPeerConnected(RouterPeer& peer);
  void OnPeerClosed(RouterPeer& peer, webrtc::transport::WebRtcTransport::CloseReason reason);

 private:
  std::unique_ptr<RouterPeer> CreatePeer(const std::string& attendeeId,
                                         const webrtc::sdp::MediaSection& section);
  void RemovePeer(const std::string& attendeeId);
  void StopPublisher(RouterPeer& peer);
  // The camera publishing `streamId` (any of its layers), or nullptr.
  Publisher* FindPublisher(uint32_t streamId) const;
  uint32_t NewSsrc(const RouterPeer& peer) const;
  // Shows `streamId` of `publisher` on the subscription; asks for a key frame when that is new.
  void Attach(Subscription& subscription, Publisher* publisher, uint32_t streamId, int64_t nowMs);
  void ForwardVideo(RouterPeer& peer, Publisher& publisher, int layer, const webrtc::rtp::RtpPacket& rtp,
                    webrtc::rtp::VideoCodec codec, bool retransmitted, int64_t arrivalUs);
  // Recomputes the codec intersection over the attendees; a change goes out in INDEX.
  void UpdateReceiveCodecs();
  // What the meeting may run before anyone's offer narrows it: VP8, and H.264 if MEDICALL_VIDEO_H264.
  ReceiveCodecs MeetingCodecs() const;
  // The layer each of the peer's subscriptions forwards, from the bandwidth toward it.
  void AllocateLayers(RouterPeer& peer, int64_t nowMs);
  void ApplyPreference(RouterPeer& peer, const VideoPreference& preference);
  void SendReports(RouterPeer& peer, int64_t nowMs);
  void SendSenderReports(RouterPeer& peer, int64_t nowUs);
  void ReportBitrates();
  uint64_t EstimateFor(const Publisher& publisher, int64_t nowMs) const;
  // True when a layer is listed in INDEX (see Sources()).
  bool Listed(const Publisher& publisher, size_t layer, int64_t nowMs) const;
  void NotifySourcesChanged();
  void Bury(std::unique_ptr<RouterPeer> peer);
  // Transport-wide congestion control: arrivals of the attendee's packets -> feedback every tick.
  void RecordTransportSequence(RouterPeer& peer, const webrtc::rtp::RtpPacket& rtp, int64_t arrivalUs);
  void SendTransportFeedback(RouterPeer& peer);
  void ScheduleTick();
  void Tick();

  Config config_;
  webrtc::transport::MediaDemuxer& demuxer_;
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate_;
  Listener& listener_;
  const Clock& clock_;
  RouterContext context_;
  AudioSink* audioSink_ = nullptr;
  std::map<std::string, std::unique_ptr<RouterPeer>> peers_;
  std::vector<std::unique_ptr<RouterPeer>> graveyard_;
  uint32_t nextStreamId_ = kFirstStreamId;
  uint32_t nextGroupId_ = 1;
  bool sourcesPending_ = false;
  bool ticking_ = false;
  int64_t lastReportMs_ = 0;
  int64_t lastBitratesMs_ = 0;
  std::vector<uint32_t> listed_;  // stream ids of the last Sources(), to notice layers coming and going
  ReceiveCodecs receiveCodecs_;
  boost::asio::steady_timer timer_;
  AliveToken alive_;
};

}  // namespace medicall::media::router
