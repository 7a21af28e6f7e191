// Two DtlsTransports (client and server) talking in memory: handshake, key agreement, profile
// choice, fingerprint check, retransmission, close_notify and garbage input.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <random>
#include <thread>
#include <vector>

#include "webrtc/dtls/DtlsCertificate.hpp"
#include "webrtc/dtls/DtlsTransport.hpp"
#include "webrtc/srtp/SrtpSession.hpp"

namespace medicall::webrtc::dtls {
namespace {

using srtp::SrtpProfile;
using Bytes = std::vector<uint8_t>;

struct Recorder : DtlsTransport::Listener {
  std::deque<Bytes> outbox;
  std::vector<DtlsState> states;
  std::string lastReason;
  std::optional<DtlsSrtpKeys> keys;
  Bytes appData;
  size_t largestDatagram = 0;

  void OnDtlsSend(std::span<const uint8_t> d) override {
    outbox.emplace_back(d.begin(), d.end());
    largestDatagram = std::max(largestDatagram, d.size());
  }
  void OnDtlsStateChange(DtlsState s, std::string_view reason) override {
    states.push_back(s);
    lastReason = std::string(reason);
  }
  void OnDtlsSrtpKeys(const DtlsSrtpKeys& k) override { keys = k; }
  void OnDtlsApplicationData(std::span<const uint8_t> d) override { appData.assign(d.begin(), d.end()); }
};

class DtlsPair : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clientCert_ = DtlsCertificate::Generate();
    serverCert_ = DtlsCertificate::Generate();
  }

  void Make(DtlsTransport::Options clientOptions = {}, DtlsTransport::Options serverOptions = {}) {
    client = std::make_unique<DtlsTransport>(clientCert_, clientEvents, clientOptions);
    server = std::make_unique<DtlsTransport>(serverCert_, serverEvents, serverOptions);
    ASSERT_TRUE(client->SetRemoteFingerprint("sha-256", serverCert_->Fingerprint()));
    ASSERT_TRUE(server->SetRemoteFingerprint("SHA-256", clientCert_->Fingerprint()));
  }

  // Delivers queued datagrams both ways until both sides are quiet.
  void Pump(int maxRounds = 50) {
    for (int i = 0; i < maxRounds && (!clientEvents.outbox.empty() || !serverEvents.outbox.empty()); ++i) {
      while (!clientEvents.outbox.empty()) {
        Bytes d = std::move(clientEvents.outbox.front());
        clientEvents.outbox.pop_front();
        server->HandleDatagram(d);
      }
      while (!serverEvents.outbox.empty()) {
        Bytes d = std::move(serverEvents.outbox.front());
        serverEvents.outbox.pop_front();
        client->HandleDatagram(d);
      }
    }
  }

  void Connect() {
    ASSERT_TRUE(server->Start(DtlsRole::Server));
    ASSERT_TRUE(client->Start(DtlsRole::Client));
    Pump();
    ASSERT_EQ(client->State(), DtlsState::Connected) << clientEvents.lastReason;
    ASSERT_EQ(server->State(), DtlsState::Connected) << serverEvents.lastReason;
  }

  static inline std::shared_ptr<DtlsCertificate> clientCert_;
  static inline std::shared_ptr<DtlsCertificate> serverCert_;
  Recorder clientEvents;
  Recorder serverEvents;
  std::unique_ptr<DtlsTransport> client;
  std::unique_ptr<DtlsTransport> server;
};

TEST(DtlsCertificate, FingerprintIsUppercaseSha256WithColons) {
  auto cert = DtlsCertificate::Generate();
  ASSERT_TRUE(cert);
  const std::string& fp = cert->Fingerprint();
  ASSERT_EQ(fp.size(), 95u);  // 32 bytes as "AB:" ... "CD"
  for (size_t i = 0; i < fp.size(); ++i) {
    bool hexDigit = (fp[i] >= '0' && fp[i] <= '9') || (fp[i] >= 'A' && fp[i] <= 'F');
    EXPECT_TRUE(i % 3 == 2 ? fp[i] == ':' : hexDigit) << fp;
  }
  auto other = DtlsCertificate::Generate();
  EXPECT_NE(cert->Fingerprint(), other->Fingerprint());
  EXPECT_EQ(DtlsCertificate::FingerprintSha256(cert->Certificate()), cert->Fingerprint());
}

TEST_F(DtlsPair, HandshakeAgreesOnKeysAndPrefersGcm) {
  Make();
  Connect();
  ASSERT_TRUE(clientEvents.keys && serverEvents.keys);
  const DtlsSrtpKeys& c = *clientEvents.keys;
  const DtlsSrtpKeys& s = *serverEvents.keys;
  EXPECT_EQ(c.profile, SrtpProfile::AeadAes128Gcm);
  EXPECT_EQ(s.profile, SrtpProfile::AeadAes128Gcm);
  EXPECT_TRUE(c.weAreClient);
  EXPECT_FALSE(s.weAreClient);
  EXPECT_TRUE(std::ranges::equal(c.LocalKey(), s.RemoteKey()));
  EXPECT_TRUE(std::ranges::equal(c.LocalSalt(), s.RemoteSalt()));
  EXPECT_TRUE(std::ranges::equal(c.RemoteKey(), s.LocalKey()));
  EXPECT_TRUE(std::ranges::equal(c.RemoteSalt(), s.LocalSalt()));
  EXPECT_FALSE(std::ranges::equal(c.LocalKey(), c.RemoteKey()));
  EXPECT_EQ(c.LocalSalt().size(), 12u);
  // States went new -> connecting -> connected, keys delivered before Connected.
  EXPECT_EQ(serverEvents.states, (std::vector<DtlsState>{DtlsState::Connecting, DtlsState::Connected}));
  EXPECT_LE(clientEvents.largestDatagram, 1200u);
  EXPECT_LE(serverEvents.largestDatagram, 1200u);
  EXPECT_FALSE(client->TimeoutIn().has_value());
}

// Found by dtls_fuzzer: with an MTU of 524 the client's second flight (Certificate, ClientKeyExchange,
// CertificateVerify, ChangeCipherSpec, Finished) came out as one 548-byte datagram: OpenSSL's packing
// leaves out the AES-GCM overhead of the encrypted Finished. Every MTU from 256 to 1500, both roles.
TEST_F(DtlsPair, NoDatagramOfEitherRoleExceedsTheMtu) {
  for (size_t mtu = 256; mtu <= 1500; mtu += 4) {
    clientEvents = {};
    serverEvents = {};
    DtlsTransport::Options options;
    options.mtu = mtu;
    Make(options, options);
    Connect();
    EXPECT_LE(clientEvents.largestDatagram, mtu) << "client, mtu " << mtu;
    EXPECT_LE(serverEvents.largestDatagram, mtu) << "server, mtu " << mtu;
    if (HasFailure()) break;
  }
}

TEST_F(DtlsPair, ExportedKeysDriveSrtpBothWays) {
  Make();
  Connect();
  const DtlsSrtpKeys& c = *clientEvents.keys;
  const DtlsSrtpKeys& s = *serverEvents.keys;
  using Dir = srtp::SrtpSession::Direction;
  auto clientOut = srtp::SrtpSession::Create(Dir::Outbound, c.profile, c.LocalKey(), c.LocalSalt());
  auto serverIn = srtp::SrtpSession::Create(Dir::Inbound, s.profile, s.RemoteKey(), s.RemoteSalt());
  ASSERT_TRUE(clientOut && serverIn);
  Bytes packet = {0x80, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44, 'h', 'e', 'l', 'l', 'o'};
  Bytes buf = packet;
  buf.resize(packet.size() + srtp::kSrtpMaxTrailerLength);
  size_t len = packet.size();
  ASSERT_TRUE(clientOut->ProtectRtp(buf, len));
  buf.resize(len);
  ASSERT_TRUE(serverIn->UnprotectRtp(buf, len));
  EXPECT_EQ(Bytes(buf.begin(), buf.begin() + len), packet);
}

TEST_F(DtlsPair, ServerWithOnlyCmSelectsCm) {
  DtlsTransport::Options serverOptions;
  serverOptions.srtpProfiles = {SrtpProfile::AesCm128HmacSha1_80};
  Make({}, serverOptions);
  Connect();
  EXPECT_EQ(clientEvents.keys->profile, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_EQ(serverEvents.keys->profile, SrtpProfile::AesCm128HmacSha1_80);
  EXPECT_EQ(clientEvents.keys->LocalSalt().size(), 14u);
  EXPECT_TRUE(std::ranges::equal(clientEvents.keys->LocalKey(), serverEvents.keys->RemoteKey()));
}

TEST_F(DtlsPair, ClientOfferingCmFirstStillGetsServerPreferenceGcm) {
  DtlsTransport::Options clientOptions;
  clientOptions.srtpProfiles = {SrtpProfile::AesCm128HmacSha1_80, SrtpProfile::AeadAes128Gcm};
  Make(clientOptions, {});
  Connect();
  EXPECT_EQ(serverEvents.keys->profile, SrtpProfile::AeadAes128Gcm);
}

TEST_F(DtlsPair, ClientWithOnlyCmGetsCm) {
  DtlsTransport::Options clientOptions;
  clientOptions.srtpProfiles = {SrtpProfile::AesCm128HmacSha1_80};
  Make(clientOptions, {});
  Connect();
  EXPECT_EQ(serverEvents.keys->profile, SrtpProfile::AesCm128HmacSha1_80);
}

TEST_F(DtlsPair, FingerprintMismatchFailsTheServer) {
  Make();
  auto stranger = DtlsCertificate::Generate();
  ASSERT_TRUE(server->SetRemoteFingerprint("sha-256", stranger->Fingerprint()));
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  ASSERT_TRUE(client->Start(DtlsRole::Client));
  Pump();
  EXPECT_EQ(server->State(), DtlsState::Failed);
  EXPECT_EQ(serverEvents.lastReason, "fingerprint mismatch");
  EXPECT_FALSE(serverEvents.keys.has_value());
  EXPECT_NE(client->State(), DtlsState::Connected);  // it got a fatal alert
  EXPECT_FALSE(clientEvents.keys.has_value());
}

TEST_F(DtlsPair, FingerprintMismatchFailsTheClient) {
  Make();
  auto stranger = DtlsCertificate::Generate();
  ASSERT_TRUE(client->SetRemoteFingerprint("sha-256", stranger->Fingerprint()));
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  ASSERT_TRUE(client->Start(DtlsRole::Client));
  Pump();
  EXPECT_EQ(client->State(), DtlsState::Failed);
  EXPECT_EQ(clientEvents.lastReason, "fingerprint mismatch");
  EXPECT_NE(server->State(), DtlsState::Connected);
}

TEST_F(DtlsPair, MissingRemoteFingerprintFails) {
  client = std::make_unique<DtlsTransport>(clientCert_, clientEvents);
  server = std::make_unique<DtlsTransport>(serverCert_, serverEvents);
  ASSERT_TRUE(client->SetRemoteFingerprint("sha-256", serverCert_->Fingerprint()));
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  ASSERT_TRUE(client->Start(DtlsRole::Client));
  Pump();
  EXPECT_EQ(server->State(), DtlsState::Failed);
  EXPECT_EQ(serverEvents.lastReason, "no remote fingerprint");
}

TEST(DtlsTransport, RemoteFingerprintValidation) {
  Recorder r;
  DtlsTransport t(DtlsCertificate::Generate(), r);
  std::string good(95, 'a');
  for (size_t i = 2; i < good.size(); i += 3) good[i] = ':';
  EXPECT_TRUE(t.SetRemoteFingerprint("sha-256", good));
  EXPECT_FALSE(t.SetRemoteFingerprint("sha-1", good));
  EXPECT_FALSE(t.SetRemoteFingerprint("sha-256", good.substr(3)));
  std::string bad = good;
  bad[5] = 'x';
  EXPECT_FALSE(t.SetRemoteFingerprint("sha-256", bad));
  EXPECT_FALSE(t.Start(DtlsRole::Server) && t.Start(DtlsRole::Server));  // second Start refused
}

TEST_F(DtlsPair, LostClientHelloIsRetransmittedAfterTimeout) {
  Make();  // default timer: 100 ms, doubling
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  ASSERT_TRUE(client->Start(DtlsRole::Client));
  ASSERT_EQ(clientEvents.outbox.size(), 1u);
  clientEvents.outbox.clear();  // the network lost the ClientHello
  auto wait = client->TimeoutIn();
  ASSERT_TRUE(wait.has_value());
  EXPECT_LE(wait->count(), 100);
  client->HandleTimeout();  // too early: nothing happens
  EXPECT_TRUE(clientEvents.outbox.empty());
  std::this_thread::sleep_for(*wait + std::chrono::milliseconds(5));
  client->HandleTimeout();
  ASSERT_EQ(clientEvents.outbox.size(), 1u);  // the retransmitted ClientHello
  auto next = client->TimeoutIn();
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(next->count(), 100);  // backed off
  Pump();
  EXPECT_EQ(client->State(), DtlsState::Connected);
  EXPECT_EQ(server->State(), DtlsState::Connected);
}

TEST_F(DtlsPair, DuplicatedAndReorderedFlightsStillConnect) {
  Make();
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  ASSERT_TRUE(client->Start(DtlsRole::Client));
  for (int round = 0; round < 20 && (!clientEvents.outbox.empty() || !serverEvents.outbox.empty()); ++round) {
    std::deque<Bytes> toServer;
    std::swap(toServer, clientEvents.outbox);
    for (const Bytes& d : toServer) {  // every datagram twice
      server->HandleDatagram(d);
      server->HandleDatagram(d);
    }
    std::deque<Bytes> toClient;
    std::swap(toClient, serverEvents.outbox);
    for (auto it = toClient.rbegin(); it != toClient.rend(); ++it) client->HandleDatagram(*it);  // reversed
  }
  EXPECT_EQ(client->State(), DtlsState::Connected) << clientEvents.lastReason;
  EXPECT_EQ(server->State(), DtlsState::Connected) << serverEvents.lastReason;
  EXPECT_TRUE(std::ranges::equal(clientEvents.keys->LocalKey(), serverEvents.keys->RemoteKey()));
}

TEST_F(DtlsPair, UnansweredClientGivesUpAfterRetransmissions) {
  DtlsTransport::Options fast;
  fast.initialRetransmit = std::chrono::milliseconds(1);  // raised to the 30 ms floor
  fast.maxRetransmit = std::chrono::milliseconds(2);
  Make(fast, fast);
  ASSERT_TRUE(client->Start(DtlsRole::Client)) << clientEvents.lastReason;
  for (int i = 0; i < 100 && client->State() == DtlsState::Connecting; ++i) {
    auto wait = client->TimeoutIn();
    ASSERT_TRUE(wait.has_value()) << "round " << i << " sent " << clientEvents.outbox.size();
    std::this_thread::sleep_for(*wait + std::chrono::milliseconds(1));
    client->HandleTimeout();
  }
  EXPECT_EQ(client->State(), DtlsState::Failed);
  EXPECT_EQ(clientEvents.lastReason, "handshake timed out");
  EXPECT_GT(clientEvents.outbox.size(), 5u);  // the ClientHello and its retransmissions
  EXPECT_FALSE(client->TimeoutIn().has_value());
}

TEST_F(DtlsPair, CloseNotifyClosesThePeer) {
  Make();
  Connect();
  client->Close();
  EXPECT_EQ(client->State(), DtlsState::Closed);
  ASSERT_FALSE(clientEvents.outbox.empty());  // the close_notify alert
  Pump();
  EXPECT_EQ(server->State(), DtlsState::Closed);
  EXPECT_EQ(serverEvents.lastReason, "close_notify received");
  server->HandleDatagram(Bytes(40, 23));  // after close: dropped and counted
  EXPECT_GE(server->DroppedDatagrams(), 1u);
}

TEST_F(DtlsPair, ApplicationDataFlows) {
  Make();
  Connect();
  Bytes msg = {'p', 'i', 'n', 'g'};
  ASSERT_TRUE(client->SendApplicationData(msg));
  Pump();
  EXPECT_EQ(serverEvents.appData, msg);
}

TEST_F(DtlsPair, GarbageNeitherCrashesNorBreaksTheHandshake) {
  Make();
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  std::mt19937 rng(1234);
  auto garbage = [&](size_t n, uint8_t first) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    if (!b.empty()) b[0] = first;
    return b;
  };
  // Before the handshake: random records, truncated headers, huge datagrams.
  for (size_t n : {0, 1, 12, 13, 14, 25, 100, 1200, 5000}) {
    for (uint8_t type : {20, 21, 22, 23, 63}) server->HandleDatagram(garbage(n, type));
  }
  // A record header claiming more bytes than present.
  Bytes liar = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 0, 0};
  server->HandleDatagram(liar);
  EXPECT_NE(server->State(), DtlsState::Connected);
  EXPECT_GT(server->DroppedDatagrams(), 0u);
  serverEvents.outbox.clear();
  ASSERT_EQ(server->State(), DtlsState::Connecting);
  {
    ASSERT_TRUE(client->Start(DtlsRole::Client));
    Pump();
    EXPECT_EQ(server->State(), DtlsState::Connected) << serverEvents.lastReason;
    // After the handshake: garbage application records are discarded, the session survives.
    for (int i = 0; i < 200; ++i) server->HandleDatagram(garbage(13 + rng() % 300, 23));
    EXPECT_EQ(server->State(), DtlsState::Connected);
    Bytes msg = {1, 2, 3};
    ASSERT_TRUE(client->SendApplicationData(msg));
    Pump();
    EXPECT_EQ(serverEvents.appData, msg);
  }
}

}  // namespace
}  // namespace medicall::webrtc::dtls

namespace medicall::webrtc::dtls {
namespace {

// One SSL_CTX per certificate (and profile list), not one per transport: the server's attendees all
// share the context of its one certificate, and each handshake still works on its own SSL.
TEST_F(DtlsPair, TransportsWithOneCertificateShareOneContext) {
  Make();
  Connect();
  Recorder otherEvents;
  DtlsTransport second(serverCert_, otherEvents);
  EXPECT_EQ(second.Context(), nullptr);  // made at Start
  ASSERT_TRUE(second.Start(DtlsRole::Server));
  ASSERT_NE(server->Context(), nullptr);
  EXPECT_EQ(second.Context(), server->Context());
  EXPECT_EQ(second.Context()->Get(), server->Context()->Get());
  // Another certificate or another profile list is another context.
  EXPECT_NE(client->Context(), server->Context());
  DtlsTransport::Options cmOnly;
  cmOnly.srtpProfiles = {SrtpProfile::AesCm128HmacSha1_80};
  DtlsTransport third(serverCert_, otherEvents, cmOnly);
  ASSERT_TRUE(third.Start(DtlsRole::Server));
  EXPECT_NE(third.Context(), server->Context());
}

TEST_F(DtlsPair, ASharedContextOutlivesTheTransportThatMadeIt) {
  Make();
  ASSERT_TRUE(server->Start(DtlsRole::Server));
  const DtlsContext* shared = server->Context();
  // A second server transport (same listener: the first never sends, no ClientHello reached it).
  auto second = std::make_unique<DtlsTransport>(serverCert_, serverEvents);
  ASSERT_TRUE(second->SetRemoteFingerprint("sha-256", clientCert_->Fingerprint()));
  ASSERT_TRUE(second->Start(DtlsRole::Server));
  EXPECT_EQ(second->Context(), shared);
  server = std::move(second);  // the first user goes; the second handshakes on the shared context
  ASSERT_TRUE(client->Start(DtlsRole::Client));
  Pump();
  EXPECT_EQ(client->State(), DtlsState::Connected) << clientEvents.lastReason;
  EXPECT_EQ(server->State(), DtlsState::Connected) << serverEvents.lastReason;
}

}  // namespace
}  // namespace medicall::webrtc::dtls
