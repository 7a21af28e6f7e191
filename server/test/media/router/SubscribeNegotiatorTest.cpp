// Issue 11: offer/answer as a pure function, on captured offers, without sockets.
#include "media/router/SubscribeNegotiator.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::media::router {
namespace {

namespace sdp = webrtc::sdp;

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SubscribeNegotiator::State StateFor(const std::string& attendee) {
  SubscribeNegotiator::State state;
  state.answerOptions.iceUfrag = "ufrag123";
  state.answerOptions.icePwd = "0123456789012345678901234";
  state.answerOptions.fingerprintSha256 = "AB:CD";
  state.answerOptions.candidateIp = "127.0.0.1";
  state.answerOptions.candidatePort = 40000;
  state.attendeeId = attendee;
  auto next = std::make_shared<uint32_t>(1000);
  state.newSsrc = [next] { return (*next)++; };
  return state;
}

TEST(SubscribeNegotiatorTest, ASimulcastCameraIsReceivedPerRidAndOthersStreamsAreSent) {
  auto offer = sdp::SdpParser::Parse(ReadData("chromium-simulcast.offer.sdp"));
  ASSERT_TRUE(offer);
  SubscribeNegotiator::State state = StateFor("me");
  state.streamOwners = {{7, "alice"}, {8, "alice"}, {9, "me"}};
  SubscribeNegotiator::Request request{true, {0, 7, 9}};  // camera, alice's stream, my own
  std::string error;
  auto plan = SubscribeNegotiator::Negotiate(*offer, request, state, &error);
  ASSERT_TRUE(plan) << error;

  ASSERT_TRUE(plan->audio);
  EXPECT_EQ(plan->audio->mid, "0");
  EXPECT_EQ(plan->audioSsrc, 1000u);  // none before: a fresh one
  ASSERT_TRUE(plan->camera);
  EXPECT_EQ(plan->camera->mid, "1");
  EXPECT_EQ(plan->camera->rids, (std::vector<std::string>{"low", "mid", "hi"}));
  EXPECT_EQ(plan->camera->mediaSsrc, 0u);  // learnt from the RID extension
  EXPECT_NE(plan->camera->payloadType, 0);
  EXPECT_NE(plan->camera->rtxPayloadType, -1);
  EXPECT_NE(plan->extensions.rtpStreamId, 0);
  EXPECT_NE(plan->extensions.repairedRtpStreamId, 0);
  EXPECT_EQ(plan->extensions.transportWideCc, 0);  // REMB, not transport-cc

  // Mid 2 sends alice's stream with fresh SSRCs; mid 3 (own stream) is inactive.
  ASSERT_EQ(plan->receives.size(), 1u);
  EXPECT_EQ(plan->receives[0].mid, "2");
  EXPECT_EQ(plan->receives[0].streamId, 7u);
  EXPECT_EQ(plan->receives[0].ssrc, 1001u);
  EXPECT_EQ(plan->receives[0].rtxSsrc, 1002u);
  const sdp::MediaSection* camera = plan->answer.FindMid("1");
  ASSERT_NE(camera, nullptr);
  EXPECT_EQ(camera->direction, sdp::Direction::RecvOnly);
  EXPECT_EQ(camera->simulcast, "recv low;mid;hi");
  EXPECT_EQ(plan->answer.FindMid("2")->direction, sdp::Direction::SendOnly);
  EXPECT_EQ(plan->answer.FindMid("3")->direction, sdp::Direction::Inactive);
  EXPECT_NE(plan->sdpAnswer.find("a=simulcast:recv low;mid;hi"), std::string::npos);
  EXPECT_NE(plan->sdpAnswer.find("transport-cc"), std::string::npos)
      << "transport-wide feedback is negotiated";
}

TEST(SubscribeNegotiatorTest, AKnownMidKeepsItsSsrcsAndAnUnknownStreamIsInactive) {
  auto offer = sdp::SdpParser::Parse(ReadData("chromium-simulcast.offer.sdp"));
  ASSERT_TRUE(offer);
  SubscribeNegotiator::State state = StateFor("me");
  state.audioSsrc = 55;
  state.sendSsrcs["2"] = {77, 78};
  state.streamOwners = {{7, "alice"}};
  // Camera off (no video send stream): the camera section is inactive and no camera is planned.
  SubscribeNegotiator::Request request{false, {0, 7, 42}};
  auto plan = SubscribeNegotiator::Negotiate(*offer, request, state, nullptr);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->audioSsrc, 55u);
  EXPECT_FALSE(plan->camera);
  EXPECT_EQ(plan->answer.FindMid("1")->direction, sdp::Direction::Inactive);
  EXPECT_TRUE(plan->answer.FindMid("1")->simulcast.empty());
  ASSERT_EQ(plan->receives.size(), 1u);
  EXPECT_EQ(plan->receives[0].ssrc, 77u);
  EXPECT_EQ(plan->receives[0].rtxSsrc, 78u);
  EXPECT_EQ(plan->answer.FindMid("3")->direction, sdp::Direction::Inactive);  // nobody publishes 42
}

TEST(SubscribeNegotiatorTest, APlainCameraDeclaresItsSsrcsAndGetsNoSimulcast) {
  auto offer = sdp::SdpParser::Parse(ReadData("chrome-receive.offer.sdp"));
  ASSERT_TRUE(offer);
  auto plan = SubscribeNegotiator::Negotiate(*offer, {true, {0}}, StateFor("me"), nullptr);
  ASSERT_TRUE(plan);
  ASSERT_TRUE(plan->camera);
  EXPECT_TRUE(plan->camera->rids.empty());
  EXPECT_NE(plan->camera->mediaSsrc, 0u);
  EXPECT_EQ(plan->sdpAnswer.find("a=simulcast"), std::string::npos);
}

TEST(SubscribeNegotiatorTest, AnUnanswerableOfferIsAnError) {
  sdp::SessionDescription empty;
  std::string error;
  EXPECT_FALSE(SubscribeNegotiator::Negotiate(empty, {}, StateFor("me"), &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace medicall::media::router
