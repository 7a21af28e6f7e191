// A server transport (ICE-lite, DTLS server) and a client transport (ICE controlling, DTLS
// client) over real UDP sockets on loopback, each behind its own MediaDemuxer on one media worker:
// ICE, DTLS-SRTP with each profile, SRTP both ways, drops by reason, consent expiry.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "WorkerTestSupport.hpp"
#include "common/Bytes.hpp"
#include "webrtc/transport/AddressConversion.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"
#include "webrtc/transport/PacketClassifier.hpp"
#include "webrtc/stun/StunWriter.hpp"

namespace medicall::webrtc::transport {
namespace {

using namespace std::chrono_literals;

class Recorder : public WebRtcTransport::Listener {
 public:
  void OnTransportRtp(WebRtcTransport&, std::span<uint8_t> packet, int64_t) override {
    rtp.emplace_back(packet.begin(), packet.end());
  }
  void OnTransportRtcp(WebRtcTransport&, std::span<uint8_t> packet) override {
    rtcp.emplace_back(packet.begin(), packet.end());
  }
  void OnTransportConnected(WebRtcTransport&) override { connected = true; }
  void OnTransportClosed(WebRtcTransport&, WebRtcTransport::CloseReason reason) override { closed = reason; }
  std::vector<std::vector<uint8_t>> rtp, rtcp;
  bool connected = false;
  std::optional<WebRtcTransport::CloseReason> closed;
};

using medicall::testing::OnWorker;
using medicall::testing::WaitFor;

std::vector<uint8_t> MakeRtp(uint16_t seq, uint32_t ssrc, size_t payload) {
  std::vector<uint8_t> p(12 + payload + srtp::kSrtpMaxTrailerLength, 0);
  p[0] = 0x80;
  p[1] = 96;
  WriteU16(&p[2], seq);
  WriteU32(&p[4], seq * 3000U);
  WriteU32(&p[8], ssrc);
  for (size_t i = 0; i < payload; ++i) p[12 + i] = static_cast<uint8_t>(i);
  return p;
}

struct Pair {
  explicit Pair(std::vector<srtp::SrtpProfile> serverProfiles,
                std::chrono::seconds consent = std::chrono::seconds(30)) {
    worker.Start();
    OnWorker(worker, [&] {
      serverDemux = std::make_unique<MediaDemuxer>(worker);
      clientDemux = std::make_unique<MediaDemuxer>(worker);
      serverDemux->Bind("127.0.0.1", 0);
      clientDemux->Bind("127.0.0.1", 0);
      auto serverCert = dtls::DtlsCertificate::Generate();
      auto clientCert = dtls::DtlsCertificate::Generate();
      WebRtcTransport::Options so;
      so.role = WebRtcTransport::Role::Server;
      so.localUfrag = "srvUfrag";
      so.localPwd = "server-ice-password-0123";
      so.remoteUfrag = "cliUfrag";
      so.remoteFingerprint = clientCert->Fingerprint();
      so.dtls.srtpProfiles = serverProfiles;
      so.consentTimeout = consent;
      WebRtcTransport::Options co;
      co.role = WebRtcTransport::Role::Client;
      co.localUfrag = "cliUfrag";
      co.localPwd = "client-ice-password-0123";
      co.remoteUfrag = "srvUfrag";
      co.remotePwd = "server-ice-password-0123";
      co.remoteFingerprint = serverCert->Fingerprint();
      server = std::make_unique<WebRtcTransport>(so, serverCert, *serverDemux, serverEvents);
      client = std::make_unique<WebRtcTransport>(co, clientCert, *clientDemux, clientEvents);
      serverDemux->Add(*server);
      clientDemux->Add(*client);
      const auto now = WebRtcTransport::Clock::now();
      EXPECT_TRUE(server->Start(now));
      EXPECT_TRUE(
          client->Start(now, stun::TransportAddress::FromString("127.0.0.1", serverDemux->LocalPort())));
      return 0;
    });
  }
  ~Pair() {
    OnWorker(worker, [&] {
      serverDemux->Remove(*server);
      clientDemux->Remove(*client);
      server.reset();
      client.reset();
      serverDemux.reset();
      clientDemux.reset();
      return 0;
    });
    worker.Stop();
  }
  net::MediaWorker worker{"test-media"};
  std::unique_ptr<MediaDemuxer> serverDemux, clientDemux;
  Recorder serverEvents, clientEvents;
  std::unique_ptr<WebRtcTransport> server, client;
};

void ExpectMediaBothWays(Pair& p) {
  ASSERT_TRUE(WaitFor(p.worker, [&] { return p.serverEvents.connected && p.clientEvents.connected; }));
  OnWorker(p.worker, [&] {
    for (uint16_t seq = 1; seq <= 20; ++seq) {
      auto pkt = MakeRtp(seq, 0x11111111, 1000);
      EXPECT_TRUE(p.client->SendRtp(pkt, pkt.size() - srtp::kSrtpMaxTrailerLength));
    }
    // RTCP PLI (RFC 4585 6.3.1) from server to client.
    std::vector<uint8_t> pli = {0x81, 206, 0, 2, 0, 0, 0, 1, 0x11, 0x11, 0x11, 0x11};
    pli.resize(pli.size() + srtp::kSrtpMaxTrailerLength);
    EXPECT_TRUE(p.server->SendRtcp(pli, 12));
    return 0;
  });
  ASSERT_TRUE(
      WaitFor(p.worker, [&] { return p.serverEvents.rtp.size() == 20 && p.clientEvents.rtcp.size() == 1; }));
  OnWorker(p.worker, [&] {
    const auto& first = p.serverEvents.rtp.front();
    EXPECT_EQ(first.size(), 1012U);
    EXPECT_EQ(ReadU32(&first[8]), 0x11111111U);
    EXPECT_EQ(first[12 + 999], static_cast<uint8_t>(999));
    EXPECT_EQ(p.clientEvents.rtcp[0][1], 206);
    return 0;
  });
}

TEST(WebRtcTransportTest, ConnectsWithAeadGcmAndCarriesSrtp) {
  Pair p({srtp::SrtpProfile::AeadAes128Gcm, srtp::SrtpProfile::AesCm128HmacSha1_80});
  ExpectMediaBothWays(p);
  OnWorker(p.worker, [&] {
    EXPECT_EQ(p.server->NegotiatedProfile(), srtp::SrtpProfile::AeadAes128Gcm);
    EXPECT_EQ(p.client->NegotiatedProfile(), srtp::SrtpProfile::AeadAes128Gcm);
    EXPECT_TRUE(p.server->IceServerAgent()->IsNominated());
    EXPECT_EQ(p.server->SelectedAddress()->port, p.clientDemux->LocalPort());
    return 0;
  });
}

TEST(WebRtcTransportTest, ConnectsWithAesCmHmacSha1) {
  Pair p({srtp::SrtpProfile::AesCm128HmacSha1_80});
  ExpectMediaBothWays(p);
  OnWorker(p.worker, [&] {
    EXPECT_EQ(p.server->NegotiatedProfile(), srtp::SrtpProfile::AesCm128HmacSha1_80);
    return 0;
  });
}

TEST(WebRtcTransportTest, DropsGarbageAndUnvalidatedSourcesAndCountsThem) {
  Pair p({srtp::SrtpProfile::AeadAes128Gcm});
  ASSERT_TRUE(WaitFor(p.worker, [&] { return p.serverEvents.connected; }));
  // A stranger socket sends DTLS, RTP and junk to the server port.
  boost::asio::io_context io;
  boost::asio::ip::udp::socket stranger(io, boost::asio::ip::udp::endpoint(boost::asio::ip::udp::v4(), 0));
  const boost::asio::ip::udp::endpoint target(boost::asio::ip::make_address("127.0.0.1"),
                                              OnWorker(p.worker, [&] { return p.serverDemux->LocalPort(); }));
  std::vector<uint8_t> clientHelloish(60, 0);
  clientHelloish[0] = 22;
  stranger.send_to(boost::asio::buffer(clientHelloish), target);
  auto rtp = MakeRtp(1, 5, 100);
  stranger.send_to(boost::asio::buffer(rtp.data(), 112), target);
  const std::vector<uint8_t> junk = {0x70, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  stranger.send_to(boost::asio::buffer(junk), target);
  std::vector<uint8_t> badStun(20, 0);
  badStun[0] = 0x00;
  badStun[1] = 0x01;
  badStun[3] = 8;  // claims 8 bytes of attributes that are not there
  WriteU32(&badStun[4], stun::kMagicCookie);
  stranger.send_to(boost::asio::buffer(badStun), target);
  ASSERT_TRUE(WaitFor(p.worker, [&] {
    const auto& c = p.serverDemux->GetCounters();
    return c.unknownAddress == 2 && c.unknownKind == 1 && c.badStun == 1;
  }));
  // Tampered SRTP from the validated client is dropped as an authentication failure.
  OnWorker(p.worker, [&] {
    auto pkt = MakeRtp(100, 0x22222222, 200);
    size_t len = 212;
    // Encrypt via the client, then flip a payload byte before it leaves: send through the demuxer.
    EXPECT_TRUE(p.client->SendRtp(pkt, len));
    return 0;
  });
  ASSERT_TRUE(WaitFor(p.worker, [&] { return p.serverEvents.rtp.size() == 1; }));
  OnWorker(p.worker, [&] {
    auto pkt = MakeRtp(101, 0x22222222, 200);
    pkt[20] ^= 0xFF;  // not encrypted at all: cannot authenticate
    p.clientDemux->SendDatagram({pkt.data(), 212}, *p.client->SelectedAddress());
    return 0;
  });
  ASSERT_TRUE(WaitFor(p.worker,
                      [&] { return p.server->GetCounters().Dropped(WebRtcTransport::Drop::SrtpAuth) == 1; }));
  OnWorker(p.worker, [&] {
    EXPECT_EQ(p.serverEvents.rtp.size(), 1U);
    EXPECT_FALSE(p.serverEvents.closed.has_value());
    return 0;
  });
}

TEST(WebRtcTransportTest, ServerReportsDropWhenConsentExpires) {
  Pair p({srtp::SrtpProfile::AeadAes128Gcm}, std::chrono::seconds(1));
  ASSERT_TRUE(WaitFor(p.worker, [&] { return p.serverEvents.connected; }));
  // The client goes silent (its consent checks stop).
  OnWorker(p.worker, [&] {
    p.clientDemux->Remove(*p.client);
    return 0;
  });
  ASSERT_TRUE(WaitFor(
      p.worker, [&] { return p.serverEvents.closed.has_value(); }, 4000ms));
  OnWorker(p.worker, [&] {
    EXPECT_EQ(*p.serverEvents.closed, WebRtcTransport::CloseReason::ConsentExpired);
    EXPECT_FALSE(p.server->IsConnected());
    return 0;
  });
}

// A server transport driven by hand, with no socket: the test passes every time point itself.
class NullNetwork : public WebRtcTransport::Network {
 public:
  void SendDatagram(std::span<const uint8_t>, const stun::TransportAddress&) override { ++sent; }
  void OnAddressValidated(WebRtcTransport&, const stun::TransportAddress&) override { ++validated; }
  int sent = 0;
  int validated = 0;
};

struct HandDriven {
  explicit HandDriven(WebRtcTransport::Options extra = {}) {
    auto peerCert = dtls::DtlsCertificate::Generate();
    WebRtcTransport::Options o = extra;
    o.role = WebRtcTransport::Role::Server;
    o.localUfrag = "srvUfrag";
    o.localPwd = "server-ice-password-0123";
    o.remoteUfrag = "cliUfrag";
    o.remoteFingerprint = peerCert->Fingerprint();
    transport = std::make_unique<WebRtcTransport>(o, dtls::DtlsCertificate::Generate(), network, events);
    EXPECT_TRUE(transport->Start(t0));
  }
  // A valid, nominating Binding request from the browser's address, as Chromium sends them.
  void Check(WebRtcTransport::Clock::duration at) {
    std::array<uint8_t, 256> buf{};
    std::array<uint8_t, 12> tid = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, static_cast<uint8_t>(++checks)};
    stun::StunWriter w(buf, stun::kMethodBinding, stun::StunClass::Request, tid);
    w.AddString(stun::attr::kUsername, "srvUfrag:cliUfrag");
    w.AddU32(stun::attr::kPriority, 12345);
    w.AddU64(stun::attr::kIceControlling, 42);
    w.AddFlag(stun::attr::kUseCandidate);
    w.AddMessageIntegrity("server-ice-password-0123");
    w.AddFingerprint();
    ASSERT_TRUE(w.Ok());
    auto m = stun::StunMessage::Parse(w.Bytes());
    ASSERT_TRUE(m.has_value());
    transport->ReceiveStun(*m, browser, t0 + at);
  }
  const WebRtcTransport::Clock::time_point t0 = WebRtcTransport::Clock::time_point{} + std::chrono::hours(1);
  const stun::TransportAddress browser = *stun::TransportAddress::FromString("192.0.2.10", 50000);
  NullNetwork network;
  Recorder events;
  std::unique_ptr<WebRtcTransport> transport;
  int checks = 0;
};

TEST(WebRtcTransportTest, DtlsNotFinishedTenSecondsAfterIceClosesTheTransport) {
  HandDriven h;
  h.transport->Tick(h.t0 + 30s);  // no ICE yet: nothing to time out
  EXPECT_FALSE(h.events.closed.has_value());
  h.Check(31s);  // ICE succeeds at t0 + 31 s, and the browser keeps checking, but sends no DTLS
  ASSERT_EQ(h.network.validated, 1);
  h.Check(36s);
  h.transport->Tick(h.t0 + 40s + 900ms);
  EXPECT_FALSE(h.events.closed.has_value());
  h.Check(40s + 950ms);
  h.transport->Tick(h.t0 + 41s);
  ASSERT_TRUE(h.events.closed.has_value());
  EXPECT_EQ(*h.events.closed, WebRtcTransport::CloseReason::DtlsTimeout);
  EXPECT_TRUE(h.transport->IsClosed());
}

TEST(WebRtcTransportTest, ConsentExpiresAfterFifteenSilentSecondsByDefault) {
  WebRtcTransport::Options o;
  o.dtlsTimeout = std::chrono::hours(1);  // only consent is under test here
  HandDriven h(o);
  h.Check(0s);
  h.Check(5s);
  h.transport->Tick(h.t0 + 20s);  // 15 s after the last check
  EXPECT_FALSE(h.events.closed.has_value());
  h.transport->Tick(h.t0 + 20s + 100ms);
  ASSERT_TRUE(h.events.closed.has_value());
  EXPECT_EQ(*h.events.closed, WebRtcTransport::CloseReason::ConsentExpired);
}

TEST(WebRtcTransportTest, AFinishedHandshakeIsNotTimedOut) {
  Pair p({srtp::SrtpProfile::AeadAes128Gcm});
  ASSERT_TRUE(WaitFor(p.worker, [&] { return p.serverEvents.connected; }));
  OnWorker(p.worker, [&] {
    // Ten seconds and more after ICE, within consent (the client checked a moment ago).
    p.server->Tick(WebRtcTransport::Clock::now() + 12s);
    EXPECT_FALSE(p.serverEvents.closed.has_value());
    EXPECT_TRUE(p.server->IsConnected());
    return 0;
  });
}

TEST(PacketClassifierTest, Rfc7983Ranges) {
  std::vector<uint8_t> d(32, 0);
  d[0] = 0;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Stun);
  d[0] = 3;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Stun);
  d[0] = 4;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Unknown);
  d[0] = 20;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Dtls);
  d[0] = 63;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Dtls);
  d[0] = 64;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Unknown);
  d[0] = 0x80;
  d[1] = 96;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Rtp);
  d[1] = 96 | 0x80;  // marker bit set, PT 96: still RTP (224)
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Rtp);
  for (int pt = 192; pt <= 223; ++pt) {
    d[1] = static_cast<uint8_t>(pt);
    EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Rtcp) << pt;
  }
  d[0] = 192;
  EXPECT_EQ(PacketClassifier::Classify(d), PacketKind::Unknown);
  EXPECT_EQ(PacketClassifier::Classify({}), PacketKind::Unknown);
  EXPECT_EQ(PacketClassifier::Classify(std::span(d).first(5)), PacketKind::Unknown);
}

TEST(AddressConversionTest, RoundTrip) {
  for (const char* ip : {"127.0.0.1", "::1", "2001:db8::5"}) {
    auto a = *stun::TransportAddress::FromString(ip, 1234);
    EXPECT_EQ(ToTransportAddress(ToEndpoint(a)), a);
  }
  boost::asio::ip::udp::endpoint mapped(boost::asio::ip::make_address("::ffff:10.0.0.1"), 9);
  EXPECT_EQ(ToTransportAddress(mapped).ToString(), "10.0.0.1:9");
}

}  // namespace
}  // namespace medicall::webrtc::transport
