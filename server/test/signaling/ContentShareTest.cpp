#include "signaling/ContentShare.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "SignalingTestSupport.hpp"
#include "signaling/MeetingSignaling.hpp"
#include "signaling/SignalingStatus.hpp"

namespace medicall::signaling {
namespace {

using namespace test;
using EndReason = SignalingSession::EndReason;

// ---- the rules on their own ------------------------------------------------------------------------

TEST(ContentShareRulesTest, AContentTokenOrIdNamesItsBase) {
  EXPECT_EQ(ContentShare::BaseOf("dG9rZW4#content"), "dG9rZW4");
  EXPECT_EQ(ContentShare::BaseOf("a1b2-c3#content"), "a1b2-c3");
  EXPECT_TRUE(ContentShare::IsContent("a1b2-c3#content"));
  EXPECT_EQ(ContentShare::ContentIdOf("a1b2-c3"), "a1b2-c3#content");
}

TEST(ContentShareRulesTest, AnythingElseIsNotContent) {
  for (const char* s : {"dG9rZW4", "", "#content", "a#content#content", "a#contents", "a#Content", "a#video",
                        "a#content ", "content"}) {
    EXPECT_FALSE(ContentShare::BaseOf(s).has_value()) << s;
    EXPECT_FALSE(ContentShare::IsContent(s)) << s;
  }
}

TEST(ContentShareRulesTest, OnlyASendingContentCapabilityMayShare) {
  EXPECT_TRUE(ContentShare::MayShare("SendReceive"));
  EXPECT_TRUE(ContentShare::MayShare("Send"));
  EXPECT_TRUE(ContentShare::MayShare(""));
  EXPECT_FALSE(ContentShare::MayShare("Receive"));
  EXPECT_FALSE(ContentShare::MayShare("None"));
}

TEST(ContentShareRulesTest, TwoSharesAtOnceAndAReconnectTakesNoExtraSlot) {
  const std::vector<std::string> people{"a", "b", "c"};
  EXPECT_TRUE(ContentShare::HasSlot("a#content", people));
  const std::vector<std::string> one{"a", "b", "c", "a#content"};
  EXPECT_TRUE(ContentShare::HasSlot("b#content", one));
  const std::vector<std::string> two{"a", "b", "c", "a#content", "b#content"};
  EXPECT_FALSE(ContentShare::HasSlot("c#content", two));
  EXPECT_TRUE(ContentShare::HasSlot("a#content", two));  // a's content reconnecting
}

TEST(ContentShareRulesTest, PeriodicKeyframesUnlessTheJoinDisablesThem) {
  proto::SdkJoinFrame join;
  EXPECT_TRUE(ContentShare::WantsPeriodicKeyframes(join));
  join.set_disable_periodic_keyframe_request_on_content_sender(false);
  EXPECT_TRUE(ContentShare::WantsPeriodicKeyframes(join));
  join.set_disable_periodic_keyframe_request_on_content_sender(true);
  EXPECT_FALSE(ContentShare::WantsPeriodicKeyframes(join));
}

// ---- in a meeting --------------------------------------------------------------------------------

class ContentMedia : public MeetingSignaling::Delegate {
 public:
  proto::SdkIndexFrame IndexFor(const SessionIdentity&) override { return {}; }
  void OnSubscribe(const SessionIdentity&, SubscribeRequest, SignalingSession::SubscribeDone done) override {
    done(Answer());
  }
  void OnAttendeeLeft(const SessionIdentity& attendee, EndReason reason) override {
    left.emplace_back(attendee.attendeeId, reason);
  }
  void OnContentShareJoined(const SessionIdentity& content, bool periodicKeyframes) override {
    contentJoins.emplace_back(content.attendeeId, periodicKeyframes);
  }
  std::vector<std::pair<std::string, EndReason>> left;
  std::vector<std::pair<std::string, bool>> contentJoins;
};

std::string JoinWithoutPeriodicKeyframes() {
  proto::SdkSignalFrame f;
  f.set_type(Type::JOIN);
  f.mutable_join()->set_protocol_version(2);
  f.mutable_join()->set_audio_session_id(77);
  f.mutable_join()->set_disable_periodic_keyframe_request_on_content_sender(true);
  return Encoded(f);
}

class ContentShareMeetingTest : public ::testing::Test {
 protected:
  struct Peer {
    FakeTransport transport;
    std::shared_ptr<SignalingSession> session;
    bool Closed() const { return transport.closed.has_value(); }
    uint16_t CloseCode() const { return transport.closed ? transport.closed->first : 0; }
    std::vector<uint32_t> Statuses() const {
      std::vector<uint32_t> out;
      for (const auto& f : transport.FramesOfType(Type::AUDIO_STATUS))
        out.push_back(f.audio_status().audio_status());
      return out;
    }
  };

  // Person `id`, or with content=true its content share (external id of the person).
  Peer& Join(const std::string& id, bool content = false, const std::string& join = JoinFrame()) {
    auto peer = std::make_unique<Peer>();
    const std::string attendeeId = content ? ContentShare::ContentIdOf(id) : id;
    peer->session = meeting->Connect({attendeeId, "ext-" + id}, peer->transport.Make());
    peer->session->OnBinaryMessage(join);
    peer->session->OnBinaryMessage(SubscribeFrame());
    peers.push_back(std::move(peer));
    return *peers.back();
  }
  static bool SawPresent(const Peer& p, const std::string& attendeeId) {
    for (const auto& e : p.transport.Presence())
      if (e.attendee_id() == attendeeId) return true;
    return false;
  }

  ManualClock clock;
  ContentMedia media;
  std::vector<std::unique_ptr<Peer>> peers;
  std::unique_ptr<MeetingSignaling> meeting =
      std::make_unique<MeetingSignaling>("meeting-1", media, MeetingSignaling::Options{}, clock);
};

TEST_F(ContentShareMeetingTest, TheSharersOwnSessionAndTheOthersSeeTheContentAttendee) {
  Peer& a = Join("a");
  Peer& b = Join("b");
  Peer& content = Join("a", true);
  EXPECT_TRUE(meeting->IsPresent("a#content"));
  for (const Peer* p : {&a, &b}) {
    bool found = false;
    for (const auto& e : p->transport.Presence()) {
      if (e.attendee_id() != "a#content") continue;
      found = true;
      EXPECT_EQ(e.external_user_id(), "ext-a");
      EXPECT_EQ(e.audio_stream_id(), *meeting->AudioStreamIdOf("a#content"));
    }
    EXPECT_TRUE(found);  // for a's main session that is contentShareDidStart
  }
  EXPECT_FALSE(content.transport.FramesOfType(Type::INDEX).empty());  // the content client waits for one
  EXPECT_EQ(meeting->PresentCount(), 3u);
  EXPECT_EQ(meeting->PresentPeopleCount(), 2u);  // a share is no participant
  ASSERT_EQ(media.contentJoins.size(), 1u);
  EXPECT_EQ(media.contentJoins[0], std::make_pair(std::string("a#content"), true));
}

TEST_F(ContentShareMeetingTest, AJoinThatDisablesPeriodicKeyframesSaysSo) {
  Join("a");
  Join("a", true, JoinWithoutPeriodicKeyframes());
  ASSERT_EQ(media.contentJoins.size(), 1u);
  EXPECT_FALSE(media.contentJoins[0].second);
}

TEST_F(ContentShareMeetingTest, AThirdConcurrentShareGets409AndIsClosed) {
  for (const char* id : {"a", "b", "c"}) Join(id);
  Peer& first = Join("a", true);
  Peer& second = Join("b", true);
  Peer& third = Join("c", true);
  EXPECT_EQ(third.Statuses(), std::vector<uint32_t>{kAudioStatusAtCapacity});
  EXPECT_EQ(third.CloseCode(), kCloseAtCapacity);
  EXPECT_TRUE(third.transport.FramesOfType(Type::SUBSCRIBE_ACK).empty());
  EXPECT_FALSE(meeting->IsPresent("c#content"));
  EXPECT_FALSE(first.Closed());
  EXPECT_FALSE(second.Closed());
  EXPECT_FALSE(SawPresent(*peers[0], "c#content"));

  // People are not content: a fourth person still joins.
  Peer& d = Join("d");
  EXPECT_TRUE(meeting->IsPresent("d"));
  EXPECT_FALSE(d.Closed());

  // Once a share stops, the next one may start.
  first.session->OnBinaryMessage(LeaveFrame());
  Peer& again = Join("c", true);
  EXPECT_TRUE(again.Statuses().empty());
  EXPECT_TRUE(meeting->IsPresent("c#content"));
}

TEST_F(ContentShareMeetingTest, AContentReconnectAtTheLimitKeepsItsSlot) {
  for (const char* id : {"a", "b"}) Join(id);
  Peer& first = Join("a", true);
  Join("b", true);
  Peer& back = Join("a", true);  // same audio_session_id: the content client reconnected
  EXPECT_TRUE(back.Statuses().empty());
  EXPECT_TRUE(meeting->IsPresent("a#content"));
  EXPECT_TRUE(first.Closed());  // quietly replaced
  EXPECT_TRUE(first.Statuses().empty());
}

TEST_F(ContentShareMeetingTest, ContentEndsWhenItsOwnerLeaves) {
  Peer& a = Join("a");
  Peer& b = Join("b");
  Peer& content = Join("a", true);
  const uint32_t contentStream = *meeting->AudioStreamIdOf("a#content");
  b.transport.Clear();
  a.session->OnBinaryMessage(LeaveFrame());
  EXPECT_EQ(content.Statuses(), std::vector<uint32_t>{kAudioStatusAttendeeRemoved});
  EXPECT_EQ(content.CloseCode(), kCloseAttendeeRemoved);
  EXPECT_FALSE(meeting->IsPresent("a#content"));
  bool contentGone = false;
  for (const auto& e : b.transport.Presence()) {
    if (e.audio_stream_id() != contentStream) continue;
    contentGone = true;
    EXPECT_FALSE(e.has_attendee_id());
    EXPECT_FALSE(e.dropped());
  }
  EXPECT_TRUE(contentGone);
  ASSERT_FALSE(media.left.empty());
  EXPECT_EQ(media.left.back().first, "a#content");
}

TEST_F(ContentShareMeetingTest, ContentEndsWhenItsOwnerIsRemoved) {
  Join("a");
  Join("b");
  Peer& content = Join("a", true);
  meeting->RemoveAttendee("a");
  EXPECT_EQ(content.Statuses(), std::vector<uint32_t>{kAudioStatusAttendeeRemoved});
  EXPECT_EQ(content.CloseCode(), kCloseAttendeeRemoved);
  EXPECT_FALSE(meeting->IsPresent("a#content"));
  EXPECT_EQ(meeting->ConnectedCount(), 1u);
}

TEST_F(ContentShareMeetingTest, ContentStillJoiningEndsWithItsRemovedOwner) {
  Join("a");
  auto peer = std::make_unique<Peer>();
  peer->session = meeting->Connect({"a#content", "ext-a"}, peer->transport.Make());  // no JOIN yet
  meeting->RemoveAttendee("a");
  EXPECT_EQ(peer->CloseCode(), kCloseAttendeeRemoved);
  EXPECT_EQ(meeting->ConnectedCount(), 0u);
}

TEST_F(ContentShareMeetingTest, ContentEndsWithTheMeeting) {
  Join("a");
  Peer& content = Join("a", true);
  meeting->EndMeeting();
  EXPECT_EQ(content.Statuses(), std::vector<uint32_t>{kAudioStatusMeetingEnded});
  EXPECT_EQ(content.CloseCode(), kCloseMeetingEnded);
}

TEST_F(ContentShareMeetingTest, TheContentLeavingDoesNotEndItsOwner) {
  Peer& a = Join("a");
  Peer& content = Join("a", true);
  content.session->OnBinaryMessage(LeaveFrame());
  EXPECT_FALSE(meeting->IsPresent("a#content"));
  EXPECT_TRUE(meeting->IsPresent("a"));
  EXPECT_FALSE(a.Closed());
}

TEST_F(ContentShareMeetingTest, AnOwnerWhoReconnectsKeepsSharing) {
  Join("a");
  Peer& content = Join("a", true);
  Peer& back = Join("a");  // same audio_session_id as its first session
  EXPECT_TRUE(back.Statuses().empty());
  EXPECT_FALSE(content.Closed());
  EXPECT_TRUE(meeting->IsPresent("a#content"));
}

TEST_F(ContentShareMeetingTest, AnOwnerWhoDropsEndsTheShareOnceItIsGivenUp) {
  Peer& a = Join("a");
  Peer& content = Join("a", true);
  a.session->OnTransportClosed(1006);  // lingers: its client may reconnect
  EXPECT_FALSE(content.Closed());
  clock.AdvanceMs(30'000);
  content.session->OnBinaryMessage(PingFrame(1));  // the content client is alive meanwhile
  a.transport.RunTimers();
  EXPECT_FALSE(meeting->IsPresent("a"));
  EXPECT_EQ(content.Statuses(), std::vector<uint32_t>{kAudioStatusAttendeeRemoved});
  EXPECT_TRUE(content.Closed());
}

}  // namespace
}  // namespace medicall::signaling
