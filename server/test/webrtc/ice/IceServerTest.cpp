#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <iterator>
#include <vector>

#include "webrtc/ice/IceClient.hpp"
#include "webrtc/ice/IceServer.hpp"
#include "webrtc/stun/StunWriter.hpp"

namespace medicall::webrtc::ice {
namespace {

using namespace std::chrono_literals;
using stun::StunClass;
using stun::StunMessage;
using stun::StunWriter;
using stun::TransportAddress;
namespace attr = stun::attr;

struct Sent {
  std::vector<uint8_t> bytes;
  TransportAddress to;
};

class RecordingListener : public IceListener {
 public:
  void OnIceSend(std::span<const uint8_t> packet, const TransportAddress& to) override {
    sent.push_back({{packet.begin(), packet.end()}, to});
  }
  void OnIceSelected(const TransportAddress& remote, bool nominated) override {
    selected.push_back(remote);
    lastNominated = nominated;
  }
  void OnIceClosed(IceCloseReason reason) override { closed.push_back(reason); }

  std::vector<Sent> sent;
  std::vector<TransportAddress> selected;
  bool lastNominated = false;
  std::vector<IceCloseReason> closed;
};

struct CheckOptions {
  std::string username = "srvU:cliU";
  std::string password = "server-password-1234567";
  bool priority = true;
  bool controlling = true;
  bool controlled = false;
  bool useCandidate = false;
  bool integrity = true;
  bool fingerprint = true;
  uint16_t unknownAttribute = 0;
};

std::vector<uint8_t> MakeCheck(const CheckOptions& o) {
  std::array<uint8_t, 256> buf{};
  const std::array<uint8_t, 12> tid = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2};
  StunWriter w(buf, stun::kMethodBinding, StunClass::Request, tid);
  if (!o.username.empty()) w.AddString(attr::kUsername, o.username);
  if (o.priority) w.AddU32(attr::kPriority, 12345);
  if (o.controlling) w.AddU64(attr::kIceControlling, 42);
  if (o.controlled) w.AddU64(attr::kIceControlled, 42);
  if (o.useCandidate) w.AddFlag(attr::kUseCandidate);
  if (o.unknownAttribute != 0) w.AddU32(o.unknownAttribute, 0);
  if (o.integrity) w.AddMessageIntegrity(o.password);
  if (o.fingerprint) w.AddFingerprint();
  EXPECT_TRUE(w.Ok());
  return {w.Bytes().begin(), w.Bytes().end()};
}

class IceServerTest : public ::testing::Test {
 protected:
  void Feed(const std::vector<uint8_t>& bytes, const TransportAddress& from,
            IceServer::Clock::time_point at) {
    auto m = StunMessage::Parse(bytes);
    ASSERT_TRUE(m.has_value());
    server.ProcessStun(*m, from, at);
  }
  uint16_t LastErrorCode() {
    EXPECT_FALSE(listener.sent.empty());
    auto m = StunMessage::Parse(listener.sent.back().bytes);
    EXPECT_TRUE(m.has_value());
    EXPECT_EQ(m->Class(), StunClass::ErrorResponse);
    EXPECT_TRUE(m->CheckFingerprint());
    auto e = m->ErrorCode();
    return e ? e->code : 0;
  }

  RecordingListener listener;
  IceServer server{listener, "srvU", "server-password-1234567"};
  TransportAddress peer = *TransportAddress::FromString("192.0.2.7", 50000);
  TransportAddress peer2 = *TransportAddress::FromString("2001:db8::9", 50001);
  IceServer::Clock::time_point t0 = IceServer::Clock::now();
};

TEST_F(IceServerTest, ValidCheckGetsAuthenticatedSuccessToSource) {
  Feed(MakeCheck({}), peer, t0);
  ASSERT_EQ(listener.sent.size(), 1U);
  EXPECT_EQ(listener.sent[0].to, peer);
  auto r = StunMessage::Parse(listener.sent[0].bytes);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Class(), StunClass::SuccessResponse);
  EXPECT_EQ(r->XorMappedAddress(), peer);
  EXPECT_TRUE(r->CheckMessageIntegrity("server-password-1234567"));
  EXPECT_TRUE(r->CheckFingerprint());
  EXPECT_EQ(r->TransactionId()[0], 9);
  EXPECT_TRUE(server.IsValidated(peer));
  EXPECT_FALSE(server.IsValidated(peer2));
  ASSERT_EQ(listener.selected.size(), 1U);
  EXPECT_FALSE(listener.lastNominated);
  EXPECT_EQ(server.State(), IceState::Connected);
  EXPECT_EQ(server.GetCounters().success, 1U);
}

TEST_F(IceServerTest, UseCandidateNominatesAndFollowsAddressChange) {
  CheckOptions nominate;
  nominate.useCandidate = true;
  Feed(MakeCheck(nominate), peer, t0);
  EXPECT_TRUE(server.IsNominated());
  EXPECT_EQ(server.Selected(), peer);
  // A plain check from another address validates it but does not move the pair.
  Feed(MakeCheck({}), peer2, t0 + 1s);
  EXPECT_EQ(server.Selected(), peer);
  EXPECT_TRUE(server.IsValidated(peer2));
  // A nominating check from the new address moves it.
  Feed(MakeCheck(nominate), peer2, t0 + 2s);
  EXPECT_EQ(server.Selected(), peer2);
  ASSERT_EQ(listener.selected.size(), 2U);
  EXPECT_EQ(listener.selected.back(), peer2);
  auto r = StunMessage::Parse(listener.sent.back().bytes);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->XorMappedAddress(), peer2);
}

TEST_F(IceServerTest, WrongPasswordIs401) {
  CheckOptions o;
  o.password = "wrong";
  Feed(MakeCheck(o), peer, t0);
  EXPECT_EQ(LastErrorCode(), 401);
  EXPECT_FALSE(server.IsValidated(peer));
  EXPECT_TRUE(listener.selected.empty());
}

TEST_F(IceServerTest, WrongUfragIs401) {
  CheckOptions o;
  o.username = "other:cliU";
  Feed(MakeCheck(o), peer, t0);
  EXPECT_EQ(LastErrorCode(), 401);
  server.SetRemoteUfrag("expected");
  Feed(MakeCheck({}), peer, t0);
  EXPECT_EQ(LastErrorCode(), 401);
  EXPECT_EQ(server.GetCounters().unauthorized, 2U);
}

TEST_F(IceServerTest, MissingUsernameOrIntegrityOrPriorityIs400) {
  CheckOptions noUser;
  noUser.username.clear();
  Feed(MakeCheck(noUser), peer, t0);
  EXPECT_EQ(LastErrorCode(), 400);
  CheckOptions noIntegrity;
  noIntegrity.integrity = false;
  Feed(MakeCheck(noIntegrity), peer, t0);
  EXPECT_EQ(LastErrorCode(), 400);
  CheckOptions noPriority;
  noPriority.priority = false;
  Feed(MakeCheck(noPriority), peer, t0);
  EXPECT_EQ(LastErrorCode(), 400);
  CheckOptions noRole;
  noRole.controlling = false;
  Feed(MakeCheck(noRole), peer, t0);
  EXPECT_EQ(LastErrorCode(), 400);
  EXPECT_FALSE(server.IsValidated(peer));
}

TEST_F(IceServerTest, ControlledPeerGets487WithIntegrity) {
  CheckOptions o;
  o.controlling = false;
  o.controlled = true;
  Feed(MakeCheck(o), peer, t0);
  EXPECT_EQ(LastErrorCode(), 487);
  auto r = StunMessage::Parse(listener.sent.back().bytes);
  EXPECT_TRUE(r->CheckMessageIntegrity("server-password-1234567"));
  EXPECT_FALSE(server.IsValidated(peer));
}

TEST_F(IceServerTest, UnknownRequiredAttributeIs420) {
  CheckOptions o;
  o.unknownAttribute = 0x7ABC;
  Feed(MakeCheck(o), peer, t0);
  EXPECT_EQ(LastErrorCode(), 420);
  auto r = StunMessage::Parse(listener.sent.back().bytes);
  auto unknown = r->UnknownAttributes();
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(*unknown, std::vector<uint16_t>{0x7ABC});
}

TEST_F(IceServerTest, BadFingerprintIsDroppedSilently) {
  auto bytes = MakeCheck({});
  bytes.back() ^= 0xFF;
  Feed(bytes, peer, t0);
  EXPECT_TRUE(listener.sent.empty());
  EXPECT_EQ(server.GetCounters().badFingerprint, 1U);
}

TEST_F(IceServerTest, ConsentExpiresAfter30sWithoutValidCheck) {
  Feed(MakeCheck({}), peer, t0);
  server.Tick(t0 + 29s);
  EXPECT_EQ(server.State(), IceState::Connected);
  Feed(MakeCheck({}), peer, t0 + 25s);  // refreshes consent
  server.Tick(t0 + 50s);
  EXPECT_EQ(server.State(), IceState::Connected);
  // Invalid checks do not refresh it.
  CheckOptions bad;
  bad.password = "nope";
  Feed(MakeCheck(bad), peer, t0 + 54s);
  server.Tick(t0 + 56s);
  EXPECT_EQ(server.State(), IceState::Closed);
  ASSERT_EQ(listener.closed.size(), 1U);
  EXPECT_EQ(listener.closed[0], IceCloseReason::ConsentExpired);
  EXPECT_FALSE(server.IsValidated(peer));
  // Closed: further checks are ignored.
  const size_t before = listener.sent.size();
  Feed(MakeCheck({}), peer, t0 + 57s);
  EXPECT_EQ(listener.sent.size(), before);
}

// A check Chromium sent (server/test/data/stun/chromium-binding-request.txt) passes our validation.
TEST(IceServerCapturedTest, AcceptsChromiumCheck) {
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/stun/chromium-binding-request.bin", std::ios::binary);
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  auto m = StunMessage::Parse(bytes);
  ASSERT_TRUE(m.has_value());
  RecordingListener listener;
  IceServer server(listener, "382uKunj", "HrIt5yHq6Hd6atygKPiPQXYi");
  server.SetRemoteUfrag("1zgl");
  const auto from = *TransportAddress::FromString("127.0.0.1", 44878);
  server.ProcessStun(*m, from, IceServer::Clock::now());
  ASSERT_EQ(listener.sent.size(), 1U);
  auto r = StunMessage::Parse(listener.sent[0].bytes);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->Class(), StunClass::SuccessResponse);
  EXPECT_EQ(r->XorMappedAddress(), from);
  EXPECT_TRUE(server.IsValidated(from));
  EXPECT_FALSE(server.IsNominated());
  // With another password it is a 401.
  RecordingListener other;
  IceServer wrong(other, "382uKunj", "not-the-password-0000000");
  wrong.ProcessStun(*m, from, IceServer::Clock::now());
  ASSERT_EQ(other.sent.size(), 1U);
  EXPECT_EQ(StunMessage::Parse(other.sent[0].bytes)->ErrorCode()->code, 401);
}

TEST_F(IceServerTest, IndicationsAndResponsesAreIgnored) {
  std::array<uint8_t, 64> buf{};
  const std::array<uint8_t, 12> tid{};
  StunWriter w(buf, stun::kMethodBinding, StunClass::Indication, tid);
  w.AddFingerprint();
  Feed({w.Bytes().begin(), w.Bytes().end()}, peer, t0);
  EXPECT_TRUE(listener.sent.empty());
  EXPECT_EQ(server.GetCounters().ignored, 1U);
}

// A client agent and a lite server, wired back to back through their listeners.
class Wire : public IceListener {
 public:
  void OnIceSend(std::span<const uint8_t> packet, const TransportAddress& to) override {
    if (drop) return;
    queue.push_back({{packet.begin(), packet.end()}, to});
  }
  void OnIceSelected(const TransportAddress& remote, bool nominated) override { selected = remote; }
  void OnIceClosed(IceCloseReason reason) override { closed = reason; }
  std::vector<Sent> queue;
  std::optional<TransportAddress> selected;
  std::optional<IceCloseReason> closed;
  bool drop = false;
};

TEST(IceClientServerTest, ClientConnectsToLiteServerAndKeepsConsent) {
  Wire toServer;  // what the client sends
  Wire toClient;  // what the server sends
  IceServer server(toClient, "sU", "s-password-0123456789ab");
  IceClient client(toServer, "cU", "c-password-0123456789ab", "sU", "s-password-0123456789ab");
  server.SetRemoteUfrag("cU");
  const auto serverAddr = *TransportAddress::FromString("127.0.0.1", 40000);
  const auto clientAddr = *TransportAddress::FromString("127.0.0.1", 51000);
  auto now = IceClient::Clock::now();
  auto pump = [&] {
    for (auto& s : toServer.queue) {
      auto m = StunMessage::Parse(s.bytes);
      ASSERT_TRUE(m);
      EXPECT_EQ(s.to, serverAddr);
      server.ProcessStun(*m, clientAddr, now);
    }
    toServer.queue.clear();
    for (auto& s : toClient.queue) {
      auto m = StunMessage::Parse(s.bytes);
      ASSERT_TRUE(m);
      EXPECT_EQ(s.to, clientAddr);
      client.ProcessStun(*m, serverAddr, now);
    }
    toClient.queue.clear();
  };
  client.Start(serverAddr, now);
  pump();
  EXPECT_EQ(client.State(), IceState::Connected);
  EXPECT_EQ(client.Mapped(), clientAddr);
  EXPECT_EQ(server.State(), IceState::Connected);
  EXPECT_TRUE(server.IsNominated());
  EXPECT_EQ(server.Selected(), clientAddr);
  // Two minutes of consent checks every 5 s keep both sides up.
  for (int i = 0; i < 120 * 20; ++i) {
    now += 50ms;
    client.Tick(now);
    server.Tick(now);
    pump();
  }
  EXPECT_EQ(client.State(), IceState::Connected);
  EXPECT_EQ(server.State(), IceState::Connected);
  EXPECT_GE(client.ResponsesAccepted(), 20U);
  // The network goes away: both sides close on their own after 30 s.
  toServer.drop = true;
  for (int i = 0; i < 35 * 20; ++i) {
    now += 50ms;
    client.Tick(now);
    server.Tick(now);
  }
  EXPECT_EQ(client.State(), IceState::Closed);
  EXPECT_EQ(server.State(), IceState::Closed);
  EXPECT_EQ(toServer.closed, IceCloseReason::ConsentExpired);
  EXPECT_EQ(toClient.closed, IceCloseReason::ConsentExpired);
}

TEST(IceClientServerTest, ClientRetransmitsThenFails) {
  Wire toServer;
  IceClient client(toServer, "cU", "cpw", "sU", "spw");
  auto now = IceClient::Clock::now();
  client.Start(*TransportAddress::FromString("127.0.0.1", 40000), now);
  for (int i = 0; i < 200; ++i) {
    now += 100ms;
    client.Tick(now);
  }
  EXPECT_EQ(toServer.queue.size(), 7U);  // Rc = 7 transmissions of one transaction
  EXPECT_EQ(client.State(), IceState::Closed);
  EXPECT_EQ(toServer.closed, IceCloseReason::ChecksFailed);
}

TEST(IceClientServerTest, ClientIgnoresResponseWithWrongIntegrity) {
  Wire toServer;
  Wire toClient;
  IceServer server(toClient, "sU", "the-real-password");
  IceClient client(toServer, "cU", "cpw", "sU", "a-different-password");
  auto serverAddr = *TransportAddress::FromString("127.0.0.1", 40000);
  auto now = IceClient::Clock::now();
  client.Start(serverAddr, now);
  auto m = StunMessage::Parse(toServer.queue.at(0).bytes);
  server.ProcessStun(*m, *TransportAddress::FromString("127.0.0.1", 1), now);
  // The server answers 401; that error ends the checks (we must not switch roles or creds).
  auto r = StunMessage::Parse(toClient.queue.at(0).bytes);
  EXPECT_EQ(r->ErrorCode()->code, 401);
  client.ProcessStun(*r, serverAddr, now);
  EXPECT_EQ(client.State(), IceState::Closed);
}

}  // namespace
}  // namespace medicall::webrtc::ice
