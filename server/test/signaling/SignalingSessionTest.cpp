#include "signaling/SignalingSession.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "SignalingTestSupport.hpp"
#include "signaling/SignalingStatus.hpp"

namespace medicall::signaling {
namespace {

using namespace test;
using EndReason = SignalingSession::EndReason;

class FakeListener : public SignalingSession::Listener {
 public:
  std::optional<proto::SdkIndexFrame> OnJoin(SignalingSession&, const proto::SdkJoinFrame& join) override {
    joins.push_back(join);
    if (refuseJoin) return std::nullopt;
    proto::SdkIndexFrame index;
    auto* source = index.add_sources();
    source->set_stream_id(10);
    source->set_group_id(3);
    source->set_attendee_id("other");
    source->set_media_type(proto::VIDEO);
    return index;
  }
  void OnJoined(SignalingSession&) override { ++joined; }
  void OnSubscribe(SignalingSession&, SubscribeRequest request,
                   SignalingSession::SubscribeDone done) override {
    requests.push_back(request);
    pending.push_back(std::move(done));
  }
  void OnSubscribeAcked(SignalingSession&, uint32_t sequence) override { acked.push_back(sequence); }
  void OnMuteChanged(SignalingSession&, bool muted) override { mutes.push_back(muted); }
  void OnDataMessages(SignalingSession&, const proto::SdkDataMessageFrame& frame) override {
    data.push_back(frame);
  }
  void OnEnded(SignalingSession&, EndReason reason) override { ended.push_back(reason); }
  void OnClientMetric(SignalingSession&, const proto::SdkClientMetricFrame&) override { ++metrics; }
  void OnPauseResume(SignalingSession&, bool pause, const proto::SdkPauseResumeFrame&) override {
    pauses.push_back(pause);
  }

  bool refuseJoin = false;
  int joined = 0;
  int metrics = 0;
  std::vector<proto::SdkJoinFrame> joins;
  std::vector<SubscribeRequest> requests;
  std::vector<SignalingSession::SubscribeDone> pending;
  std::vector<uint32_t> acked;
  std::vector<bool> mutes;
  std::vector<bool> pauses;
  std::vector<proto::SdkDataMessageFrame> data;
  std::vector<EndReason> ended;
};

class SignalingSessionTest : public ::testing::Test {
 protected:
  // Without the silence watchdog unless asked: its timer would mix with the ones under test.
  std::shared_ptr<SignalingSession> MakeSession(SignalingSession::Options options = {},
                                                bool watchdog = false) {
    if (!watchdog) options.silenceTimeoutUs = 0;
    return std::make_shared<SignalingSession>(SessionIdentity{"attendee-a", "dr-a"}, transport.Make(),
                                              listener, options, clock);
  }
  void Join() {
    session->OnBinaryMessage(JoinFrame());
    ASSERT_TRUE(session->Joined());
    transport.Clear();
  }

  ManualClock clock;
  FakeTransport transport;
  FakeListener listener;
  std::shared_ptr<SignalingSession> session = MakeSession();
};

TEST_F(SignalingSessionTest, JoinIsAnsweredWithJoinAckThenIndex) {
  session->OnBinaryMessage(JoinFrame());
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 2u);
  ASSERT_EQ(frames[0].type(), Type::JOIN_ACK);
  const auto& ack = frames[0].joinack();
  EXPECT_EQ(ack.video_subscription_limit(), 25u);
  EXPECT_TRUE(ack.has_wants_compressed_sdp());
  EXPECT_FALSE(ack.wants_compressed_sdp());
  EXPECT_FALSE(ack.has_default_server_side_network_adaption());  // client-side adaptation (issue 11)
  EXPECT_FALSE(ack.has_turn_credentials());
  EXPECT_EQ(frames[0].timestamp_ms(), static_cast<uint64_t>(clock.WallNowUs() / 1000));
  ASSERT_EQ(frames[1].type(), Type::INDEX);
  ASSERT_EQ(frames[1].index().sources_size(), 1);
  EXPECT_EQ(frames[1].index().sources(0).stream_id(), 10u);
  EXPECT_TRUE(session->Joined());
  ASSERT_EQ(listener.joins.size(), 1u);
  EXPECT_EQ(listener.joins[0].protocol_version(), 2u);
  EXPECT_EQ(listener.joined, 1);
}

TEST_F(SignalingSessionTest, JoinAckCarriesTurnCredentials) {
  SignalingSession::Options options;
  options.turnCredentials =
      TurnCredentials{"user", "pass", 3600, {"turn:1.2.3.4:3478", "turns:t.example:443"}};
  session = MakeSession(options);
  session->OnBinaryMessage(JoinFrame());
  auto acks = transport.FramesOfType(Type::JOIN_ACK);
  ASSERT_EQ(acks.size(), 1u);
  const auto& turn = acks[0].joinack().turn_credentials();
  EXPECT_EQ(turn.username(), "user");
  EXPECT_EQ(turn.password(), "pass");
  EXPECT_EQ(turn.ttl(), 3600u);
  ASSERT_EQ(turn.uris_size(), 2);
  EXPECT_EQ(turn.uris(1), "turns:t.example:443");
}

TEST_F(SignalingSessionTest, JoinRefusedAtCapacity) {
  listener.refuseJoin = true;
  session->OnBinaryMessage(JoinFrame());
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type(), Type::AUDIO_STATUS);
  EXPECT_EQ(frames[0].audio_status().audio_status(), kAudioStatusAtCapacity);
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseAtCapacity);
  EXPECT_EQ(session->GetState(), SignalingSession::State::kEnded);
}

TEST_F(SignalingSessionTest, SubscribeBeforeJoinIsAnErrorTheSdkUnderstands) {
  session->OnBinaryMessage(SubscribeFrame());
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type(), Type::SUBSCRIBE_ACK);
  EXPECT_EQ(frames[0].error().status(), kErrorBadRequest);  // SDK: SignalingBadRequest, terminal
  EXPECT_FALSE(frames[0].has_suback());
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kClosePolicyViolation);
  EXPECT_NE(transport.closed->second.find("before JOIN"), std::string::npos);
  EXPECT_TRUE(listener.requests.empty());
  ASSERT_EQ(listener.ended.size(), 1u);
  EXPECT_EQ(listener.ended[0], EndReason::kProtocolError);
}

TEST_F(SignalingSessionTest, MuteAndDataBeforeJoinAreToleratedAsTheSdkMaySendThem) {
  session->OnBinaryMessage(MuteFrame(true));
  session->OnBinaryMessage(DataFrame({{}}));
  session->OnBinaryMessage(PingFrame(9));
  EXPECT_FALSE(transport.closed);
  EXPECT_TRUE(listener.mutes.empty());  // not joined: nobody to tell yet
  EXPECT_TRUE(listener.data.empty());
  EXPECT_EQ(session->DroppedDataMessages(), 1u);
  EXPECT_TRUE(session->Muted());  // remembered for the presence entry
  auto pongs = transport.FramesOfType(Type::PING_PONG);
  ASSERT_EQ(pongs.size(), 1u);
  EXPECT_EQ(pongs[0].ping_pong().ping_id(), 9u);
  session->OnBinaryMessage(JoinFrame());
  EXPECT_TRUE(session->Joined());
}

TEST_F(SignalingSessionTest, DuplicateJoinIsAnError) {
  Join();
  session->OnBinaryMessage(JoinFrame());
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type(), Type::JOIN_ACK);
  EXPECT_EQ(frames[0].error().status(), kErrorBadRequest);
  EXPECT_TRUE(transport.closed);
}

TEST_F(SignalingSessionTest, SubscribeGoesToTheListenerAndIsAcked) {
  Join();
  session->OnBinaryMessage(SubscribeFrame("v=0\r\noffer\r\n"));
  ASSERT_EQ(listener.requests.size(), 1u);
  const auto& request = listener.requests[0];
  EXPECT_EQ(request.sdpOffer, "v=0\r\noffer\r\n");
  EXPECT_EQ(request.duplex, proto::DUPLEX);
  ASSERT_EQ(request.sendStreams.size(), 2u);
  EXPECT_EQ(request.sendStreams[1].track_label(), "AmazonChimeExpressVideo");
  EXPECT_EQ(request.receiveStreamIds, (std::vector<uint32_t>{0, 10}));
  EXPECT_EQ(request.audioHost, "127.0.0.1:3478");
  EXPECT_EQ(request.sequence, 1u);
  EXPECT_TRUE(transport.sent.empty());  // nothing until the media layer answers

  listener.pending[0](Answer("v=0\r\nanswer\r\n"));
  auto acks = transport.FramesOfType(Type::SUBSCRIBE_ACK);
  ASSERT_EQ(acks.size(), 1u);
  const auto& ack = acks[0].suback();
  EXPECT_FALSE(acks[0].has_error());
  EXPECT_EQ(ack.sdp_answer(), "v=0\r\nanswer\r\n");
  EXPECT_EQ(ack.duplex(), proto::DUPLEX);
  ASSERT_EQ(ack.tracks_size(), 1);
  EXPECT_EQ(ack.tracks(0).track_label(), "v_1");
  EXPECT_EQ(ack.tracks(0).ssrc(), 0x11223344u);
  ASSERT_EQ(ack.allocations_size(), 1);
  EXPECT_EQ(ack.allocations(0).stream_id(), 11u);
  EXPECT_EQ(listener.acked, (std::vector<uint32_t>{1}));
  EXPECT_EQ(session->AckedSubscribeCount(), 1u);
}

TEST_F(SignalingSessionTest, EveryResubscribeIsAnsweredAndASupersededAnswerIsDropped) {
  Join();
  session->OnBinaryMessage(SubscribeFrame("offer-1"));
  listener.pending[0](Answer("answer-1"));
  session->OnBinaryMessage(SubscribeFrame("offer-2"));
  ASSERT_EQ(listener.pending.size(), 2u);
  session->OnBinaryMessage(SubscribeFrame("offer-3"));  // arrives while offer-2 runs
  ASSERT_EQ(listener.pending.size(), 2u);               // one at a time on the worker
  listener.pending[1](Answer("answer-2"));              // superseded by offer-3: not sent
  ASSERT_EQ(listener.requests.size(), 3u);              // offer-3 runs now
  EXPECT_EQ(listener.requests[2].sdpOffer, "offer-3");
  listener.pending[2](Answer("answer-3"));
  auto acks = transport.FramesOfType(Type::SUBSCRIBE_ACK);
  ASSERT_EQ(acks.size(), 2u);
  EXPECT_EQ(acks[0].suback().sdp_answer(), "answer-1");
  EXPECT_EQ(acks[1].suback().sdp_answer(), "answer-3");
  EXPECT_EQ(listener.acked, (std::vector<uint32_t>{1, 3}));
}

TEST_F(SignalingSessionTest, SubscribesWaitingBehindOneInFlightCoalesceToTheLatest) {
  Join();
  session->OnBinaryMessage(SubscribeFrame("offer-1"));
  session->OnBinaryMessage(SubscribeFrame("offer-2"));
  session->OnBinaryMessage(SubscribeFrame("offer-3"));
  ASSERT_EQ(listener.requests.size(), 1u);  // offer-1 in flight; offer-2 and -3 wait, -3 replaces -2
  EXPECT_EQ(session->SupersededSubscribes(), 1u);
  listener.pending[0](Answer("answer-1"));  // superseded by then: dropped
  ASSERT_EQ(listener.requests.size(), 2u);
  EXPECT_EQ(listener.requests[1].sdpOffer, "offer-3");  // offer-2 never ran
  EXPECT_EQ(listener.requests[1].sequence, 3u);
  listener.pending[1](Answer("answer-3"));
  auto acks = transport.FramesOfType(Type::SUBSCRIBE_ACK);
  ASSERT_EQ(acks.size(), 1u);  // the SDK waits for exactly one answer
  EXPECT_EQ(acks[0].suback().sdp_answer(), "answer-3");
  EXPECT_EQ(listener.acked, (std::vector<uint32_t>{3}));
}

TEST_F(SignalingSessionTest, SubscribesOverTheRateWaitForTheBucketAndAreStillAnswered) {
  SignalingSession::Options options;
  options.subscribes = {2, 2};  // one token per 500 ms
  session = MakeSession(options);
  Join();
  for (int i = 1; i <= 2; ++i) {
    session->OnBinaryMessage(SubscribeFrame("offer-" + std::to_string(i)));
    listener.pending.back()(Answer("answer-" + std::to_string(i)));
  }
  session->OnBinaryMessage(SubscribeFrame("offer-3"));
  EXPECT_EQ(listener.requests.size(), 2u);  // over the rate: waits
  EXPECT_EQ(session->DeferredSubscribes(), 1u);
  ASSERT_EQ(transport.timers.size(), 1u);
  EXPECT_EQ(transport.timers[0].first, 500'000);        // until the next token
  session->OnBinaryMessage(SubscribeFrame("offer-4"));  // replaces offer-3, no second timer
  EXPECT_EQ(transport.timers.size(), 1u);
  EXPECT_EQ(listener.requests.size(), 2u);

  clock.AdvanceMs(500);
  transport.RunTimers();
  ASSERT_EQ(listener.requests.size(), 3u);
  EXPECT_EQ(listener.requests[2].sdpOffer, "offer-4");
  listener.pending[2](Answer("answer-4"));
  auto acks = transport.FramesOfType(Type::SUBSCRIBE_ACK);
  ASSERT_EQ(acks.size(), 3u);
  EXPECT_EQ(acks[2].suback().sdp_answer(), "answer-4");
  EXPECT_TRUE(transport.FramesOfType(Type::SUBSCRIBE_ACK)[2].has_suback());
  EXPECT_FALSE(transport.closed);  // never an error or a close for a client that is only fast
}

TEST_F(SignalingSessionTest, WithoutATimerAWaitingSubscribeRunsAtTheNextFrame) {
  SignalingSession::Options options;
  options.subscribes = {1, 1};
  session = std::make_shared<SignalingSession>(SessionIdentity{"attendee-a", "dr-a"},
                                               transport.MakeWithoutTimer(), listener, options, clock);
  Join();
  session->OnBinaryMessage(SubscribeFrame("offer-1"));
  listener.pending[0](Answer("answer-1"));
  session->OnBinaryMessage(SubscribeFrame("offer-2"));
  EXPECT_EQ(listener.requests.size(), 1u);
  clock.AdvanceMs(1000);
  session->OnBinaryMessage(PingFrame(1));
  ASSERT_EQ(listener.requests.size(), 2u);
  EXPECT_EQ(listener.requests[1].sdpOffer, "offer-2");
}

TEST_F(SignalingSessionTest, SubscribeFailureIsAnErrorStatus) {
  Join();
  session->OnBinaryMessage(SubscribeFrame());
  listener.pending[0](SubscribeResult::Failure(500, "no media worker"));
  auto acks = transport.FramesOfType(Type::SUBSCRIBE_ACK);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].error().status(), 500u);
  EXPECT_EQ(acks[0].error().description(), "no media worker");
  EXPECT_TRUE(listener.acked.empty());
  EXPECT_TRUE(session->Joined());  // the client decides: it reconnects on 5xx
}

TEST_F(SignalingSessionTest, CompressedOnlyOfferIsRefused) {
  Join();
  proto::SdkSignalFrame f;
  f.set_type(Type::SUBSCRIBE);
  f.mutable_sub()->set_compressed_sdp_offer("\x28\xb5\x2f\xfd");
  session->OnBinaryMessage(Encoded(f));
  auto acks = transport.FramesOfType(Type::SUBSCRIBE_ACK);
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].error().status(), kErrorBadRequest);
  EXPECT_TRUE(listener.requests.empty());
}

TEST_F(SignalingSessionTest, AnswerAfterTheSessionIsGoneIsHarmless) {
  Join();
  session->OnBinaryMessage(SubscribeFrame());
  auto done = listener.pending[0];
  session.reset();  // last reference: destroyed
  done(Answer());   // must not touch freed memory (ASan would tell)
  EXPECT_TRUE(transport.FramesOfType(Type::SUBSCRIBE_ACK).empty());
}

TEST_F(SignalingSessionTest, AnswerAfterLeaveIsDropped) {
  Join();
  session->OnBinaryMessage(SubscribeFrame());
  session->OnBinaryMessage(LeaveFrame());
  listener.pending[0](Answer());
  EXPECT_TRUE(transport.FramesOfType(Type::SUBSCRIBE_ACK).empty());
  EXPECT_TRUE(listener.acked.empty());
}

TEST_F(SignalingSessionTest, PingIsAnsweredWithPongOfTheSameId) {
  Join();
  for (uint32_t id : {1u, 4294967295u}) {
    transport.Clear();
    session->OnBinaryMessage(PingFrame(id));
    auto frames = transport.Frames();
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].type(), Type::PING_PONG);
    EXPECT_EQ(frames[0].ping_pong().type(), proto::PONG);
    EXPECT_EQ(frames[0].ping_pong().ping_id(), id);
  }
  // A PONG from the client needs no answer.
  transport.Clear();
  proto::SdkSignalFrame pong;
  pong.set_type(Type::PING_PONG);
  pong.mutable_ping_pong()->set_type(proto::PONG);
  pong.mutable_ping_pong()->set_ping_id(3);
  session->OnBinaryMessage(Encoded(pong));
  EXPECT_TRUE(transport.sent.empty());
}

TEST_F(SignalingSessionTest, PingBeforeJoinIsAnswered) {
  // The SDK pings as soon as the socket opens, before its JOIN, on every (re)connect.
  session->OnBinaryMessage(PingFrame(77));
  auto pongs = transport.FramesOfType(Type::PING_PONG);
  ASSERT_EQ(pongs.size(), 1u);
  EXPECT_EQ(pongs[0].ping_pong().type(), proto::PONG);
  EXPECT_EQ(pongs[0].ping_pong().ping_id(), 77u);
  EXPECT_EQ(session->GetState(), SignalingSession::State::kAwaitingJoin);
}

TEST_F(SignalingSessionTest, TwentyFiveSilentSecondsCloseTheSessionWith4500) {
  session = MakeSession({}, true);
  ASSERT_EQ(transport.timers.size(), 1u);
  EXPECT_EQ(transport.timers[0].first, 25'000'000);
  Join();
  clock.AdvanceMs(10'000);
  session->OnBinaryMessage(PingFrame(1));
  clock.AdvanceMs(10'000);
  session->OnBinaryMessage(PingFrame(2));
  clock.AdvanceMs(5'000);  // 25 s after the start, 5 s after the last ping
  transport.RunTimers();
  EXPECT_FALSE(transport.closed);
  ASSERT_EQ(transport.timers.size(), 1u);
  EXPECT_EQ(transport.timers[0].first, 20'000'000);  // looks again when 25 s have passed since
  clock.AdvanceMs(19'999);
  transport.RunTimers();
  EXPECT_FALSE(transport.closed);
  clock.AdvanceMs(1);
  transport.RunTimers();
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseServerError);  // the SDK reconnects if it is still there
  ASSERT_EQ(listener.ended.size(), 1u);
  EXPECT_EQ(listener.ended[0], EndReason::kTimedOut);
  EXPECT_TRUE(transport.timers.empty());
}

TEST_F(SignalingSessionTest, ASocketThatNeverSpeaksIsClosedToo) {
  session = MakeSession({}, true);
  clock.AdvanceMs(25'000);
  transport.RunTimers();
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseServerError);
  EXPECT_EQ(listener.ended, (std::vector<EndReason>{EndReason::kTimedOut}));
}

TEST_F(SignalingSessionTest, JoinRecordsTheAudioSessionIdAndNeverAsksForCompression) {
  EXPECT_FALSE(session->AudioSessionId());
  session->OnBinaryMessage(JoinFrame(123456789012345ULL));
  EXPECT_EQ(session->AudioSessionId(), 123456789012345ULL);
  auto acks = transport.FramesOfType(Type::JOIN_ACK);
  ASSERT_EQ(acks.size(), 1u);
  // Every JOIN (a reconnect's too) starts without SDP compression: no dictionary carries over.
  EXPECT_TRUE(acks[0].joinack().has_wants_compressed_sdp());
  EXPECT_FALSE(acks[0].joinack().wants_compressed_sdp());
}

TEST_F(SignalingSessionTest, LeaveIsAckedAndEndsTheSession) {
  Join();
  session->OnBinaryMessage(LeaveFrame());
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type(), Type::LEAVE_ACK);
  EXPECT_TRUE(frames[0].has_leave_ack());
  EXPECT_EQ(listener.ended, (std::vector<EndReason>{EndReason::kLeft}));
  session->OnTransportClosed(1000);  // the client closes afterwards: not a drop
  EXPECT_EQ(listener.ended.size(), 1u);
  session->OnBinaryMessage(PingFrame(1));  // nothing more once ended
  EXPECT_EQ(transport.sent.size(), 1u);
}

TEST_F(SignalingSessionTest, TransportLossWithoutLeaveIsADrop) {
  Join();
  session->OnTransportClosed(1006);
  EXPECT_EQ(listener.ended, (std::vector<EndReason>{EndReason::kDropped}));
  EXPECT_EQ(session->GetEndReason(), EndReason::kDropped);
}

TEST_F(SignalingSessionTest, AudioControlChangesMuteState) {
  Join();
  session->OnBinaryMessage(MuteFrame(true));
  session->OnBinaryMessage(MuteFrame(true));  // no change, no event
  session->OnBinaryMessage(MuteFrame(false));
  EXPECT_EQ(listener.mutes, (std::vector<bool>{true, false}));
  EXPECT_FALSE(session->Muted());
  EXPECT_TRUE(transport.sent.empty());  // no reply frame
}

TEST_F(SignalingSessionTest, MuteTogglesOverTheRateCollapseIntoTheFinalState) {
  SignalingSession::Options options;
  options.muteChanges = {2, 2};  // one token per 500 ms
  session = MakeSession(options);
  Join();
  for (int i = 0; i < 9; ++i) session->OnBinaryMessage(MuteFrame(i % 2 == 0));  // ends muted
  EXPECT_EQ(listener.mutes, (std::vector<bool>{true, false}));                  // the burst
  EXPECT_TRUE(session->Muted());  // the session follows every frame
  EXPECT_EQ(session->DeferredMuteChanges(), 7u);
  ASSERT_EQ(transport.timers.size(), 1u);
  EXPECT_EQ(transport.timers[0].first, 500'000);
  clock.AdvanceMs(500);
  transport.RunTimers();
  EXPECT_EQ(listener.mutes, (std::vector<bool>{true, false, true}));  // the final state, once
  EXPECT_TRUE(transport.timers.empty());

  // Toggled back and forth while held: nothing left to tell.
  session->OnBinaryMessage(MuteFrame(false));
  session->OnBinaryMessage(MuteFrame(true));
  ASSERT_EQ(transport.timers.size(), 1u);
  clock.AdvanceMs(500);
  transport.RunTimers();
  EXPECT_EQ(listener.mutes, (std::vector<bool>{true, false, true}));
  EXPECT_TRUE(session->Muted());
}

TEST_F(SignalingSessionTest, OtherFrameTypesOverTheirRateAreDroppedAndCounted) {
  SignalingSession::Options options;
  options.otherFrames = {1, 3};
  session = MakeSession(options);
  Join();
  for (uint32_t id = 1; id <= 5; ++id) session->OnBinaryMessage(PingFrame(id));
  EXPECT_EQ(transport.FramesOfType(Type::PING_PONG).size(), 3u);
  EXPECT_EQ(session->DroppedFrames(), 2u);
  // Each type has its own bucket: pings do not starve pauses.
  proto::SdkSignalFrame pause;
  pause.set_type(Type::PAUSE);
  pause.mutable_pause()->add_stream_ids(10);
  session->OnBinaryMessage(Encoded(pause));
  EXPECT_EQ(listener.pauses, (std::vector<bool>{true}));
  clock.AdvanceMs(1000);
  session->OnBinaryMessage(PingFrame(6));
  auto pongs = transport.FramesOfType(Type::PING_PONG);
  ASSERT_EQ(pongs.size(), 4u);
  EXPECT_EQ(pongs[3].ping_pong().ping_id(), 6u);
  EXPECT_TRUE(session->Joined());
}

TEST_F(SignalingSessionTest, DefaultLimitsLetTheSdksTrafficThrough) {
  // What the SDK sends when ten attendees join together: a resubscribe per INDEX change, mute
  // toggles from a person, a ping each 10 s. Nothing is deferred or dropped.
  Join();
  for (int i = 0; i < 10; ++i) {
    session->OnBinaryMessage(SubscribeFrame("offer-" + std::to_string(i)));
    listener.pending.back()(Answer("answer"));
    session->OnBinaryMessage(MuteFrame(i % 2 == 0));
    session->OnBinaryMessage(PingFrame(static_cast<uint32_t>(i)));
  }
  EXPECT_EQ(listener.requests.size(), 10u);
  EXPECT_EQ(listener.mutes.size(), 10u);
  EXPECT_EQ(session->DeferredSubscribes(), 0u);
  EXPECT_EQ(session->DeferredMuteChanges(), 0u);
  EXPECT_EQ(session->DroppedFrames(), 0u);
}

TEST_F(SignalingSessionTest, TimersFiringAfterTheSessionEndedDoNothing) {
  SignalingSession::Options options;
  options.subscribes = {1, 1};
  session = MakeSession(options);
  Join();
  session->OnBinaryMessage(SubscribeFrame("offer-1"));
  listener.pending[0](Answer("answer-1"));
  session->OnBinaryMessage(SubscribeFrame("offer-2"));
  ASSERT_EQ(transport.timers.size(), 1u);
  session->OnBinaryMessage(LeaveFrame());
  clock.AdvanceMs(1000);
  transport.RunTimers();
  EXPECT_EQ(listener.requests.size(), 1u);

  // And after the session is destroyed.
  session = MakeSession(options);
  Join();
  session->OnBinaryMessage(SubscribeFrame("offer-1"));
  listener.pending.back()(Answer("answer-1"));
  session->OnBinaryMessage(SubscribeFrame("offer-2"));
  ASSERT_EQ(transport.timers.size(), 1u);
  session.reset();
  clock.AdvanceMs(1000);
  transport.RunTimers();
  EXPECT_EQ(listener.requests.size(), 2u);
}

TEST_F(SignalingSessionTest, SubscribeCarriesTheMuteState) {
  Join();
  session->OnBinaryMessage(SubscribeFrame("offer", true));
  EXPECT_EQ(listener.mutes, (std::vector<bool>{true}));
  EXPECT_TRUE(session->Muted());
  EXPECT_TRUE(listener.requests[0].audioMuted);
}

TEST_F(SignalingSessionTest, DataMessageIsStampedWithTheSessionIdentity) {
  Join();
  SetWallUs(clock, 1'700'000'000'555'000);
  session->OnBinaryMessage(DataFrame({{"chat", "hi", 5000, "attendee-b"}}));
  ASSERT_EQ(listener.data.size(), 1u);
  ASSERT_EQ(listener.data[0].messages_size(), 1);
  const auto& m = listener.data[0].messages(0);
  EXPECT_EQ(m.topic(), "chat");
  EXPECT_EQ(m.data(), "hi");
  EXPECT_EQ(m.lifetime_ms(), 5000u);
  EXPECT_EQ(m.sender_attendee_id(), "attendee-a");  // never the forged one
  EXPECT_EQ(m.sender_external_user_id(), "dr-a");
  EXPECT_EQ(m.ingest_time_ns(), 1'700'000'000'555'000'000);
  EXPECT_TRUE(transport.sent.empty());  // no echo to the sender
}

TEST_F(SignalingSessionTest, InvalidDataMessagesAreDropped) {
  Join();
  session->OnBinaryMessage(DataFrame({{"bad topic"},
                                      {"ok", std::string(2049, 'x')},
                                      {"ok", "x", 300'001},
                                      {"good", std::string(2048, 'y')}}));
  ASSERT_EQ(listener.data.size(), 1u);
  ASSERT_EQ(listener.data[0].messages_size(), 1);
  EXPECT_EQ(listener.data[0].messages(0).topic(), "good");
  EXPECT_EQ(session->DroppedDataMessages(), 3u);
  EXPECT_TRUE(session->Joined());
}

TEST_F(SignalingSessionTest, DataMessagesAreRateLimitedAndThrottledOnesComeBackMarked) {
  SignalingSession::Options options;
  options.dataMessagesPerSecond = 2;
  options.dataMessageBurst = 3;
  session = MakeSession(options);
  Join();
  for (int i = 0; i < 5; ++i) session->OnBinaryMessage(DataFrame({{"t", std::to_string(i)}}));
  ASSERT_EQ(listener.data.size(), 3u);  // the burst
  EXPECT_EQ(session->ThrottledDataMessages(), 2u);
  auto echoes = transport.FramesOfType(Type::DATA_MESSAGE);
  ASSERT_EQ(echoes.size(), 2u);
  for (size_t i = 0; i < echoes.size(); ++i) {
    const auto& m = echoes[i].data_message().messages(0);
    EXPECT_EQ(m.ingest_time_ns(), 0);  // the SDK's "throttled" mark
    EXPECT_EQ(m.data(), std::to_string(3 + i));
    EXPECT_EQ(m.sender_attendee_id(), "attendee-a");
  }
  clock.AdvanceMs(500);  // one token back
  session->OnBinaryMessage(DataFrame({{"t", "later"}}));
  ASSERT_EQ(listener.data.size(), 4u);
  EXPECT_EQ(listener.data[3].messages(0).data(), "later");
}

TEST_F(SignalingSessionTest, ClientMetricsAndUnknownFramesAreAccepted) {
  Join();
  proto::SdkSignalFrame metric;
  metric.set_type(Type::CLIENT_METRIC);
  auto* m = metric.mutable_client_metric()->add_global_metrics();
  m->set_type(proto::SdkMetric::STUN_RTT_MS);
  m->set_value(12.5);
  session->OnBinaryMessage(Encoded(metric));
  EXPECT_EQ(listener.metrics, 1);

  // type 99 (a future frame) and server-side types echoed by a confused client: ignored.
  session->OnBinaryMessage(std::string("\x05\x08\x01\x10\x63", 5));
  proto::SdkSignalFrame index;
  index.set_type(Type::INDEX);
  index.mutable_index();
  session->OnBinaryMessage(Encoded(index));
  proto::SdkSignalFrame timing;
  timing.set_type(Type::MEETING_SESSION_TIMING);
  timing.mutable_meeting_session_timing()->add_signaling()->set_join_sent_ms(5);
  session->OnBinaryMessage(Encoded(timing));

  EXPECT_TRUE(transport.sent.empty());
  EXPECT_FALSE(transport.closed);
  EXPECT_TRUE(session->Joined());
}

TEST_F(SignalingSessionTest, PauseAndResumeReachTheListener) {
  Join();
  proto::SdkSignalFrame pause;
  pause.set_type(Type::PAUSE);
  pause.mutable_pause()->add_stream_ids(10);
  session->OnBinaryMessage(Encoded(pause));
  pause.set_type(Type::RESUME);
  session->OnBinaryMessage(Encoded(pause));
  EXPECT_EQ(listener.pauses, (std::vector<bool>{true, false}));
}

TEST_F(SignalingSessionTest, PrimaryMeetingPromotionIsRefusedButTheSessionLives) {
  Join();
  proto::SdkSignalFrame promote;
  promote.set_type(Type::PRIMARY_MEETING_JOIN);
  promote.mutable_primary_meeting_join()->mutable_credentials()->set_attendee_id("x");
  session->OnBinaryMessage(Encoded(promote));
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type(), Type::PRIMARY_MEETING_JOIN_ACK);
  EXPECT_EQ(frames[0].error().status(), kErrorBadRequest);
  EXPECT_FALSE(transport.closed);
  EXPECT_TRUE(session->Joined());
}

TEST_F(SignalingSessionTest, UndecodableMessagesCloseWithAReason) {
  Join();
  session->OnBinaryMessage(std::string("\x02garbage", 8));
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseInvalidPayload);
  EXPECT_EQ(transport.closed->second, "unknown frame prefix (want 0x05)");
  EXPECT_EQ(listener.ended, (std::vector<EndReason>{EndReason::kProtocolError}));
}

TEST_F(SignalingSessionTest, OversizedMessageClosesWith1009) {
  Join();
  session->OnBinaryMessage(std::string(FrameCodec::kMaxMessageSize + 1, '\x05'));
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseMessageTooBig);
}

TEST_F(SignalingSessionTest, TextMessagesAreRefused) {
  session->OnTextMessage("{\"type\":\"JOIN\"}");
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseUnsupportedData);
}

TEST_F(SignalingSessionTest, MeetingEndSendsAudioStatus410ThenCloses4410) {
  Join();
  session->End(EndReason::kMeetingEnded);
  auto frames = transport.Frames();
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].type(), Type::AUDIO_STATUS);
  EXPECT_EQ(frames[0].audio_status().audio_status(), kAudioStatusMeetingEnded);
  ASSERT_TRUE(transport.closed);
  EXPECT_EQ(transport.closed->first, kCloseMeetingEnded);
  EXPECT_TRUE(listener.ended.empty());        // the caller knows already
  session->End(EndReason::kAttendeeRemoved);  // once only
  EXPECT_EQ(transport.sent.size(), 1u);
  session->OnTransportClosed(4410);
  EXPECT_TRUE(listener.ended.empty());
}

TEST_F(SignalingSessionTest, EndReasonsMapToStatusAndCloseCodes) {
  struct Case {
    EndReason reason;
    std::optional<uint32_t> status;
    uint16_t close;
  };
  for (const Case& c : {Case{EndReason::kAttendeeRemoved, kAudioStatusAttendeeRemoved, kCloseAttendeeRemoved},
                        Case{EndReason::kMeetingEnded, kAudioStatusMeetingEnded, kCloseMeetingEnded},
                        Case{EndReason::kAtCapacity, kAudioStatusAtCapacity, kCloseAtCapacity},
                        Case{EndReason::kReplaced, kAudioStatusJoinedFromAnotherDevice, kCloseReplaced},
                        Case{EndReason::kDropped, std::nullopt, kCloseServerError},
                        Case{EndReason::kReconnected, std::nullopt, kCloseNormal},
                        Case{EndReason::kServerShutdown, std::nullopt, kCloseServerError}}) {
    FakeTransport t;
    FakeListener l;
    auto s = std::make_shared<SignalingSession>(SessionIdentity{"a", "b"}, t.Make(), l,
                                                SignalingSession::Options{}, clock);
    s->OnBinaryMessage(JoinFrame());
    t.Clear();
    s->End(c.reason);
    auto statuses = t.FramesOfType(Type::AUDIO_STATUS);
    if (c.status) {
      ASSERT_EQ(statuses.size(), 1u);
      EXPECT_EQ(statuses[0].audio_status().audio_status(), *c.status);
      EXPECT_EQ(t.sentWhenClosed, t.sent.size());  // the status went out before the close
    } else {
      EXPECT_TRUE(statuses.empty());
    }
    ASSERT_TRUE(t.closed);
    EXPECT_EQ(t.closed->first, c.close);
  }
}

}  // namespace
}  // namespace medicall::signaling
