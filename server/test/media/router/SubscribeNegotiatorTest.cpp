// Issue 11: offer/answer as a pure function, on captured offers, without sockets.
#include "media/router/SubscribeNegotiator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
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

// Issue 11, codecs: Chromium's camera offers VP9, H.264, VP8 (the SDK's preference order). The answer
// lists VP8 first and H.264 after it, sendrecv without media, so that the SDK's own preference (and
// INDEX's intersection) picks the send codec; the receiving section carries both on the offered
// payload types; CVO is negotiated with the offered id.
TEST(SubscribeNegotiatorTest, AChromiumCameraGetsVp8ThenH264SendrecvAndReceivesBoth) {
  auto offer = sdp::SdpParser::Parse(ReadData("chrome-receive.offer.sdp"));
  ASSERT_TRUE(offer);
  SubscribeNegotiator::State state = StateFor("me");
  state.answerOptions.enableH264 = true;
  state.streamOwners = {{7, "alice"}};
  auto plan = SubscribeNegotiator::Negotiate(*offer, {true, {0, 7}}, state, nullptr);
  ASSERT_TRUE(plan);
  const sdp::MediaSection* camera = plan->answer.FindMid("1");
  ASSERT_NE(camera, nullptr);
  EXPECT_EQ(camera->direction, sdp::Direction::SendRecv);
  EXPECT_TRUE(camera->msidStream.empty());
  EXPECT_TRUE(camera->ssrcs.empty());
  EXPECT_EQ(camera->formats, (std::vector<std::string>{"96", "97", "108", "109"}));
  ASSERT_TRUE(plan->camera);
  using webrtc::rtp::VideoCodec;
  ASSERT_EQ(plan->camera->payloads.All().size(), 2u);
  EXPECT_EQ(plan->camera->payloads.All()[0], (VideoPayload{VideoCodec::kVp8, 96, 97}));
  EXPECT_EQ(plan->camera->payloads.All()[1], (VideoPayload{VideoCodec::kH264, 108, 109}));
  EXPECT_EQ(plan->camera->codec, VideoCodec::kVp8);
  ASSERT_EQ(plan->receives.size(), 1u);
  EXPECT_EQ(plan->receives[0].payloads.All().size(), 2u);
  ASSERT_NE(plan->receives[0].payloads.ByCodec(VideoCodec::kH264), nullptr);
  EXPECT_EQ(plan->receives[0].payloads.ByCodec(VideoCodec::kH264)->payloadType, 108);
  EXPECT_EQ(plan->answer.FindMid("2")->direction, sdp::Direction::SendOnly);
  EXPECT_TRUE(plan->decodes.Decodes(VideoCodec::kH264));
  EXPECT_EQ(plan->extensions.videoOrientation, 13);
  EXPECT_NE(plan->sdpAnswer.find("a=extmap:13 urn:3gpp:video-orientation"), std::string::npos);
  EXPECT_NE(plan->sdpAnswer.find(
                "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"),
            std::string::npos);

  // Without H.264 enabled the answer is what it always was: VP8, recvonly.
  state.answerOptions.enableH264 = false;
  auto vp8 = SubscribeNegotiator::Negotiate(*offer, {true, {0, 7}}, state, nullptr);
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->answer.FindMid("1")->direction, sdp::Direction::RecvOnly);
  EXPECT_EQ(vp8->answer.FindMid("1")->formats, (std::vector<std::string>{"96", "97"}));
}

// VP8 stays for simulcast (the SDK sets no codec preference with it) and for Firefox (no H.264 in its
// offers without OpenH264; a sendrecv answer without a=msid would give it a default stream).
TEST(SubscribeNegotiatorTest, SimulcastAndFirefoxCamerasStayVp8Recvonly) {
  for (const char* name : {"chromium-simulcast.offer.sdp", "firefox-camera-on.offer.sdp"}) {
    auto offer = sdp::SdpParser::Parse(ReadData(name));
    ASSERT_TRUE(offer) << name;
    SubscribeNegotiator::State state = StateFor("me");
    state.answerOptions.enableH264 = true;
    auto plan = SubscribeNegotiator::Negotiate(*offer, {true, {0}}, state, nullptr);
    ASSERT_TRUE(plan) << name;
    ASSERT_TRUE(plan->camera) << name;
    const sdp::MediaSection* camera = plan->answer.FindMid(plan->camera->mid);
    ASSERT_NE(camera, nullptr) << name;
    EXPECT_EQ(camera->direction, sdp::Direction::RecvOnly) << name;
    ASSERT_EQ(plan->camera->payloads.All().size(), 1u) << name;
    EXPECT_EQ(plan->camera->payloads.All()[0].codec, webrtc::rtp::VideoCodec::kVp8) << name;
  }
  // Firefox (no OpenH264) decodes VP8 only; Chromium's simulcast offer lists H.264 everywhere.
  EXPECT_FALSE(ReceiveCodecs::FromOffer(*sdp::SdpParser::Parse(ReadData("firefox-receive-two.offer.sdp")))
                   .Decodes(webrtc::rtp::VideoCodec::kH264));
  EXPECT_TRUE(ReceiveCodecs::FromOffer(*sdp::SdpParser::Parse(ReadData("chromium-simulcast.offer.sdp")))
                  .Decodes(webrtc::rtp::VideoCodec::kH264));
}

// An attendee decodes H.264 only when every live video section lists constrained baseline 42e01f
// with packetization-mode=1; the meeting's intersection keeps VP8 always.
TEST(ReceiveCodecsTest, EverySectionMustListH264AndTheIntersectionKeepsVp8) {
  using webrtc::rtp::VideoCodec;
  auto offer = sdp::SdpParser::Parse(ReadData("chrome-receive.offer.sdp"));
  ASSERT_TRUE(offer);
  const ReceiveCodecs chromium = ReceiveCodecs::FromOffer(*offer);
  EXPECT_EQ(chromium.List(), (std::vector<VideoCodec>{VideoCodec::kVp8, VideoCodec::kH264}));

  // The receiving section without H.264 (an engine that cannot decode it).
  sdp::SessionDescription noH264 = *offer;
  auto& codecs = noH264.media.at(2).codecs;
  codecs.erase(
      std::remove_if(codecs.begin(), codecs.end(), [](const sdp::Codec& c) { return c.name == "H264"; }),
      codecs.end());
  const ReceiveCodecs vp8 = ReceiveCodecs::FromOffer(noH264);
  EXPECT_EQ(vp8.List(), (std::vector<VideoCodec>{VideoCodec::kVp8}));

  // Packetization mode 0 only is not enough.
  sdp::SessionDescription mode0 = *offer;
  for (auto& m : mode0.media) {
    for (auto& c : m.codecs) {
      if (c.name == "H264") c.fmtp = "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42e01f";
    }
  }
  EXPECT_FALSE(ReceiveCodecs::FromOffer(mode0).Decodes(VideoCodec::kH264));

  // No video section: in doubt, VP8 only.
  sdp::SessionDescription audioOnly = *offer;
  audioOnly.media.resize(1);
  EXPECT_FALSE(ReceiveCodecs::FromOffer(audioOnly).Decodes(VideoCodec::kH264));

  ReceiveCodecs meeting = ReceiveCodecs::All();
  meeting.IntersectWith(chromium);
  EXPECT_TRUE(meeting.Decodes(VideoCodec::kH264));
  meeting.IntersectWith(vp8);
  EXPECT_EQ(meeting.List(), (std::vector<VideoCodec>{VideoCodec::kVp8}));
  EXPECT_TRUE(meeting.Decodes(VideoCodec::kVp8));
  EXPECT_FALSE(meeting.Decodes(VideoCodec::kUnknown));
}

// Lip sync: the mixed audio goes into the a=msid stream of the first video the attendee receives, so
// that its browser plays the two in sync (one stream, one sync group), and keeps it for the connection.
TEST(SubscribeNegotiatorTest, TheMixedAudioSharesTheFirstRemoteVideosStream) {
  auto publish = sdp::SdpParser::Parse(ReadData("chrome-publish.offer.sdp"));  // mids 0 (audio), 1 (camera)
  ASSERT_TRUE(publish);
  auto plan = SubscribeNegotiator::Negotiate(*publish, {false, {0}}, StateFor("me"), nullptr);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->audioStream, "v_2");  // the next mid the browser adds, for the first remote video
  EXPECT_EQ(plan->answer.FindMid("0")->msidStream, "v_2");
  EXPECT_EQ(plan->answer.FindMid("0")->msidTrack, SubscribeNegotiator::kAudioTrackId);

  auto offer = sdp::SdpParser::Parse(ReadData("chromium-simulcast.offer.sdp"));  // video mids 1, 2, 3
  ASSERT_TRUE(offer);
  SubscribeNegotiator::State state = StateFor("me");
  state.streamOwners = {{7, "alice"}};
  plan = SubscribeNegotiator::Negotiate(*offer, {true, {0, 0, 7}}, state, nullptr);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->audioStream, "v_3");  // the first section that receives someone's video
  EXPECT_EQ(plan->answer.FindMid("3")->msidStream, "v_3");
  EXPECT_EQ(plan->answer.FindMid("0")->msidStream, "v_3");

  // A later offer keeps the connection's choice, whoever is on which mid now.
  state.audioStream = "v_2";
  plan = SubscribeNegotiator::Negotiate(*offer, {true, {0, 0, 7}}, state, nullptr);
  ASSERT_TRUE(plan);
  EXPECT_EQ(plan->audioStream, "v_2");
  EXPECT_EQ(plan->answer.FindMid("0")->msidStream, "v_2");

  // Mids that are not numbers: no next mid to name, the audio's own stream.
  sdp::SessionDescription named = *publish;
  named.media[0].mid = "audio";
  EXPECT_EQ(SubscribeNegotiator::AudioSyncStream(named, {false, {0}}), SubscribeNegotiator::kAudioStreamId);
}

TEST(SubscribeNegotiatorTest, AnUnanswerableOfferIsAnError) {
  sdp::SessionDescription empty;
  std::string error;
  EXPECT_FALSE(SubscribeNegotiator::Negotiate(empty, {}, StateFor("me"), &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace medicall::media::router
