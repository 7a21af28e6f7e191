#include "signaling/MeetingSignaling.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "SignalingTestSupport.hpp"
#include "signaling/SignalingStatus.hpp"

namespace medicall::signaling {
namespace {

using namespace test;
using EndReason = SignalingSession::EndReason;

class FakeMedia : public MeetingSignaling::Delegate {
 public:
  proto::SdkIndexFrame IndexFor(const SessionIdentity& attendee) override {
    ++indexRequests[attendee.attendeeId];
    proto::SdkIndexFrame index;
    index.set_num_participants(static_cast<uint32_t>(indexRequests.size()));
    return index;
  }
  void OnSubscribe(const SessionIdentity& attendee, SubscribeRequest request,
                   SignalingSession::SubscribeDone done) override {
    subscribes.push_back(attendee.attendeeId);
    if (answerAtOnce) {
      done(Answer());
    } else {
      pending.push_back(std::move(done));
    }
  }
  void OnAttendeeLeft(const SessionIdentity& attendee, EndReason reason) override {
    left.emplace_back(attendee.attendeeId, reason);
  }

  bool answerAtOnce = true;
  std::map<std::string, int> indexRequests;
  std::vector<std::string> subscribes;
  std::vector<SignalingSession::SubscribeDone> pending;
  std::vector<std::pair<std::string, EndReason>> left;
};

struct Client {
  FakeTransport transport;
  std::shared_ptr<SignalingSession> session;
};

class MeetingSignalingTest : public ::testing::Test {
 protected:
  MeetingSignalingTest() { Reset({}); }

  void Reset(MeetingSignaling::Options options) {
    meeting.reset();  // first: ending its sessions writes to the clients' transports
    clients.clear();
    meeting = std::make_unique<MeetingSignaling>("meeting-1", media, std::move(options), clock);
  }
  Client& Connect(const std::string& id) {
    auto client = std::make_unique<Client>();
    client->session = meeting->Connect({id, "ext-" + id}, client->transport.Make());
    clients.push_back(std::move(client));
    return *clients.back();
  }
  // Connect, JOIN and SUBSCRIBE (answered at once): the attendee is present afterwards.
  Client& Arrive(const std::string& id) {
    Client& c = Connect(id);
    c.session->OnBinaryMessage(JoinFrame());
    c.session->OnBinaryMessage(SubscribeFrame());
    return c;
  }
  // Time passes as with the SDK: every live session pings each 10 s, timers fire when due.
  void PassTime(int64_t ms) {
    while (ms > 0) {
      const int64_t step = std::min<int64_t>(ms, 10'000);
      clock.AdvanceMs(step);
      ms -= step;
      for (auto& c : clients) {
        if (c->session->GetState() != SignalingSession::State::kEnded)
          c->session->OnBinaryMessage(PingFrame(1));
      }
      for (auto& c : clients) c->transport.RunTimers();
    }
  }
  void ClearAll() {
    for (auto& c : clients) c->transport.Clear();
  }

  ManualClock clock;
  FakeMedia media;
  std::vector<std::unique_ptr<Client>> clients;  // declared before `meeting`: outlives it
  std::unique_ptr<MeetingSignaling> meeting;
};

TEST_F(MeetingSignalingTest, PresenceStartsAtTheFirstSubscribeAck) {
  Client& a = Connect("a");
  a.session->OnBinaryMessage(JoinFrame());
  EXPECT_TRUE(a.transport.Presence().empty());  // not yet: the client listens only after SUBSCRIBE_ACK
  EXPECT_FALSE(meeting->IsPresent("a"));
  a.session->OnBinaryMessage(SubscribeFrame());
  EXPECT_TRUE(meeting->IsPresent("a"));

  auto frames = a.transport.Frames();
  ASSERT_EQ(frames.size(), 4u);  // JOIN_ACK, INDEX, SUBSCRIBE_ACK, then its own presence
  EXPECT_EQ(frames[0].type(), Type::JOIN_ACK);
  EXPECT_EQ(frames[1].type(), Type::INDEX);
  EXPECT_EQ(frames[2].type(), Type::SUBSCRIBE_ACK);
  ASSERT_EQ(frames[3].type(), Type::AUDIO_STREAM_ID_INFO);
  ASSERT_EQ(frames[3].audio_stream_id_info().streams_size(), 1);
  const auto& self = frames[3].audio_stream_id_info().streams(0);
  EXPECT_EQ(self.attendee_id(), "a");
  EXPECT_EQ(self.external_user_id(), "ext-a");
  EXPECT_EQ(self.audio_stream_id(), *meeting->AudioStreamIdOf("a"));
  EXPECT_TRUE(self.has_muted());
  EXPECT_FALSE(self.dropped());
}

// The SDK's simulcast uplink policy follows INDEX num_participants (two people: one layer; three: low
// and high), so a person arriving or leaving sends everyone else a fresh INDEX even when no video
// source changed; a content share is no person and changes nothing.
TEST_F(MeetingSignalingTest, ArrivalsAndDeparturesOfPeopleRefreshEveryonesIndex) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  const auto indexes = [](Client& c) {
    int n = 0;
    for (const auto& f : c.transport.Frames()) n += f.type() == Type::INDEX ? 1 : 0;
    return n;
  };
  Arrive("c");
  EXPECT_EQ(indexes(a), 1);
  EXPECT_EQ(indexes(b), 1);
  EXPECT_EQ(meeting->PresentPeopleCount(), 3u);
  ClearAll();
  Arrive(std::string("a") + "#content");
  EXPECT_EQ(indexes(a), 0);
  EXPECT_EQ(indexes(b), 0);
  ClearAll();
  meeting->RemoveAttendee("c");
  EXPECT_EQ(indexes(a), 1);
  EXPECT_EQ(indexes(b), 1);
}

TEST_F(MeetingSignalingTest, ANewcomerLearnsEveryoneAndEveryoneLearnsTheNewcomer) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  a.transport.Clear();
  Client& c = Arrive("c");

  const uint32_t idA = *meeting->AudioStreamIdOf("a");
  const uint32_t idB = *meeting->AudioStreamIdOf("b");
  const uint32_t idC = *meeting->AudioStreamIdOf("c");
  EXPECT_LT(idA, idB);
  EXPECT_LT(idB, idC);

  auto seenByA = a.transport.Presence();
  ASSERT_EQ(seenByA.size(), 1u);
  EXPECT_EQ(seenByA[0].audio_stream_id(), idC);
  EXPECT_EQ(seenByA[0].attendee_id(), "c");
  EXPECT_EQ(seenByA[0].external_user_id(), "ext-c");

  auto roster = c.transport.Presence();
  ASSERT_EQ(roster.size(), 3u);
  std::map<std::string, uint32_t> byAttendee;
  for (const auto& s : roster) byAttendee[s.attendee_id()] = s.audio_stream_id();
  EXPECT_EQ(byAttendee, (std::map<std::string, uint32_t>{{"a", idA}, {"b", idB}, {"c", idC}}));
  EXPECT_EQ(b.transport.Presence().size(), 2u + 1u);  // its roster (a, b), then c
  EXPECT_EQ(meeting->PresentCount(), 3u);
}

TEST_F(MeetingSignalingTest, MuteIsAnnouncedToEveryonePresent) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  b.session->OnBinaryMessage(MuteFrame(true));
  for (Client* c : {&a, &b}) {
    auto p = c->transport.Presence();
    ASSERT_EQ(p.size(), 1u);
    EXPECT_EQ(p[0].audio_stream_id(), *meeting->AudioStreamIdOf("b"));
    EXPECT_TRUE(p[0].has_muted());
    EXPECT_TRUE(p[0].muted());
    EXPECT_FALSE(p[0].has_attendee_id());
  }
  // A newcomer sees b muted in its roster.
  Client& c = Arrive("c");
  int seen = 0;
  for (const auto& s : c.transport.Presence()) {
    if (s.attendee_id() == "b") {
      EXPECT_TRUE(s.muted());
      ++seen;
    }
  }
  EXPECT_EQ(seen, 1);
}

TEST_F(MeetingSignalingTest, MuteBeforePresenceTravelsWithThePresenceEntry) {
  Client& a = Arrive("a");
  Client& b = Connect("b");
  b.session->OnBinaryMessage(JoinFrame());
  b.session->OnBinaryMessage(SubscribeFrame("offer", true));
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 2u);  // a's own entry, then b's
  EXPECT_EQ(p[1].attendee_id(), "b");
  EXPECT_TRUE(p[1].muted());
}

TEST_F(MeetingSignalingTest, LeaveIsAnnouncedAsLeft) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  const uint32_t idB = *meeting->AudioStreamIdOf("b");
  ClearAll();
  b.session->OnBinaryMessage(LeaveFrame());
  EXPECT_EQ(b.transport.FramesOfType(Type::LEAVE_ACK).size(), 1u);
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].audio_stream_id(), idB);
  EXPECT_FALSE(p[0].has_attendee_id());
  EXPECT_FALSE(p[0].has_muted());
  EXPECT_FALSE(p[0].has_dropped());
  EXPECT_TRUE(b.transport.Presence().empty());  // the leaver is not told about itself
  EXPECT_FALSE(meeting->IsPresent("b"));
  EXPECT_EQ(meeting->ConnectedCount(), 1u);
  ASSERT_EQ(media.left.size(), 1u);
  EXPECT_EQ(media.left[0], std::make_pair(std::string("b"), EndReason::kLeft));
}

TEST_F(MeetingSignalingTest, TransportLossIsAnnouncedAsDroppedWhenItsPingsWouldBeLate) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  clock.AdvanceMs(3'000);
  b.session->OnBinaryMessage(PingFrame(1));  // last heard at +3 s
  clock.AdvanceMs(2'000);
  b.session->OnTransportClosed(1006);
  EXPECT_TRUE(a.transport.Presence().empty());  // maybe reconnecting: still present
  EXPECT_TRUE(meeting->IsPresent("b"));
  EXPECT_TRUE(media.left.empty() || media.left.back().first != "b");
  clock.AdvanceMs(22'999);
  b.transport.RunTimers();
  EXPECT_TRUE(a.transport.Presence().empty());
  clock.AdvanceMs(1);  // 25 s after the last ping
  b.transport.RunTimers();
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].audio_stream_id(), 2u);
  EXPECT_TRUE(p[0].dropped());
  EXPECT_FALSE(p[0].has_attendee_id());
  EXPECT_EQ(media.left.back(), std::make_pair(std::string("b"), EndReason::kDropped));
  EXPECT_EQ(meeting->ConnectedCount(), 1u);
}

TEST_F(MeetingSignalingTest, APageThatWentAwayIsDroppedAtOnce) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  b.session->OnTransportClosed(kCloseGoingAway);  // 1001: closed or reloaded, the JS context is gone
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].dropped());
  EXPECT_FALSE(meeting->IsPresent("b"));
}

TEST_F(MeetingSignalingTest, TwentyFiveSilentSecondsDropTheAttendeeAtOnce) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  clock.AdvanceMs(20'000);
  a.session->OnBinaryMessage(PingFrame(1));  // a keeps pinging, b says nothing
  clock.AdvanceMs(5'000);
  a.transport.RunTimers();
  b.transport.RunTimers();
  ASSERT_TRUE(b.transport.closed);
  EXPECT_EQ(b.transport.closed->first, kCloseServerError);
  EXPECT_FALSE(a.transport.closed);
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].audio_stream_id(), *meeting->AudioStreamIdOf("a") + 1);
  EXPECT_TRUE(p[0].dropped());
  EXPECT_FALSE(meeting->IsPresent("b"));
}
TEST_F(MeetingSignalingTest, MediaLossDropsTheAttendeeAndMakesItsClientReconnect) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  meeting->DropAttendee("b");
  ASSERT_TRUE(b.transport.closed);
  EXPECT_EQ(b.transport.closed->first, kCloseServerError);  // 4500: the SDK reconnects
  EXPECT_TRUE(b.transport.FramesOfType(Type::AUDIO_STATUS).empty());
  EXPECT_TRUE(a.transport.Presence().empty());  // a grace for the reconnect
  clock.AdvanceMs(5'000);
  b.transport.RunTimers();
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].dropped());
  EXPECT_FALSE(meeting->IsPresent("b"));
}

TEST_F(MeetingSignalingTest, WithoutTimersSweepRetiresTheLingering) {
  Client& a = Arrive("a");
  auto b = std::make_unique<Client>();
  b->session = meeting->Connect({"b", "ext-b"}, b->transport.MakeWithoutTimer());
  b->session->OnBinaryMessage(JoinFrame());
  b->session->OnBinaryMessage(SubscribeFrame());
  clients.push_back(std::move(b));
  ClearAll();
  clients.back()->session->OnTransportClosed(1006);
  meeting->Sweep();
  EXPECT_TRUE(a.transport.Presence().empty());
  clock.AdvanceMs(25'000);
  meeting->Sweep();
  ASSERT_EQ(a.transport.Presence().size(), 1u);
  EXPECT_TRUE(a.transport.Presence()[0].dropped());
}
TEST_F(MeetingSignalingTest, AbsenceOfAnAttendeeNeverPresentIsNotAnnounced) {
  Client& a = Arrive("a");
  Client& b = Connect("b");
  b.session->OnBinaryMessage(JoinFrame());
  a.transport.Clear();
  b.session->OnTransportClosed(1006);
  EXPECT_EQ(meeting->ConnectedCount(), 2u);  // lingers, may come back
  clock.AdvanceMs(25'000);
  b.transport.RunTimers();
  EXPECT_TRUE(a.transport.Presence().empty());
  EXPECT_EQ(meeting->ConnectedCount(), 1u);

  // Nor of one that never joined.
  Client& c = Connect("c");
  EXPECT_EQ(meeting->ConnectedCount(), 2u);
  c.session->OnTransportClosed(1006);
  EXPECT_TRUE(a.transport.Presence().empty());
  EXPECT_EQ(meeting->ConnectedCount(), 1u);
  EXPECT_EQ(media.left.back(), std::make_pair(std::string("c"), EndReason::kDropped));
}
TEST_F(MeetingSignalingTest, DataMessagesFanOutWithTheSendersIdentity) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  Client& c = Connect("c");
  c.session->OnBinaryMessage(JoinFrame());  // joined, not yet subscribed: still gets data
  ClearAll();
  SetWallUs(clock, 1'700'000'000'999'000);
  a.session->OnBinaryMessage(DataFrame({{"chat", "hello", 0, "b"}}));
  EXPECT_TRUE(a.transport.FramesOfType(Type::DATA_MESSAGE).empty());  // not echoed to the sender
  for (Client* receiver : {&b, &c}) {
    auto frames = receiver->transport.FramesOfType(Type::DATA_MESSAGE);
    ASSERT_EQ(frames.size(), 1u);
    ASSERT_EQ(frames[0].data_message().messages_size(), 1);
    const auto& m = frames[0].data_message().messages(0);
    EXPECT_EQ(m.topic(), "chat");
    EXPECT_EQ(m.data(), "hello");
    EXPECT_EQ(m.sender_attendee_id(), "a");
    EXPECT_EQ(m.sender_external_user_id(), "ext-a");
    EXPECT_EQ(m.ingest_time_ns(), 1'700'000'000'999'000'000);
  }
}

TEST_F(MeetingSignalingTest, MessagesWithALifetimeAreReplayedToLateJoiners) {
  Client& a = Arrive("a");
  a.session->OnBinaryMessage(DataFrame({{"keep", "1", 10'000}, {"gone", "2"}, {"short", "3", 1'000}}));
  clock.AdvanceMs(5'000);
  Client& b = Connect("b");
  b.session->OnBinaryMessage(JoinFrame());
  auto frames = b.transport.Frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].type(), Type::JOIN_ACK);
  EXPECT_EQ(frames[1].type(), Type::INDEX);
  ASSERT_EQ(frames[2].type(), Type::DATA_MESSAGE);
  ASSERT_EQ(frames[2].data_message().messages_size(), 1);
  EXPECT_EQ(frames[2].data_message().messages(0).topic(), "keep");
  EXPECT_EQ(frames[2].data_message().messages(0).sender_attendee_id(), "a");

  clock.AdvanceMs(5'000);  // "keep" has expired now
  Client& c = Connect("c");
  c.session->OnBinaryMessage(JoinFrame());
  EXPECT_TRUE(c.transport.FramesOfType(Type::DATA_MESSAGE).empty());
}

TEST_F(MeetingSignalingTest, ANewSocketChangesNothingUntilItsJoin) {
  Client& a1 = Arrive("a");
  Arrive("b");
  ClearAll();
  Client& a2 = Connect("a");
  a2.session->OnBinaryMessage(PingFrame(1));  // the SDK's first ping, before JOIN
  EXPECT_EQ(a2.transport.FramesOfType(Type::PING_PONG).size(), 1u);
  EXPECT_TRUE(a1.transport.sent.empty());
  EXPECT_FALSE(a1.transport.closed);
  EXPECT_EQ(meeting->SessionOf("a"), a1.session);
  EXPECT_TRUE(media.left.empty());
  EXPECT_EQ(meeting->ConnectedCount(), 2u);
}

TEST_F(MeetingSignalingTest, AReconnectWithTheSameAudioSessionIdIsQuietAndMakesNoFlap) {
  Client& a1 = Arrive("a");
  Client& b = Arrive("b");
  const uint32_t oldId = *meeting->AudioStreamIdOf("a");
  const uint32_t idB = *meeting->AudioStreamIdOf("b");
  b.session->OnBinaryMessage(DataFrame({{"chat", "still here", 60'000}}));
  ClearAll();

  Client& a2 = Connect("a");
  a2.session->OnBinaryMessage(JoinFrame());  // the same audio_session_id as a1's
  // The old session is closed without AUDIO_STATUS (301 would stop the SDK for good).
  EXPECT_TRUE(a1.transport.FramesOfType(Type::AUDIO_STATUS).empty());
  ASSERT_TRUE(a1.transport.closed);
  EXPECT_EQ(a1.transport.closed->first, kCloseNormal);
  EXPECT_EQ(a1.session->GetEndReason(), EndReason::kReconnected);
  EXPECT_EQ(media.left.back(), std::make_pair(std::string("a"), EndReason::kReplaced));  // its media goes
  EXPECT_TRUE(b.transport.Presence().empty());  // nothing yet: no flapping
  a1.session->OnTransportClosed(1000);          // the old socket's close arrives late: ignored
  EXPECT_EQ(meeting->SessionOf("a"), a2.session);

  // JOIN_ACK, the full INDEX, then the data messages still within their lifetime.
  auto frames = a2.transport.Frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].type(), Type::JOIN_ACK);
  EXPECT_EQ(frames[1].type(), Type::INDEX);
  ASSERT_EQ(frames[2].type(), Type::DATA_MESSAGE);
  EXPECT_EQ(frames[2].data_message().messages(0).data(), "still here");
  EXPECT_EQ(media.indexRequests["a"], 3);  // a1's JOIN, b's arrival (num_participants), a2's JOIN

  a2.session->OnBinaryMessage(SubscribeFrame());
  const uint32_t newId = *meeting->AudioStreamIdOf("a");
  EXPECT_GT(newId, oldId);  // the client drops the old id when a higher one appears
  auto seenByB = b.transport.FramesOfType(Type::AUDIO_STREAM_ID_INFO);
  ASSERT_EQ(seenByB.size(), 1u);  // one frame: new presence first, then the old id gone
  const auto& streams = seenByB[0].audio_stream_id_info().streams();
  ASSERT_EQ(streams.size(), 2);
  EXPECT_EQ(streams[0].audio_stream_id(), newId);
  EXPECT_EQ(streams[0].attendee_id(), "a");
  EXPECT_EQ(streams[1].audio_stream_id(), oldId);
  EXPECT_FALSE(streams[1].has_attendee_id());
  EXPECT_FALSE(streams[1].has_muted());
  EXPECT_FALSE(streams[1].dropped());

  // The reconnecting client's first AUDIO_STREAM_ID_INFO is the whole roster (the SDK takes anyone
  // missing from it as gone), with its own new id and nothing retired.
  auto roster = a2.transport.FramesOfType(Type::AUDIO_STREAM_ID_INFO);
  ASSERT_EQ(roster.size(), 1u);
  std::map<std::string, uint32_t> byAttendee;
  for (const auto& s : roster[0].audio_stream_id_info().streams())
    byAttendee[s.attendee_id()] = s.audio_stream_id();
  EXPECT_EQ(byAttendee, (std::map<std::string, uint32_t>{{"a", newId}, {"b", idB}}));
  EXPECT_EQ(meeting->ConnectedCount(), 2u);
}

TEST_F(MeetingSignalingTest, AJoinFromAnotherDeviceGetsTheOldSession301) {
  Client& a1 = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  Client& a2 = Connect("a");
  a2.session->OnBinaryMessage(JoinFrame(99));  // another DefaultSignalingClient: another id
  auto status = a1.transport.FramesOfType(Type::AUDIO_STATUS);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].audio_status().audio_status(), kAudioStatusJoinedFromAnotherDevice);
  ASSERT_TRUE(a1.transport.closed);
  EXPECT_EQ(a1.transport.closed->first, kCloseReplaced);
  EXPECT_EQ(media.left.back(), std::make_pair(std::string("a"), EndReason::kReplaced));
  EXPECT_TRUE(a2.transport.FramesOfType(Type::AUDIO_STATUS).empty());
  a2.session->OnBinaryMessage(SubscribeFrame());
  // The others see the attendee move without leaving.
  for (const auto& s : b.transport.Presence()) EXPECT_FALSE(s.dropped());
  EXPECT_TRUE(meeting->IsPresent("a"));
}

TEST_F(MeetingSignalingTest, TheSdksReconnectAfterClosingItsOldSocketMakesNoFlap) {
  Client& a1 = Arrive("a");
  Client& b = Arrive("b");
  const uint32_t oldId = *meeting->AudioStreamIdOf("a");
  ClearAll();
  // The SDK closes its peer connection (the media reports a loss) and its socket (1005), then
  // opens a new socket and sends the same JOIN.
  meeting->DropAttendee("a");
  a1.session->OnTransportClosed(1005);
  clock.AdvanceMs(1'500);
  Client& a2 = Connect("a");
  a2.session->OnBinaryMessage(JoinFrame());
  EXPECT_TRUE(a1.transport.FramesOfType(Type::AUDIO_STATUS).empty());
  meeting->DropAttendee("a");  // the old peer connection's loss, reported late: not the new one's
  EXPECT_FALSE(a2.transport.closed);
  a2.session->OnBinaryMessage(SubscribeFrame());
  PassTime(60'000);  // the old linger timer finds nothing to do
  EXPECT_TRUE(meeting->IsPresent("a"));
  EXPECT_TRUE(meeting->IsPresent("b"));
  auto p = b.transport.Presence();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].attendee_id(), "a");
  EXPECT_GT(p[0].audio_stream_id(), oldId);
  EXPECT_EQ(p[1].audio_stream_id(), oldId);
  for (const auto& s : p) EXPECT_FALSE(s.dropped());
}

TEST_F(MeetingSignalingTest, SocketClosedThenMediaLostMakesNoFlapWhenTheJoinFollows) {
  Client& a1 = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  a1.session->OnTransportClosed(4500);  // the socket first (e.g. the server's close echoed)...
  meeting->DropAttendee("a");           // ...then the peer connection's close_notify
  EXPECT_TRUE(b.transport.Presence().empty());
  clock.AdvanceMs(2'000);
  Client& a2 = Arrive("a");
  PassTime(30'000);
  EXPECT_TRUE(meeting->IsPresent("b"));
  for (const auto& s : b.transport.Presence()) EXPECT_FALSE(s.dropped());
  EXPECT_EQ(meeting->SessionOf("a"), a2.session);

  // Without a JOIN, the grace after the media loss is short.
  ClearAll();
  a2.session->OnTransportClosed(1006);
  meeting->DropAttendee("a");
  PassTime(4'999);
  EXPECT_TRUE(b.transport.Presence().empty());
  PassTime(1);
  ASSERT_EQ(b.transport.Presence().size(), 1u);
  EXPECT_TRUE(b.transport.Presence()[0].dropped());
}

TEST_F(MeetingSignalingTest, ADroppedAttendeeIsPresentAgainWhenItReturns) {
  Client& a1 = Arrive("a");
  Client& b = Arrive("b");
  const uint32_t oldId = *meeting->AudioStreamIdOf("a");
  const uint32_t idB = *meeting->AudioStreamIdOf("b");
  ClearAll();
  a1.session->OnTransportClosed(1006);
  clock.AdvanceMs(25'000);
  a1.transport.RunTimers();
  ASSERT_EQ(b.transport.Presence().size(), 1u);
  EXPECT_TRUE(b.transport.Presence()[0].dropped());
  b.transport.Clear();

  Client& a2 = Arrive("a");
  auto p = b.transport.Presence();
  ASSERT_EQ(p.size(), 1u);  // only the returning attendee: b's own id is not announced again
  EXPECT_EQ(p[0].attendee_id(), "a");
  EXPECT_GT(p[0].audio_stream_id(), oldId);
  EXPECT_FALSE(p[0].dropped());
  std::map<std::string, uint32_t> byAttendee;
  for (const auto& s : a2.transport.Presence()) byAttendee[s.attendee_id()] = s.audio_stream_id();
  EXPECT_EQ(byAttendee, (std::map<std::string, uint32_t>{{"a", p[0].audio_stream_id()}, {"b", idB}}));
}

TEST_F(MeetingSignalingTest, AReturningAttendeeKeepsItsSeatAtCapacity) {
  MeetingSignaling::Options options;
  options.maxAttendees = 2;
  Reset(options);
  Arrive("a");
  Arrive("b");
  Client& a2 = Connect("a");
  a2.session->OnBinaryMessage(JoinFrame());
  EXPECT_TRUE(a2.transport.FramesOfType(Type::AUDIO_STATUS).empty());
  EXPECT_EQ(a2.transport.FramesOfType(Type::JOIN_ACK).size(), 1u);
  EXPECT_EQ(meeting->SessionOf("a"), a2.session);
}

TEST_F(MeetingSignalingTest, DrainClosesEveryoneWith4500AndNoStatus) {
  Client& a = Arrive("a");
  Client& b = Connect("b");
  ClearAll();
  const size_t leftBefore = media.left.size();
  meeting->Drain();
  for (Client* c : {&a, &b}) {
    EXPECT_TRUE(c->transport.FramesOfType(Type::AUDIO_STATUS).empty());  // 410 would stop the SDK
    ASSERT_TRUE(c->transport.closed);
    EXPECT_EQ(c->transport.closed->first, kCloseServerError);  // the SDK reconnects
  }
  EXPECT_EQ(media.left.size(), leftBefore);
  Client& late = Connect("c");
  ASSERT_TRUE(late.transport.closed);
  EXPECT_EQ(late.transport.closed->first, kCloseServerError);
}
TEST_F(MeetingSignalingTest, RemovedAttendeeGetsStatus411AndOthersSeeItLeave) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  ClearAll();
  meeting->RemoveAttendee("b");
  auto status = b.transport.FramesOfType(Type::AUDIO_STATUS);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].audio_status().audio_status(), kAudioStatusAttendeeRemoved);
  ASSERT_TRUE(b.transport.closed);
  EXPECT_EQ(b.transport.closed->first, kCloseAttendeeRemoved);
  auto p = a.transport.Presence();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_FALSE(p[0].dropped());
  EXPECT_EQ(media.left.back(), std::make_pair(std::string("b"), EndReason::kAttendeeRemoved));
  meeting->RemoveAttendee("nobody");  // harmless
}

TEST_F(MeetingSignalingTest, MeetingEndClosesEveryoneWith410And4410) {
  Client& a = Arrive("a");
  Client& b = Connect("b");  // connected, not joined
  ClearAll();
  meeting->EndMeeting();
  for (Client* c : {&a, &b}) {
    auto frames = c->transport.Frames();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].type(), Type::AUDIO_STATUS);
    EXPECT_EQ(frames[0].audio_status().audio_status(), kAudioStatusMeetingEnded);
    ASSERT_TRUE(c->transport.closed);
    EXPECT_EQ(c->transport.closed->first, kCloseMeetingEnded);
  }
  EXPECT_EQ(meeting->ConnectedCount(), 0u);
  EXPECT_EQ(media.left.size(), 2u);

  // A late connection is turned away the same way (during join the SDK reads 4410 as MeetingEnded).
  Client& late = Connect("c");
  ASSERT_TRUE(late.transport.closed);
  EXPECT_EQ(late.transport.closed->first, kCloseMeetingEnded);
  late.session->OnBinaryMessage(JoinFrame());
  EXPECT_EQ(late.transport.sent.size(), 1u);  // only the AUDIO_STATUS
}

TEST_F(MeetingSignalingTest, DestroyingTheMeetingClosesItsSessionsForAReconnect) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  b.session->OnTransportClosed(1006);  // lingering: its timer must not reach the destroyed meeting
  const size_t leftBefore = media.left.size();
  meeting.reset();
  EXPECT_EQ(media.left.size(), leftBefore);  // the delegate is not called from the destructor
  ASSERT_TRUE(a.transport.closed);
  EXPECT_EQ(a.transport.closed->first, kCloseServerError);
  EXPECT_TRUE(a.transport.FramesOfType(Type::AUDIO_STATUS).empty());
  a.session->OnBinaryMessage(PingFrame(1));  // the meeting is gone; the session must not call it
  a.session->OnTransportClosed(1006);
  clock.AdvanceMs(60'000);
  b.transport.RunTimers();
  a.transport.RunTimers();
}
TEST_F(MeetingSignalingTest, PublishIndexReachesEveryJoinedSession) {
  Client& a = Arrive("a");
  Client& b = Arrive("b");
  Client& c = Connect("c");  // not joined: no INDEX
  ClearAll();
  meeting->PublishIndex();
  EXPECT_EQ(a.transport.FramesOfType(Type::INDEX).size(), 1u);
  EXPECT_EQ(b.transport.FramesOfType(Type::INDEX).size(), 1u);
  EXPECT_TRUE(c.transport.sent.empty());
  EXPECT_EQ(media.indexRequests["a"], 3);  // at JOIN, when b arrived (num_participants), and now
}

TEST_F(MeetingSignalingTest, AudioMetadataGoesToEveryonePresent) {
  Client& a = Arrive("a");
  Client& b = Connect("b");
  b.session->OnBinaryMessage(JoinFrame());
  ClearAll();
  proto::SdkAudioMetadataFrame metadata;
  auto* state = metadata.add_attendee_states();
  state->set_audio_stream_id(1);
  state->set_volume(20);
  state->set_signal_strength(2);
  meeting->BroadcastAudioMetadata(metadata);
  auto frames = a.transport.FramesOfType(Type::AUDIO_METADATA);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].audio_metadata().attendee_states(0).volume(), 20u);
  EXPECT_TRUE(b.transport.sent.empty());  // not present yet: its stream ids are unknown to it
}

TEST_F(MeetingSignalingTest, CapacityRefusesTheNextJoinWith409) {
  MeetingSignaling::Options options;
  options.maxAttendees = 2;
  Reset(options);
  Arrive("a");
  Arrive("b");
  Client& c = Connect("c");
  c.session->OnBinaryMessage(JoinFrame());
  auto status = c.transport.FramesOfType(Type::AUDIO_STATUS);
  ASSERT_EQ(status.size(), 1u);
  EXPECT_EQ(status[0].audio_status().audio_status(), kAudioStatusAtCapacity);
  ASSERT_TRUE(c.transport.closed);
  EXPECT_EQ(c.transport.closed->first, kCloseAtCapacity);
  EXPECT_TRUE(c.transport.FramesOfType(Type::JOIN_ACK).empty());
  EXPECT_EQ(meeting->ConnectedCount(), 2u);
  EXPECT_FALSE(meeting->AudioStreamIdOf("c"));
}

TEST_F(MeetingSignalingTest, SubscribeIsAnsweredWhenTheMediaLayerAnswers) {
  media.answerAtOnce = false;
  Client& a = Connect("a");
  a.session->OnBinaryMessage(JoinFrame());
  a.session->OnBinaryMessage(SubscribeFrame());
  EXPECT_EQ(media.subscribes, (std::vector<std::string>{"a"}));
  EXPECT_FALSE(meeting->IsPresent("a"));
  media.pending[0](Answer());
  EXPECT_TRUE(meeting->IsPresent("a"));
  EXPECT_EQ(a.transport.FramesOfType(Type::SUBSCRIBE_ACK).size(), 1u);
}

TEST_F(MeetingSignalingTest, ATransportThatDiesWhileSendingDoesNotBreakTheBroadcast) {
  Client& a = Arrive("a");
  // b's transport fails on its next send and reports the close synchronously, as a socket might.
  auto b = std::make_unique<Client>();
  Client* bp = b.get();
  bool failing = false;
  SignalingSession::Transport t = bp->transport.Make();
  auto send = t.sendBinary;
  t.sendBinary = [bp, &failing, send](std::string bytes) {
    if (failing) {
      bp->session->OnTransportClosed(1006);
      return;
    }
    send(std::move(bytes));
  };
  bp->session = meeting->Connect({"b", "ext-b"}, std::move(t));
  clients.push_back(std::move(b));
  bp->session->OnBinaryMessage(JoinFrame());
  bp->session->OnBinaryMessage(SubscribeFrame());
  Arrive("c");
  ClearAll();
  failing = true;
  a.session->OnBinaryMessage(MuteFrame(true));  // broadcast reaches b, which dies mid-loop
  EXPECT_EQ(bp->session->GetState(), SignalingSession::State::kEnded);
  EXPECT_TRUE(meeting->IsPresent("c"));
  bool sawMute = false;
  for (const auto& s : clients[2]->transport.Presence()) sawMute |= s.has_muted() && s.muted();
  EXPECT_TRUE(sawMute);
  clock.AdvanceMs(25'000);
  bp->transport.RunTimers();
  EXPECT_FALSE(meeting->IsPresent("b"));
  bool sawDropped = false;
  for (const auto& s : clients[2]->transport.Presence()) sawDropped |= s.dropped();
  EXPECT_TRUE(sawDropped);
}

}  // namespace
}  // namespace medicall::signaling
