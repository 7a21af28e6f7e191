#pragma once
// The Router of one meeting (see Router.hpp for the contract): attendees (RouterPeer), their video
// publishers and subscriptions, and the per-packet forwarding between them. Worker thread only.
//
// Forwarding path (no allocation, no lock): publisher RTP arrives decrypted in the receive buffer ->
// stats, key frame detection, copy into the publisher's cache -> per subscription: copy into one
// send buffer, rewrite SSRC/sequence/timestamp/payload type and header extensions, encrypt, send.
// Feedback: subscriber PLI/FIR -> PLI to the publisher, at most one per second (KeyframeRequestThrottle:
// later requests wait for the next key frame); subscriber NACK -> retransmission from the publisher's
// cache (RTX when negotiated), deduplicated, at most once per RTT and a few times per packet
// (Retransmitter), within the subscriber's byte budget (RtxBudget); subscriber receiver reports -> the
// RTT of each stream we send; subscriber REMB -> the publisher's REMB (the
// minimum of its subscribers' estimates, capped by its SUBSCRIBE max bitrate), sent with a receiver
// report every second, unless the publisher negotiated transport-cc: then every tick it gets
// transport-wide feedback about the packets it sent (bwe::TransportFeedbackGenerator) and no REMB.
#include <array>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/AliveToken.hpp"
#include "common/Clock.hpp"
#include "media/router/Router.hpp"
#include "media/router/RouterPeer.hpp"
#include "webrtc/srtp/SrtpProfile.hpp"

namespace medicall::webrtc::rtcp {
struct ReportBlock;
}

namespace medicall::media::router {

class MeetingRouter final : public Router {
 public:
  static constexpr const char* kVideoAllocationLabel = "AmazonChimeExpressVideo";
  static constexpr const char* kAudioStreamId = "mixed_audio";
  static constexpr const char* kAudioTrackId = "mixed_audio_track";
  static constexpr const char* kCname = "medicall";
  static constexpr uint32_t kFirstStreamId = 2;
  static constexpr uint32_t kDefaultMaxBitrateKbps = 1500;
  static constexpr uint64_t kMinRembBps = 100'000;
  static constexpr int64_t kTickMs = 50;
  static constexpr int64_t kReportIntervalMs = 1000;
  static constexpr int64_t kRembMaxAgeMs = 5000;
  static constexpr size_t kMaxAllocatedStreams = 64;

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
  void SetAudioMuted(const std::string& attendeeId, bool muted) override;
  void SetAudioSink(AudioSink* sink) override { audioSink_ = sink; }
  Stats GetStats() const override { return stats_; }
  std::optional<AudioParams> GetAudioParams(const std::string& attendeeId) const override;
  bool SendRtpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override;
  bool SendRtcpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override;
  std::optional<uint64_t> AvailableOutgoingBitrate(const std::string& attendeeId) const override;

  // From RouterPeer (transport callbacks).
  void OnPeerRtp(RouterPeer& peer, std::span<uint8_t> packet);
  void OnPeerRtcp(RouterPeer& peer, std::span<uint8_t> packet);
  void OnPeerConnected(RouterPeer& peer);
  void OnPeerClosed(RouterPeer& peer, webrtc::transport::WebRtcTransport::CloseReason reason);

 private:
  static constexpr size_t kBufferSize = 1500 + webrtc::srtp::kSrtpMaxTrailerLength;

  std::unique_ptr<RouterPeer> CreatePeer(const std::string& attendeeId,
                                         const webrtc::sdp::MediaSection& section);
  void RemovePeer(const std::string& attendeeId);
  void StopPublisher(RouterPeer& peer);
  Publisher* FindPublisher(uint32_t streamId) const;
  uint32_t NewSsrc(const RouterPeer& peer) const;
  void ForwardVideo(RouterPeer& peer, Publisher& publisher, const webrtc::rtp::RtpPacket& rtp,
                    bool retransmitted);
  void SendNacks(Publisher& publisher, int64_t nowMs);
  // A subscriber needs a key frame of `publisher`: a PLI now if none went out within the interval.
  void RequestKeyframe(Publisher& publisher, int64_t nowMs);
  // Sends the PLI if one is pending and due.
  void MaybeSendPli(Publisher& publisher, int64_t nowMs);
  bool SendPli(Publisher& publisher);
  void OnReportBlocks(RouterPeer& peer, std::span<const webrtc::rtcp::ReportBlock> blocks,
                      uint32_t arrivalCompact);
  void SendReports(RouterPeer& peer, int64_t nowMs);
  void SendSenderReports(RouterPeer& peer, int64_t nowUs);
  uint64_t EstimateFor(const Publisher& publisher, int64_t nowMs) const;
  // This stream's part of its subscriber's REMB (0: no fresh REMB).
  uint64_t RembShare(const Subscription& subscription, int64_t nowMs) const;
  void NotifySourcesChanged();
  void Bury(std::unique_ptr<RouterPeer> peer);
  // Transport-wide congestion control: arrivals of the attendee's packets -> feedback every tick.
  void RecordTransportSequence(RouterPeer& peer, const webrtc::rtp::RtpPacket& rtp);
  void SendTransportFeedback(RouterPeer& peer);
  // The attendee's feedback about the packets we sent it: its transport's send-side estimate.
  void OnTransportFeedback(RouterPeer& peer, std::span<const uint8_t> packet, int64_t nowUs);
  void ScheduleTick();
  void Tick();

  Config config_;
  webrtc::transport::MediaDemuxer& demuxer_;
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate_;
  Listener& listener_;
  const Clock& clock_;
  AudioSink* audioSink_ = nullptr;
  std::map<std::string, std::unique_ptr<RouterPeer>> peers_;
  std::vector<std::unique_ptr<RouterPeer>> graveyard_;
  uint32_t nextStreamId_ = kFirstStreamId;
  uint32_t nextGroupId_ = 1;
  bool sourcesPending_ = false;
  bool ticking_ = false;
  int64_t lastReportMs_ = 0;
  boost::asio::steady_timer timer_;
  AliveToken alive_;
  Stats stats_;
  std::array<uint8_t, kBufferSize> sendBuffer_{};
  std::array<uint8_t, kBufferSize> rtxBuffer_{};
  std::array<uint8_t, kBufferSize> rtcpBuffer_{};
  std::array<uint16_t, 64> nackList_{};
};

}  // namespace medicall::media::router
