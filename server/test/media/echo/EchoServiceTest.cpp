// The echo endpoint against the C++ client role (a second interop peer besides Chromium): the
// client offers audio + video (OfferBuilder), POSTs it to EchoService, connects with ICE + DTLS,
// sends RTP and must get it back decrypted on the server's SSRCs from the answer; PLI and NACK
// about the server's video are forwarded to the client's own video SSRC. Both SRTP profiles.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <future>
#include <nlohmann/json.hpp>
#include <new>
#include <thread>

#include "WorkerTestSupport.hpp"
#include "common/Bytes.hpp"
#include "media/echo/EchoService.hpp"
#include "webrtc/sdp/OfferBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

// Heap allocations made by the thread that has counting switched on (the media worker, during
// the steady-state window of EchoServiceTest.NoHeapAllocationPerEchoedPacket).
namespace {
thread_local bool tCountAllocations = false;
std::atomic<uint64_t> gAllocations{0};
void* CountedAlloc(std::size_t n) {
  if (tCountAllocations) ++gAllocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
}  // namespace
void* operator new(std::size_t n) { return CountedAlloc(n); }
void* operator new[](std::size_t n) { return CountedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  if (tCountAllocations) ++gAllocations;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  if (tCountAllocations) ++gAllocations;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace medicall::media::echo {
namespace {

using namespace std::chrono_literals;
using webrtc::transport::MediaDemuxer;
using webrtc::transport::WebRtcTransport;
namespace sdp = webrtc::sdp;

using medicall::testing::OnWorker;
using medicall::testing::WaitFor;

class ClientEvents : public WebRtcTransport::Listener {
 public:
  void OnTransportRtp(WebRtcTransport&, std::span<uint8_t> p, int64_t) override {
    ++rtpCount;
    if (store) rtp.emplace_back(p.begin(), p.end());
  }
  void OnTransportRtcp(WebRtcTransport&, std::span<uint8_t> p) override {
    rtcp.emplace_back(p.begin(), p.end());
  }
  void OnTransportConnected(WebRtcTransport&) override { connected = true; }
  void OnTransportClosed(WebRtcTransport&, WebRtcTransport::CloseReason) override { closed = true; }
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  bool connected = false, closed = false;
  bool store = true;
  size_t rtpCount = 0;
};

std::vector<uint8_t> Rtp(uint8_t pt, uint16_t seq, uint32_t ssrc, size_t payload) {
  std::vector<uint8_t> p(12 + payload + webrtc::srtp::kSrtpMaxTrailerLength, 0);
  p[0] = 0x80;
  p[1] = pt;
  WriteU16(&p[2], seq);
  WriteU32(&p[4], 1000U * seq);
  WriteU32(&p[8], ssrc);
  for (size_t i = 0; i < payload; ++i) p[12 + i] = static_cast<uint8_t>(seq + i);
  return p;
}

struct EchoFixture {
  explicit EchoFixture(const std::string& srtpQuery) {
    worker.Start();
    Config config;
    config.publicIp = "127.0.0.1";
    OnWorker(worker, [&] {
      serverDemux = std::make_unique<MediaDemuxer>(worker);
      serverDemux->Bind("127.0.0.1", 0);
      clientDemux = std::make_unique<MediaDemuxer>(worker);
      clientDemux->Bind("127.0.0.1", 0);
      return 0;
    });
    service = std::make_unique<EchoService>(config, *serverDemux, webrtc::dtls::DtlsCertificate::Generate());
    clientCert = webrtc::dtls::DtlsCertificate::Generate();

    sdp::OfferOptions o;
    o.iceUfrag = "clientUfrag";
    o.icePwd = "client-password-0123456789";
    o.fingerprintSha256 = clientCert->Fingerprint();
    o.audioSsrc = kAudioSsrc;
    o.videoSsrc = kVideoSsrc;
    o.videoRtxSsrc = kRtxSsrc;
    HttpRequest request;
    request.method = "POST";
    request.path = "/test/echo";
    if (!srtpQuery.empty()) request.query = {{"srtp", srtpQuery}};
    request.body = sdp::SdpWriter::Write(sdp::OfferBuilder::Build(o));
    auto response = service->Handle(request);
    EXPECT_TRUE(response.has_value());
    if (!response) return;
    status = response->status;
    answerText = response->body;
    auto answer = sdp::SdpParser::Parse(answerText);
    EXPECT_TRUE(answer.has_value()) << answerText;
    if (!answer) return;
    const auto& audio = answer->media.at(0);
    const auto& video = answer->media.at(1);
    EXPECT_EQ(audio.kind, sdp::MediaKind::Audio);
    EXPECT_EQ(video.kind, sdp::MediaKind::Video);
    serverAudioSsrc = audio.ssrcs.at(0).ssrc;
    serverVideoSsrc = video.ssrcs.at(0).ssrc;
    const auto* group = video.FindSsrcGroup("FID");
    EXPECT_NE(group, nullptr);
    if (group != nullptr) serverRtxSsrc = group->ssrcs.at(1);
    WebRtcTransport::Options co;
    co.role = WebRtcTransport::Role::Client;
    co.localUfrag = o.iceUfrag;
    co.localPwd = o.icePwd;
    co.remoteUfrag = audio.iceUfrag;
    co.remotePwd = audio.icePwd;
    co.remoteFingerprint = audio.fingerprint->value;
    const auto& candidate = audio.candidates.at(0);
    OnWorker(worker, [&] {
      client = std::make_unique<WebRtcTransport>(co, clientCert, *clientDemux, events);
      clientDemux->Add(*client);
      EXPECT_TRUE(client->Start(WebRtcTransport::Clock::now(), webrtc::stun::TransportAddress::FromString(
                                                                   candidate.address, candidate.port)));
      return 0;
    });
  }
  ~EchoFixture() {
    OnWorker(worker, [&] {
      if (client) clientDemux->Remove(*client);
      client.reset();
      return 0;
    });
    service.reset();
    OnWorker(worker, [&] {
      serverDemux.reset();
      clientDemux.reset();
      return 0;
    });
    worker.Stop();
  }

  static constexpr uint32_t kAudioSsrc = 0xA0A0A0A0, kVideoSsrc = 0xB0B0B0B0, kRtxSsrc = 0xC0C0C0C0;
  net::MediaWorker worker{"echo-test"};
  std::unique_ptr<MediaDemuxer> serverDemux, clientDemux;
  std::unique_ptr<EchoService> service;
  std::shared_ptr<webrtc::dtls::DtlsCertificate> clientCert;
  ClientEvents events;
  std::unique_ptr<WebRtcTransport> client;
  int status = 0;
  std::string answerText;
  uint32_t serverAudioSsrc = 0, serverVideoSsrc = 0, serverRtxSsrc = 0;
};

void RunEcho(EchoFixture& f, webrtc::srtp::SrtpProfile expected) {
  ASSERT_EQ(f.status, 200) << f.answerText;
  ASSERT_TRUE(WaitFor(f.worker, [&] { return f.events.connected; }));
  EXPECT_EQ(OnWorker(f.worker, [&] { return f.client->NegotiatedProfile(); }), expected);
  OnWorker(f.worker, [&] {
    for (uint16_t seq = 1; seq <= 10; ++seq) {
      auto a = Rtp(sdp::OfferBuilder::kOpusPt, seq, EchoFixture::kAudioSsrc, 100);
      EXPECT_TRUE(f.client->SendRtp(a, a.size() - webrtc::srtp::kSrtpMaxTrailerLength));
      auto v = Rtp(sdp::OfferBuilder::kVp8Pt, seq, EchoFixture::kVideoSsrc, 1100);
      EXPECT_TRUE(f.client->SendRtp(v, v.size() - webrtc::srtp::kSrtpMaxTrailerLength));
    }
    auto r = Rtp(sdp::OfferBuilder::kVp8RtxPt, 1, EchoFixture::kRtxSsrc, 50);
    EXPECT_TRUE(f.client->SendRtp(r, r.size() - webrtc::srtp::kSrtpMaxTrailerLength));
    return 0;
  });
  ASSERT_TRUE(WaitFor(f.worker, [&] { return f.events.rtp.size() >= 21; }));
  OnWorker(f.worker, [&] {
    size_t audio = 0, video = 0, rtx = 0;
    for (const auto& p : f.events.rtp) {
      const uint32_t ssrc = ReadU32(&p[8]);
      if (ssrc == f.serverAudioSsrc) {
        ++audio;
        EXPECT_EQ(p.size(), 112U);
        EXPECT_EQ(p[1] & 0x7F, sdp::OfferBuilder::kOpusPt);
      } else if (ssrc == f.serverVideoSsrc) {
        ++video;
        EXPECT_EQ(p.size(), 1112U);
        const uint16_t seq = ReadU16(&p[2]);
        EXPECT_EQ(p[12], static_cast<uint8_t>(seq));  // same payload back
      } else if (ssrc == f.serverRtxSsrc) {
        ++rtx;
      } else {
        ADD_FAILURE() << "unexpected ssrc " << ssrc;
      }
    }
    EXPECT_EQ(audio, 10U);
    EXPECT_EQ(video, 10U);
    EXPECT_EQ(rtx, 1U);
    // The client (as receiver of the echo) asks the server's video for a keyframe and a resend.
    std::vector<uint8_t> fb = {0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0,  // PLI
                               0x81, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0,  // NACK
                               0,    5,   0, 0};                         // pid 5, blp 0
    WriteU32(&fb[8], f.serverVideoSsrc);
    WriteU32(&fb[20], f.serverVideoSsrc);
    const size_t length = fb.size();
    fb.resize(length + webrtc::srtp::kSrtpMaxTrailerLength);
    f.events.rtcp.clear();
    EXPECT_TRUE(f.client->SendRtcp(fb, length));
    return 0;
  });
  // The server's own PLI at connect time may come too: wait for a forwarded NACK and PLI naming our SSRC.
  ASSERT_TRUE(WaitFor(f.worker, [&] {
    bool pli = false, nack = false;
    for (const auto& p : f.events.rtcp) {
      if (p.size() >= 12 && p[1] == 206 && (p[0] & 0x1F) == 1 && ReadU32(&p[8]) == EchoFixture::kVideoSsrc)
        pli = true;
      if (p.size() >= 16 && p[1] == 205 && (p[0] & 0x1F) == 1 && ReadU32(&p[8]) == EchoFixture::kVideoSsrc &&
          ReadU16(&p[12]) == 5) {
        nack = true;
      }
    }
    return pli && nack;
  }));
  // Stats show the session.
  HttpRequest stats;
  stats.method = "GET";
  stats.path = "/test/echo/stats";
  auto r = f.service->Handle(stats);
  ASSERT_TRUE(r.has_value());
  EXPECT_NE(r->body.find("\"echoed\":21"), std::string::npos) << r->body;
}

TEST(EchoServiceTest, EchoesWithAeadGcm) {
  EchoFixture f("gcm");
  RunEcho(f, webrtc::srtp::SrtpProfile::AeadAes128Gcm);
}

TEST(EchoServiceTest, EchoesWithAesCmHmacSha1) {
  EchoFixture f("cm");
  RunEcho(f, webrtc::srtp::SrtpProfile::AesCm128HmacSha1_80);
}

// Steady state: receiving, decrypting, echoing (re-encrypting, sending) and the client's own
// send/receive path allocate nothing on the media worker, timers included.
TEST(EchoServiceTest, NoHeapAllocationPerEchoedPacket) {
  EchoFixture f("gcm");
  ASSERT_EQ(f.status, 200);
  ASSERT_TRUE(WaitFor(f.worker, [&] { return f.events.connected; }));
  constexpr size_t kWarmup = 50, kMeasured = 400;
  std::vector<std::vector<uint8_t>> packets;
  for (uint16_t seq = 1; seq <= kWarmup + kMeasured; ++seq) {
    const bool video = seq % 2 == 0;
    packets.push_back(video ? Rtp(sdp::OfferBuilder::kVp8Pt, seq, EchoFixture::kVideoSsrc, 1100)
                            : Rtp(sdp::OfferBuilder::kOpusPt, seq, EchoFixture::kAudioSsrc, 120));
  }
  auto sendRange = [&](size_t from, size_t to) {
    OnWorker(f.worker, [&] {
      for (size_t i = from; i < to; ++i) {
        f.client->SendRtp(packets[i], packets[i].size() - webrtc::srtp::kSrtpMaxTrailerLength);
      }
      return 0;
    });
  };
  OnWorker(f.worker, [&] {
    f.events.store = false;
    return 0;
  });
  sendRange(0, kWarmup);
  ASSERT_TRUE(WaitFor(f.worker, [&] { return f.events.rtpCount >= kWarmup; })) << f.events.rtpCount;
  std::this_thread::sleep_for(100ms);  // a few timer ticks in the warm-up too

  static std::unique_ptr<std::string> sink;
  OnWorker(f.worker, [&] {
    gAllocations = 0;
    tCountAllocations = true;
    sink = std::make_unique<std::string>(100, 'x');  // the counter itself works
    EXPECT_GE(gAllocations.load(), 1U);
    gAllocations = 0;
    return 0;
  });
  for (size_t i = kWarmup; i < kWarmup + kMeasured; i += 50) sendRange(i, i + 50);
  const bool all = WaitFor(f.worker, [&] { return f.events.rtpCount >= kWarmup + kMeasured; });
  std::this_thread::sleep_for(100ms);
  OnWorker(f.worker, [&] {
    tCountAllocations = false;
    return 0;
  });
  ASSERT_TRUE(all);
  EXPECT_EQ(gAllocations.load(), 0U) << "allocations for " << kMeasured << " echoed packets";
}

TEST(EchoServiceTest, RejectsBadOffersAndOtherPaths) {
  net::MediaWorker worker("echo-bad");
  worker.Start();
  std::unique_ptr<MediaDemuxer> demux;
  OnWorker(worker, [&] {
    demux = std::make_unique<MediaDemuxer>(worker);
    demux->Bind("127.0.0.1", 0);
    return 0;
  });
  {
    Config config;
    EchoService service(config, *demux, webrtc::dtls::DtlsCertificate::Generate());
    HttpRequest r;
    r.method = "POST";
    r.path = "/test/echo";
    r.body = "this is not SDP";
    EXPECT_EQ(service.Handle(r)->status, 400);
    r.method = "GET";
    EXPECT_EQ(service.Handle(r)->status, 405);
    r.path = "/other";
    EXPECT_FALSE(service.Handle(r).has_value());
  }
  OnWorker(worker, [&] {
    demux.reset();
    return 0;
  });
  worker.Stop();
}

// A media worker that does not answer must not hold the HTTP thread: the request gets 503 after the
// timeout, and an offer given up on never creates a session when the worker comes back.
TEST(EchoServiceTest, AnswersBusyWhenTheWorkerDoesNotAnswerInTime) {
  net::MediaWorker worker("echo-stuck");
  worker.Start();
  std::unique_ptr<MediaDemuxer> demux;
  OnWorker(worker, [&] {
    demux = std::make_unique<MediaDemuxer>(worker);
    demux->Bind("127.0.0.1", 0);
    return 0;
  });
  {
    Config config;
    config.publicIp = "127.0.0.1";
    EchoService service(config, *demux, webrtc::dtls::DtlsCertificate::Generate(), 100ms);
    auto clientCert = webrtc::dtls::DtlsCertificate::Generate();
    sdp::OfferOptions o;
    o.iceUfrag = "stuckUfrag";
    o.icePwd = "stuck-password-0123456789";
    o.fingerprintSha256 = clientCert->Fingerprint();
    HttpRequest offer;
    offer.method = "POST";
    offer.path = "/test/echo";
    offer.body = sdp::SdpWriter::Write(sdp::OfferBuilder::Build(o));
    HttpRequest stats;
    stats.method = "GET";
    stats.path = "/test/echo/stats";

    std::promise<void> release;
    auto released = release.get_future().share();
    worker.Post([released] { released.wait(); });  // the worker is stuck in a handler

    const auto start = std::chrono::steady_clock::now();
    auto busy = service.Handle(offer);
    ASSERT_TRUE(busy.has_value());
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(busy->body, "media worker busy\n");
    EXPECT_EQ(service.Handle(stats)->status, 503);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    release.set_value();
    auto after = service.Handle(stats);
    ASSERT_EQ(after->status, 200) << after->body;
    EXPECT_EQ(nlohmann::json::parse(after->body)["created"], 0) << after->body;
    EXPECT_EQ(service.Handle(offer)->status, 200);
    EXPECT_EQ(nlohmann::json::parse(service.Handle(stats)->body)["created"], 1);
  }
  OnWorker(worker, [&] {
    demux.reset();
    return 0;
  });
  worker.Stop();
}

}  // namespace
}  // namespace medicall::media::echo
