#pragma once
// One simulated attendee of the load generator: it joins through MediCall's app API (POST /join), talks
// the Chime signaling protocol on a WebSocket as amazon-chime-sdk-js does (JOIN, SUBSCRIBE with an offer,
// a new SUBSCRIBE when INDEX lists new video, PING every 10 s), and runs a client WebRtcTransport (ICE
// controlling, DTLS client, SRTP) on its own UDP socket on the generator's media worker, sending the
// shared MediaSource and receiving what the server forwards.
//
// Threads: the signaling methods run on the generator's main thread; everything under "media" runs on
// the media worker (the transport's owner). Counters are read on the worker (Snapshot()).
//
// Media toward the server: Opus every 20 ms (mid 0), VP8 frames at the source's rate (mid 1) cut into
// RFC 7741 packets (descriptor with a 15-bit picture id), all with the transport-wide sequence number;
// every video packet's last 8 bytes are the send time (steady clock, microseconds), so a receiving leg
// of the same process measures the forwarding latency. Toward the server's feedback: transport-wide
// feedback every 50 ms (bwe::TransportFeedbackGenerator), a PLI or FIR restarts the video loop at its key
// frame (the next frame sent is the loop's key frame).
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "HttpClient.hpp"
#include "MediaSource.hpp"
#include "WsClient.hpp"
#include "media/bwe/TransportFeedbackGenerator.hpp"
#include "net/MediaWorker.hpp"
#include "signaling/SignalingProtocol.pb.h"
#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/rtp/SeqNumUnwrapper.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"
#include "webrtc/transport/WebRtcTransport.hpp"

namespace medicall::bench::load {

namespace proto = medicall::signaling::proto;

struct LegCounters {
  uint64_t audioSent = 0, videoSent = 0;
  uint64_t audioReceived = 0, videoReceived = 0, otherReceived = 0;  // other: RTX, padding
  uint64_t videoExpected = 0;                                        // by sequence numbers, per source
  uint64_t bytesReceived = 0;
  uint64_t keyframeRequests = 0;
  bool connected = false, closed = false;
  int64_t joinStartUs = 0;                     // when Join() began (steady clock)
  int64_t firstAudioUs = 0, firstVideoUs = 0;  // the first packet of each kind received; 0: none yet
};

class Leg final : public webrtc::transport::WebRtcTransport::Listener {
 public:
  // publish: sends audio and camera video; false: a listener (camera off, microphone muted).
  Leg(std::string name, uint32_t index, net::MediaWorker& worker, const MediaSource& source,
      bool publish = true);
  ~Leg() override;

  // --- signaling (main thread) ---
  // POST /join, signaling socket, JOIN, INDEX, first SUBSCRIBE and its answer; then the transport starts
  // on the worker. False with Error() set on any failure.
  // localIp: the address its UDP socket binds (0.0.0.0: any; the kernel picks the source).
  bool Join(const HttpUrl& server, const std::string& room, const std::string& localIp);
  bool Publishes() const { return publish_; }
  int SignalingFd() const { return ws_.Fd(); }
  // Reads and handles what arrived (INDEX: re-SUBSCRIBE for new video; PONG); sends PING when due.
  void PumpSignaling(int64_t nowMs);
  const std::string& Error() const { return error_; }
  const std::string& AttendeeId() const { return attendeeId_; }
  size_t SubscribedStreams() const { return subscribed_.size(); }
  void Leave();

  // --- media (worker) ---
  void MediaTick(int64_t nowUs);
  LegCounters CountersNow() const;
  // Forwarding latencies seen since the last call (microseconds), moved out.
  std::vector<int32_t> TakeLatencies();

 private:
  void OnTransportRtp(webrtc::transport::WebRtcTransport&, std::span<uint8_t> packet,
                      int64_t queuedUs) override;
  void OnTransportRtcp(webrtc::transport::WebRtcTransport&, std::span<uint8_t> packet) override;
  void OnTransportConnected(webrtc::transport::WebRtcTransport&) override { counters_.connected = true; }
  void OnTransportClosed(webrtc::transport::WebRtcTransport&,
                         webrtc::transport::WebRtcTransport::CloseReason) override {
    counters_.closed = true;
  }

  bool Send(const proto::SdkSignalFrame& frame);
  std::optional<proto::SdkSignalFrame> Await(proto::SdkSignalFrame::Type type, int timeoutMs);
  void Handle(const proto::SdkSignalFrame& frame);
  bool Subscribe();
  std::string Offer(size_t receiveSections) const;
  bool StartTransport(const std::string& answerSdp);
  void SendAudio(int64_t nowUs);
  void SendVideoFrame(int64_t nowUs);
  void SendFeedback();
  bool SendPacket(std::span<const uint8_t> payload, uint8_t pt, uint32_t ssrc, uint16_t seq, uint32_t ts,
                  bool marker, const char* mid);

  const std::string name_;
  net::MediaWorker& worker_;
  const MediaSource& source_;
  const bool publish_;
  std::string error_;

  // signaling
  WsClient ws_;
  std::string attendeeId_;
  std::string externalUserId_;
  std::string audioHost_;
  std::vector<uint32_t> subscribed_;   // stream ids of the recvonly sections, mids 2, 3, ...
  std::set<uint32_t> offeredSources_;  // video streams of others in the latest INDEX
  int64_t nextPingMs_ = 0;
  uint32_t pingId_ = 0;
  bool resubscribe_ = false;

  // media (worker)
  const uint32_t audioSsrc_, videoSsrc_, rtxSsrc_;
  std::string ufrag_, pwd_;
  std::shared_ptr<webrtc::dtls::DtlsCertificate> certificate_ = webrtc::dtls::DtlsCertificate::Generate();
  std::unique_ptr<webrtc::transport::MediaDemuxer> demux_;
  std::unique_ptr<webrtc::transport::WebRtcTransport> transport_;
  uint8_t twccId_ = 3;  // as the answer names it toward us
  uint8_t midId_ = 4;
  uint8_t vp8Pt_ = 96;  // the answer's VP8 payload type
  media::bwe::TransportFeedbackGenerator feedback_;
  uint16_t twccSeq_ = 1, audioSeq_ = 1, videoSeq_ = 1;
  uint32_t audioTs_ = 0, videoTs_ = 0;
  uint16_t pictureId_ = 0;
  size_t audioIndex_ = 0, videoIndex_ = 0;
  int64_t nextAudioUs_ = 0, nextVideoUs_ = 0, nextFeedbackUs_ = 0;
  uint32_t lastRemoteSsrc_ = 0;
  struct SourceSeq {
    webrtc::rtp::SeqNumUnwrapper unwrapper;
    int64_t first = -1, highest = -1;
  };
  std::map<uint32_t, SourceSeq> videoSources_;
  std::vector<int32_t> latencies_;
  LegCounters counters_;
  std::array<uint8_t, 1600> buffer_{};
};

}  // namespace medicall::bench::load
