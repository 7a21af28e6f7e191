#pragma once
// In-process meeting for the router tests and bench_router: a server MediaDemuxer with a Router,
// and C++ client peers (WebRtcTransport Role::Client, ICE controlling + DTLS client) on a second
// demuxer, each joining through Router::Subscribe with an OfferBuilder offer shaped like the Chime
// SDK's (audio mid 0, camera mid 1, one recvonly video section per subscribed stream).
// The clients may run on the server's worker or on a worker of their own. The router runs on
// `clock`, a ManualClock the tests advance (throttles, RTT, reports), or on the system clock
// (benchmarks: RouterClock::System).
#include <chrono>
#include <future>
#include <memory>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "common/Bytes.hpp"
#include "common/Clock.hpp"
#include "media/router/Router.hpp"
#include "WorkerTestSupport.hpp"
#include "net/MediaWorker.hpp"
#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/sdp/OfferBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

namespace medicall::media::router::testing {

using namespace std::chrono_literals;

using medicall::testing::OnWorker;
using medicall::testing::WaitFor;

class RecordingListener : public Router::Listener {
 public:
  void OnSourcesChanged() override { ++sourcesChanged; }
  void OnAttendeeDropped(const std::string& attendeeId) override { dropped.push_back(attendeeId); }
  void OnBitrates(const std::string& attendeeId, const std::vector<StreamBitrate>& /*streams*/,
                  uint32_t availableKbps) override {
    bitratesAvailableKbps[attendeeId] = availableKbps;  // the latest BITRATES toward each attendee
  }
  int sourcesChanged = 0;
  std::vector<std::string> dropped;
  std::map<std::string, uint32_t> bitratesAvailableKbps;
};

// One client peer connection.
class TestClient : public webrtc::transport::WebRtcTransport::Listener {
 public:
  TestClient(std::string attendeeId, uint32_t base) : attendeeId(std::move(attendeeId)) {
    audioSsrc = base + 1;
    videoSsrc = base + 2;
    rtxSsrc = base + 3;
  }
  void OnTransportRtp(webrtc::transport::WebRtcTransport&, std::span<uint8_t> p, int64_t) override {
    ++rtpCount;
    if (!keep) return;
    // Padding-only packets (the router's probes and padding toward its estimate, RTX with no payload)
    // apart from the media, which the tests count packet by packet.
    auto parsed = webrtc::rtp::RtpPacket::Parse(p);
    auto& into = parsed && parsed->HasPadding() && parsed->Payload().empty() ? padding : rtp;
    into.emplace_back(p.begin(), p.end());
  }
  void OnTransportRtcp(webrtc::transport::WebRtcTransport&, std::span<uint8_t> p) override {
    rtcp.emplace_back(p.begin(), p.end());
  }
  void OnTransportConnected(webrtc::transport::WebRtcTransport&) override { connected = true; }
  void OnTransportClosed(webrtc::transport::WebRtcTransport&,
                         webrtc::transport::WebRtcTransport::CloseReason) override {
    closed = true;
  }

  // The offer: audio mid 0 (sendrecv), camera mid 1 (sendrecv with SSRCs when sending, else
  // inactive), then `receiveSections` recvonly video sections (mids 2, 3, ...).
  std::string Offer(bool sendVideo, size_t receiveSections) {
    webrtc::sdp::OfferOptions o;
    o.iceUfrag = "cl" + std::to_string(audioSsrc);
    o.icePwd = "client-password-0123456789";
    o.fingerprintSha256 = certificate->Fingerprint();
    o.audioSsrc = audioSsrc;
    o.videoSsrc = videoSsrc;
    o.videoRtxSsrc = rtxSsrc;
    o.msidStream = attendeeId;
    o.includeH264 = offerH264;
    o.recvOnlyVideoSections = receiveSections;
    o.sendVideo = sendVideo;
    ufrag = o.iceUfrag;
    pwd = o.icePwd;
    auto offer = webrtc::sdp::OfferBuilder::Build(o);
    // Another engine's numbering for H.264 (+ RTX), and the video-orientation extension (CVO).
    for (webrtc::sdp::MediaSection& m : offer.media) {
      if (m.kind != webrtc::sdp::MediaKind::Video) continue;
      m.formats.clear();
      for (webrtc::sdp::Codec& c : m.codecs) {
        if (c.payloadType == webrtc::sdp::OfferBuilder::kH264Pt) c.payloadType = h264PayloadType;
        if (c.payloadType == webrtc::sdp::OfferBuilder::kH264RtxPt) {
          c.payloadType = static_cast<uint8_t>(h264PayloadType + 1);
          c.fmtp = "apt=" + std::to_string(h264PayloadType);
        }
        m.formats.push_back(std::to_string(c.payloadType));
      }
      if (videoOrientationId != 0)
        m.extmaps.push_back(
            {videoOrientationId, std::string(webrtc::sdp::uri::kVideoOrientation), std::nullopt});
    }
    return webrtc::sdp::SdpWriter::Write(offer);
  }

  // Creates and starts the client transport towards the answer's candidate (on the client worker).
  bool Connect(const std::string& answerSdp, webrtc::transport::MediaDemuxer& demuxer) {
    auto answer = webrtc::sdp::SdpParser::Parse(answerSdp);
    if (!answer) return false;
    const webrtc::sdp::MediaSection* s = answer->TransportSection();
    if (s == nullptr) return false;
    webrtc::transport::WebRtcTransport::Options co;
    co.role = webrtc::transport::WebRtcTransport::Role::Client;
    co.localUfrag = ufrag;
    co.localPwd = pwd;
    co.remoteUfrag = s->iceUfrag;
    co.remotePwd = s->icePwd;
    co.remoteFingerprint = s->fingerprint->value;
    if (!srtpProfiles.empty()) co.dtls.srtpProfiles = srtpProfiles;
    transport = std::make_unique<webrtc::transport::WebRtcTransport>(co, certificate, demuxer, *this);
    demuxer.Add(*transport);
    demux = &demuxer;
    return transport->Start(
        webrtc::transport::WebRtcTransport::Clock::now(),
        webrtc::stun::TransportAddress::FromString(s->candidates[0].address, s->candidates[0].port));
  }
  void Disconnect() {
    if (transport && demux != nullptr) demux->Remove(*transport);
    transport.reset();
    ownDemux.reset();
  }

  // A VP8 packet: descriptor S=1 PID=0, then a key frame header (P=0, start code) or a delta frame
  // (P=1); the rest of the payload encodes the sequence number.
  static size_t Vp8Packet(uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc, bool keyframe, size_t payload,
                          std::span<uint8_t> out) {
    const size_t size = 12 + payload;
    out[0] = 0x80;
    out[1] = pt;
    WriteU16(&out[2], seq);
    WriteU32(&out[4], ts);
    WriteU32(&out[8], ssrc);
    uint8_t* p = &out[12];
    for (size_t i = 0; i < payload; ++i) p[i] = static_cast<uint8_t>(seq + i);
    p[0] = 0x10;                    // S=1, PID=0
    p[1] = keyframe ? 0x00 : 0x01;  // frame tag: P bit
    p[2] = 0;
    p[3] = 0;
    p[4] = 0x9d;
    p[5] = 0x01;
    p[6] = 0x2a;
    return size;
  }

  std::string attendeeId;
  bool offerH264 = false;  // H.264 constrained baseline in every video section of the offer
  uint8_t h264PayloadType = webrtc::sdp::OfferBuilder::kH264Pt;  // its RTX: the next one
  uint8_t videoOrientationId = 0;                                // 0: CVO not offered
  uint32_t audioSsrc, videoSsrc, rtxSsrc;
  std::string ufrag, pwd;
  std::vector<webrtc::srtp::SrtpProfile> srtpProfiles;  // empty: the default offer (GCM first)
  std::shared_ptr<webrtc::dtls::DtlsCertificate> certificate = webrtc::dtls::DtlsCertificate::Generate();
  std::unique_ptr<webrtc::transport::WebRtcTransport> transport;
  webrtc::transport::MediaDemuxer* demux = nullptr;
  // Each client has its own socket: the server tells peers apart by their address.
  std::unique_ptr<webrtc::transport::MediaDemuxer> ownDemux;
  SubscribeAnswer answer;
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  std::vector<std::vector<uint8_t>> padding;  // padding-only RTP (probes, padding), not in rtp
  uint64_t rtpCount = 0;
  bool keep = true;
  bool connected = false, closed = false;
};

enum class RouterClock { Manual, System };

struct RouterHarness {
  // videoH264: MEDICALL_VIDEO_H264 (on here, so that the codec tests can run H.264; off is the default).
  explicit RouterHarness(bool separateClientWorker = false, RouterClock routerClock = RouterClock::Manual,
                         bool videoH264 = true) {
    serverWorker.Start();
    clientWorker = separateClientWorker ? std::make_unique<net::MediaWorker>("router-clients") : nullptr;
    if (clientWorker) clientWorker->Start();
    Config config;
    config.publicIp = "127.0.0.1";
    config.videoH264 = videoH264;
    OnWorker(serverWorker, [&] {
      serverDemux = std::make_unique<webrtc::transport::MediaDemuxer>(serverWorker);
      serverDemux->Bind("127.0.0.1", 0);
      const Clock& c =
          routerClock == RouterClock::Manual ? static_cast<const Clock&>(clock) : Clock::System();
      router = Router::Create(config, *serverDemux, webrtc::dtls::DtlsCertificate::Generate(), listener, c);
      return 0;
    });
  }
  ~RouterHarness() {
    OnWorker(ClientWorker(), [&] {
      for (auto& c : clients) c->Disconnect();
      return 0;
    });
    OnWorker(serverWorker, [&] {
      router.reset();
      return 0;
    });
    OnWorker(serverWorker, [&] {
      serverDemux.reset();
      return 0;
    });
    if (clientWorker) clientWorker->Stop();
    serverWorker.Stop();
  }
  net::MediaWorker& ClientWorker() { return clientWorker ? *clientWorker : serverWorker; }

  TestClient& AddClient(const std::string& attendeeId) {
    clients.push_back(
        std::make_unique<TestClient>(attendeeId, 0x10000000u * static_cast<uint32_t>(clients.size() + 1)));
    TestClient& c = *clients.back();
    OnWorker(ClientWorker(), [&] {
      c.ownDemux = std::make_unique<webrtc::transport::MediaDemuxer>(ClientWorker());
      c.ownDemux->Bind("127.0.0.1", 0);
      return 0;
    });
    return c;
  }
  // SUBSCRIBE as the Chime SDK sends it; connects the client the first time.
  SubscribeAnswer Subscribe(TestClient& c, bool sendVideo, const std::vector<uint32_t>& receiveStreams) {
    SubscribeParams params;
    params.attendeeId = c.attendeeId;
    params.externalUserId = "ext-" + c.attendeeId;
    params.sendsVideo = sendVideo;
    params.videoMaxBitrateKbps = 1500;
    params.sdpOffer = c.Offer(sendVideo, receiveStreams.size());
    params.receiveStreamIds.push_back(0);  // the camera section
    params.receiveStreamIds.insert(params.receiveStreamIds.end(), receiveStreams.begin(),
                                   receiveStreams.end());
    c.answer = OnWorker(serverWorker, [&] { return router->Subscribe(params); });
    if (c.answer.status == 200 && !c.transport) {
      OnWorker(ClientWorker(), [&] { return c.Connect(c.answer.sdpAnswer, *c.ownDemux); });
    }
    return c.answer;
  }

  // The test thread advances it while the router reads it on its worker (ManualClock is atomic).
  ManualClock clock;
  net::MediaWorker serverWorker{"router-server"};
  std::unique_ptr<net::MediaWorker> clientWorker;
  std::unique_ptr<webrtc::transport::MediaDemuxer> serverDemux;
  RecordingListener listener;
  std::unique_ptr<Router> router;
  std::vector<std::unique_ptr<TestClient>> clients;
};

}  // namespace medicall::media::router::testing
