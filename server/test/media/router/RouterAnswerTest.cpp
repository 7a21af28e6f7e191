// Router::Subscribe answers to the offers the unmodified Chime SDK sent (captured in
// server/test/data/sdp/chrome-publish.offer.sdp and chrome-receive.offer.sdp, see the .txt beside
// them): BUNDLE, ice-lite, one host candidate, setup:passive, the audio msid with a real stream id,
// the camera section recvonly, subscribed sections sendonly labelled v_<mid> with SSRC + RTX FID,
// tracks[] and the video allocation; re-SUBSCRIBE keeps ICE/DTLS and the per-mid SSRCs.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "media/router/RouterHarness.hpp"

namespace medicall::media::router {
namespace {

using testing::OnWorker;
using testing::RouterHarness;
namespace sdp = webrtc::sdp;

std::string ReadData(const std::string& name) {
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/sdp/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

SubscribeParams Params(const std::string& attendee, const std::string& offer, bool sendsVideo,
                       std::vector<uint32_t> receive) {
  SubscribeParams p;
  p.attendeeId = attendee;
  p.externalUserId = "user-" + attendee;
  p.sdpOffer = offer;
  p.sendsVideo = sendsVideo;
  p.videoMaxBitrateKbps = sendsVideo ? 1500 : 0;
  p.receiveStreamIds = std::move(receive);
  return p;
}

struct AnswerFixture : ::testing::Test {
  SubscribeAnswer Subscribe(const SubscribeParams& p) {
    return OnWorker(h.serverWorker, [&] { return h.router->Subscribe(p); });
  }
  std::vector<VideoSource> Sources() {
    return OnWorker(h.serverWorker, [&] { return h.router->Sources(); });
  }
  RouterHarness h;
};

TEST_F(AnswerFixture, PublishOfferGetsAudioWithRealMsidAndInactiveVideo) {
  const std::string offer = ReadData("chrome-publish.offer.sdp");
  ASSERT_FALSE(offer.empty());
  auto a = Subscribe(Params("alice", offer, false, {0}));
  ASSERT_EQ(a.status, 200u) << a.description;
  EXPECT_TRUE(a.tracks.empty());
  EXPECT_TRUE(a.videoAllocations.empty());
  auto answer = sdp::SdpParser::Parse(a.sdpAnswer);
  ASSERT_TRUE(answer.has_value()) << a.sdpAnswer;
  EXPECT_TRUE(answer->iceLite);
  EXPECT_EQ(answer->bundleMids, (std::vector<std::string>{"0", "1"}));
  ASSERT_EQ(answer->media.size(), 2u);
  const auto& audio = answer->media[0];
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, sdp::Direction::SendRecv);
  EXPECT_EQ(audio.msidStream, "v_2");  // the first remote video's stream, to come on mid 2 (lip sync)
  EXPECT_NE(audio.msidStream, "-");
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_NE(audio.ssrcs[0].ssrc, 0u);
  EXPECT_EQ(audio.setup, sdp::SetupRole::Passive);
  EXPECT_TRUE(audio.rtcpMux);
  ASSERT_EQ(audio.candidates.size(), 1u);
  EXPECT_EQ(audio.candidates[0].address, "127.0.0.1");
  EXPECT_EQ(audio.candidates[0].port, OnWorker(h.serverWorker, [&] { return h.serverDemux->LocalPort(); }));
  EXPECT_EQ(audio.candidates[0].type, "host");
  ASSERT_FALSE(audio.codecs.empty());
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].payloadType, 111);
  // transport-cc is answered (the publisher's send-side estimate runs on our transport-wide feedback).
  EXPECT_NE(audio.FindExtmap(sdp::uri::kTransportWideCc), nullptr);
  EXPECT_NE(a.sdpAnswer.find("a=rtcp-fb:111 transport-cc"), std::string::npos);
  EXPECT_NE(a.sdpAnswer.find("a=ice-lite"), std::string::npos);
  const auto& video = answer->media[1];
  EXPECT_EQ(video.mid, "1");
  EXPECT_EQ(video.direction, sdp::Direction::Inactive);
  EXPECT_TRUE(video.ssrcs.empty());
  EXPECT_TRUE(Sources().empty());
}

TEST_F(AnswerFixture, ReceiveOfferGetsSendonlyVideoLabelledByMidAndAllocation) {
  // Bob publishes (stream 2), then Alice sends her camera and subscribes to Bob in mid 2.
  auto bob = Subscribe(Params("bob", ReadData("chrome-publish.offer.sdp"), true, {0}));
  ASSERT_EQ(bob.status, 200u) << bob.description;
  ASSERT_FALSE(bob.videoAllocations.empty());
  EXPECT_EQ(bob.videoAllocations[0].trackLabel, "AmazonChimeExpressVideo");
  EXPECT_EQ(bob.videoAllocations[0].streamId, 2u);
  const uint32_t bobStream = bob.videoAllocations[0].streamId;
  auto sources = Sources();
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].attendeeId, "bob");
  EXPECT_EQ(sources[0].externalUserId, "user-bob");
  EXPECT_EQ(sources[0].streamId, bobStream);
  EXPECT_EQ(sources[0].maxBitrateKbps, 1500u);

  const std::string offer = ReadData("chrome-receive.offer.sdp");
  auto a = Subscribe(Params("alice", offer, true, {0, bobStream}));
  ASSERT_EQ(a.status, 200u) << a.description;
  ASSERT_FALSE(a.videoAllocations.empty());
  EXPECT_GT(a.videoAllocations[0].streamId, bobStream);  // never reused, growing
  EXPECT_GT(a.videoAllocations[0].groupId, bob.videoAllocations[0].groupId);
  auto answer = sdp::SdpParser::Parse(a.sdpAnswer);
  ASSERT_TRUE(answer.has_value()) << a.sdpAnswer;
  EXPECT_EQ(answer->bundleMids, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_EQ(answer->media.size(), 3u);
  // Alice's camera: we receive it, VP8 first, then H.264 (she offers it): sendrecv without anything
  // we send (no SSRC, no msid), so that her SDK picks the send codec there.
  const auto& camera = answer->media[1];
  EXPECT_EQ(camera.direction, sdp::Direction::SendRecv);
  EXPECT_TRUE(camera.ssrcs.empty());
  EXPECT_TRUE(camera.msidStream.empty());
  ASSERT_GE(camera.codecs.size(), 4u);
  EXPECT_EQ(camera.codecs[0].name, "VP8");
  EXPECT_EQ(camera.codecs[0].payloadType, 96);
  EXPECT_EQ(camera.codecs[2].name, "H264");
  EXPECT_EQ(camera.codecs[2].payloadType, 108);
  // Bob's video towards Alice.
  const auto& remote = answer->media[2];
  EXPECT_EQ(remote.mid, "2");
  EXPECT_EQ(remote.direction, sdp::Direction::SendOnly);
  EXPECT_EQ(remote.msidStream, "v_2");
  ASSERT_GE(remote.codecs.size(), 2u);
  EXPECT_EQ(remote.codecs[0].name, "VP8");
  EXPECT_EQ(remote.codecs[0].payloadType, 96);
  EXPECT_EQ(remote.codecs[1].name, "rtx");
  EXPECT_EQ(remote.codecs[1].payloadType, 97);
  const auto* fid = remote.FindSsrcGroup("FID");
  ASSERT_NE(fid, nullptr);
  ASSERT_EQ(fid->ssrcs.size(), 2u);
  EXPECT_NE(fid->ssrcs[0], fid->ssrcs[1]);
  ASSERT_EQ(a.tracks.size(), 1u);
  EXPECT_EQ(a.tracks[0].streamId, bobStream);
  EXPECT_EQ(a.tracks[0].trackLabel, "v_2");
  EXPECT_EQ(a.tracks[0].ssrc, fid->ssrcs[0]);
  // Extension ids as offered, the same over the bundle.
  for (const auto& m : answer->media) {
    const auto* mid = m.FindExtmap(sdp::uri::kMid);
    ASSERT_NE(mid, nullptr) << m.mid;
    EXPECT_EQ(mid->id, 4);
    const auto* abs = m.FindExtmap(sdp::uri::kAbsSendTime);
    ASSERT_NE(abs, nullptr);
    EXPECT_EQ(abs->id, 2);
  }
  EXPECT_EQ(Sources().size(), 2u);
}

TEST_F(AnswerFixture, ResubscribeKeepsIceAndSsrcsAndStopsSections) {
  auto bob = Subscribe(Params("bob", ReadData("chrome-publish.offer.sdp"), true, {0}));
  ASSERT_EQ(bob.status, 200u);
  const uint32_t bobStream = bob.videoAllocations[0].streamId;
  const std::string offer = ReadData("chrome-receive.offer.sdp");
  auto first = Subscribe(Params("alice", offer, false, {0, bobStream}));
  ASSERT_EQ(first.status, 200u) << first.description;
  ASSERT_EQ(first.tracks.size(), 1u);
  auto second = Subscribe(Params("alice", offer, false, {0, bobStream}));
  ASSERT_EQ(second.status, 200u);
  ASSERT_EQ(second.tracks.size(), 1u);
  EXPECT_EQ(second.tracks[0].ssrc, first.tracks[0].ssrc);
  auto a1 = sdp::SdpParser::Parse(first.sdpAnswer);
  auto a2 = sdp::SdpParser::Parse(second.sdpAnswer);
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(a1->media[0].iceUfrag, a2->media[0].iceUfrag);
  EXPECT_EQ(a1->media[0].icePwd, a2->media[0].icePwd);
  EXPECT_EQ(a1->sessionId, a2->sessionId);
  EXPECT_NE(a1->sessionVersion, a2->sessionVersion);
  EXPECT_EQ(a1->media[0].ssrcs[0].ssrc, a2->media[0].ssrcs[0].ssrc);  // audio SSRC too
  // Alice's camera is off (sendsVideo false): her camera section is not received, no allocation.
  EXPECT_EQ(a2->media[1].direction, sdp::Direction::Inactive);
  EXPECT_TRUE(second.videoAllocations.empty());
  // Stream 0 for the mid: it stops.
  auto third = Subscribe(Params("alice", offer, false, {0, 0}));
  ASSERT_EQ(third.status, 200u);
  EXPECT_TRUE(third.tracks.empty());
  auto a3 = sdp::SdpParser::Parse(third.sdpAnswer);
  ASSERT_TRUE(a3.has_value());
  EXPECT_EQ(a3->media[2].direction, sdp::Direction::Inactive);
  EXPECT_TRUE(a3->media[2].ssrcs.empty());
  EXPECT_EQ(a3->media[0].iceUfrag, a1->media[0].iceUfrag);
  // An unknown stream id: inactive as well.
  auto fourth = Subscribe(Params("alice", offer, false, {0, 999}));
  ASSERT_EQ(fourth.status, 200u);
  EXPECT_TRUE(fourth.tracks.empty());
}

TEST_F(AnswerFixture, CameraOffStopsThePublisherAndNotifies) {
  const std::string offer = ReadData("chrome-receive.offer.sdp");
  auto on = Subscribe(Params("alice", offer, true, {0, 0}));
  ASSERT_EQ(on.status, 200u);
  ASSERT_FALSE(on.videoAllocations.empty());
  ASSERT_TRUE(testing::WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged == 1; }));
  auto off = Subscribe(Params("alice", offer, false, {0, 0}));
  ASSERT_EQ(off.status, 200u);
  EXPECT_TRUE(off.videoAllocations.empty());
  EXPECT_TRUE(Sources().empty());
  ASSERT_TRUE(testing::WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged == 2; }));
  // Camera on again: a new, larger stream id and group id.
  auto again = Subscribe(Params("alice", offer, true, {0, 0}));
  ASSERT_FALSE(again.videoAllocations.empty());
  ASSERT_TRUE(testing::WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged == 3; }));
  EXPECT_GT(again.videoAllocations[0].streamId, on.videoAllocations[0].streamId);
  EXPECT_GT(again.videoAllocations[0].groupId, on.videoAllocations[0].groupId);
  OnWorker(h.serverWorker, [&] {
    h.router->RemoveAttendee("alice");
    h.router->RemoveAttendee("alice");  // idempotent
    return 0;
  });
  EXPECT_TRUE(Sources().empty());
  ASSERT_TRUE(testing::WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged == 4; }));
  EXPECT_TRUE(h.listener.dropped.empty());  // a removal is not a drop
}

TEST_F(AnswerFixture, RefusesBadOffers) {
  auto a = Subscribe(Params("alice", "not sdp", false, {}));
  EXPECT_EQ(a.status, 400u);
  EXPECT_FALSE(a.description.empty());
  std::string offer = ReadData("chrome-publish.offer.sdp");
  // No fingerprint at all: refused.
  std::string noFingerprint;
  std::istringstream lines(offer);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("a=fingerprint", 0) != 0) noFingerprint += line + "\n";
  }
  EXPECT_EQ(Subscribe(Params("alice", noFingerprint, false, {0})).status, 400u);
  EXPECT_TRUE(Sources().empty());
}

}  // namespace
}  // namespace medicall::media::router

namespace medicall::media::router {
namespace {

// Issue 11: the SDK's simulcast camera (captured offer, a=simulcast:send ~low;mid;~hi). The answer
// receives the three rids; SUBSCRIBE_ACK allocates one stream id per video send stream, in rid order,
// with one group id, stable across re-SUBSCRIBEs; INDEX lists a layer only while the sender enables it
// and it arrives, so no layer is listed before media.
TEST_F(AnswerFixture, SimulcastCameraGetsOneAllocationPerLayerAndOneGroup) {
  const std::string offer = ReadData("chromium-simulcast.offer.sdp");
  ASSERT_FALSE(offer.empty());
  SubscribeParams p = Params("sim", offer, true, {0, 0, 0});
  p.videoLayerMaxBitrateKbps = {300, 0, 1200};
  auto a = Subscribe(p);
  ASSERT_EQ(a.status, 200u) << a.description;
  ASSERT_EQ(a.videoAllocations.size(), 3u);
  EXPECT_EQ(a.videoAllocations[0].streamId + 1, a.videoAllocations[1].streamId);
  EXPECT_EQ(a.videoAllocations[1].streamId + 1, a.videoAllocations[2].streamId);
  for (const auto& x : a.videoAllocations) EXPECT_EQ(x.groupId, a.videoAllocations[0].groupId);
  EXPECT_NE(a.sdpAnswer.find("a=simulcast:recv low;mid;hi"), std::string::npos);
  EXPECT_NE(a.sdpAnswer.find("a=rid:mid recv"), std::string::npos);
  EXPECT_TRUE(Sources().empty());  // nothing arrives yet

  // Re-SUBSCRIBE (the uplink policy changed the layers): the same ids.
  p.videoLayerMaxBitrateKbps = {0, 1200, 0};
  auto again = Subscribe(p);
  ASSERT_EQ(again.status, 200u) << again.description;
  ASSERT_EQ(again.videoAllocations.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(again.videoAllocations[i].streamId, a.videoAllocations[i].streamId);
    EXPECT_EQ(again.videoAllocations[i].groupId, a.videoAllocations[0].groupId);
  }
}

}  // namespace
}  // namespace medicall::media::router
