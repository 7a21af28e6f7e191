// AnswerBuilder on Chromium's and Firefox's captured offers and on OfferBuilder's offer; answers are
// re-parsed and checked field by field.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "SdpTestUtil.hpp"
#include "webrtc/sdp/AnswerBuilder.hpp"
#include "webrtc/sdp/OfferBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"

namespace medicall::webrtc::sdp {
namespace {

using test::ReadSdp;

const std::string kOurFingerprint =
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";

AnswerOptions Local() {
  AnswerOptions o;
  o.iceUfrag = "srvU";
  o.icePwd = "serverpasswordserverpw";
  o.fingerprintSha256 = kOurFingerprint;
  o.candidateIp = "203.0.113.7";
  o.candidatePort = 40000;
  o.sessionId = "42";
  return o;
}

SendParameters Sending(uint32_t ssrc, uint32_t rtx, std::string track) {
  return SendParameters{"medicall", std::move(track), "srvcname", ssrc, rtx};
}

SessionDescription Reparse(const AnswerResult& r) {
  std::string error;
  auto sd = SdpParser::Parse(r.sdp, &error);
  EXPECT_TRUE(sd) << error << "\n" << r.sdp;
  EXPECT_EQ(*sd, r.answer);  // what we wrote is what we meant
  return sd ? *sd : SessionDescription{};
}

void ExpectTransportAttributes(const MediaSection& m) {
  EXPECT_EQ(m.port, 40000);
  EXPECT_EQ(m.connectionAddress, "203.0.113.7");
  ASSERT_EQ(m.candidates.size(), 1u);
  EXPECT_EQ(m.candidates[0].transport, "udp");
  EXPECT_EQ(m.candidates[0].type, "host");
  EXPECT_EQ(m.candidates[0].address, "203.0.113.7");
  EXPECT_EQ(m.candidates[0].port, 40000);
  EXPECT_TRUE(m.endOfCandidates);
  EXPECT_EQ(m.iceUfrag, "srvU");
  EXPECT_EQ(m.icePwd, "serverpasswordserverpw");
  ASSERT_TRUE(m.fingerprint);
  EXPECT_EQ(m.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(m.fingerprint->value, kOurFingerprint);
  EXPECT_EQ(m.setup, SetupRole::Passive);
  EXPECT_TRUE(m.rtcpMux);
  EXPECT_EQ(m.protocol, "UDP/TLS/RTP/SAVPF");
}

TEST(AnswerBuilder, AnswersChromePublishOffer) {
  auto offer = SdpParser::Parse(ReadSdp("chrome-publish.offer.sdp"));
  ASSERT_TRUE(offer);
  AnswerBuilder builder(Local());
  builder.SetSection("0", SectionOptions{Direction::SendRecv, Sending(1111, 0, "audio-track")});
  builder.SetSection("1", SectionOptions{Direction::SendRecv, Sending(2222, 2223, "video-track")});
  std::string error;
  auto result = builder.Build(*offer, &error);
  ASSERT_TRUE(result) << error;
  SessionDescription answer = Reparse(*result);
  EXPECT_TRUE(answer.iceLite);
  EXPECT_EQ(answer.bundleMids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(answer.extmapAllowMixed);
  EXPECT_EQ(answer.sessionId, "42");
  ASSERT_EQ(answer.media.size(), 2u);

  const MediaSection& audio = answer.media[0];
  ExpectTransportAttributes(audio);
  EXPECT_EQ(audio.mid, "0");
  EXPECT_TRUE(audio.rtcpRsize);
  EXPECT_EQ(audio.direction, Direction::SendRecv);
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"111"}));
  ASSERT_EQ(audio.codecs.size(), 1u);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].channels, 2);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[0].feedback, (std::vector<RtcpFeedback>{{"transport-cc", ""}}));
  // Supported extensions keep their offered ids; others are not answered.
  EXPECT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.FindExtmap(uri::kAudioLevel)->id, 1);
  EXPECT_EQ(audio.msidStream, "medicall");
  EXPECT_EQ(audio.msidTrack, "audio-track");
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 1111u);
  EXPECT_EQ(audio.ssrcs[0].cname, "srvcname");
  EXPECT_TRUE(audio.ssrcGroups.empty());

  // The offer's video is inactive: we can neither send nor receive there.
  const MediaSection& video = answer.media[1];
  ExpectTransportAttributes(video);
  EXPECT_EQ(video.direction, Direction::Inactive);
  EXPECT_TRUE(video.ssrcs.empty());
  EXPECT_TRUE(video.msidStream.empty());
  EXPECT_EQ(video.formats, (std::vector<std::string>{"96", "97"}));
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].feedback,
            (std::vector<RtcpFeedback>{
                {"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}}));
  EXPECT_EQ(video.codecs[1].name, "rtx");
  EXPECT_EQ(video.codecs[1].fmtp, "apt=96");
  EXPECT_TRUE(video.codecs[1].feedback.empty());
  std::vector<std::string> uris;
  for (const Extmap& e : video.extmaps) uris.push_back(e.uri);
  EXPECT_EQ(uris, (std::vector<std::string>{
                      std::string(uri::kAbsSendTime), std::string(uri::kVideoOrientation),
                      std::string(uri::kTransportWideCc), std::string(uri::kMid),
                      std::string(uri::kRtpStreamId), std::string(uri::kRepairedRtpStreamId)}));
  EXPECT_EQ(result->extensions, (ExtensionIds{4, 2, 3, 1, 10, 11, 13}));
  // No text the browser would choke on.
  EXPECT_EQ(result->sdp.find("toffset"), std::string::npos);
  EXPECT_NE(result->sdp.find("a=ice-lite\r\n"), std::string::npos);
  EXPECT_NE(result->sdp.find("a=setup:passive\r\n"), std::string::npos);
}

TEST(AnswerBuilder, AnswersChromeReceiveOfferWithSendingSectionAndRtx) {
  auto offer = SdpParser::Parse(ReadSdp("chrome-receive.offer.sdp"));
  ASSERT_TRUE(offer);
  AnswerOptions local = Local();
  local.enableH264 = true;
  AnswerBuilder builder(local);
  // mid 2 carries another attendee's video to the browser (offer: recvonly).
  builder.SetSection("2", SectionOptions{Direction::SendOnly, Sending(5000, 5001, "remote-video")});
  auto result = builder.Build(*offer);
  ASSERT_TRUE(result);
  SessionDescription answer = Reparse(*result);
  ASSERT_EQ(answer.media.size(), 3u);
  EXPECT_EQ(answer.bundleMids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(answer.media[0].direction, Direction::RecvOnly);  // default: receive what is sent
  EXPECT_EQ(answer.media[1].direction, Direction::RecvOnly);
  EXPECT_TRUE(answer.media[1].ssrcs.empty());
  // VP8 (96 + rtx 97) before H.264 42e01f packetization-mode=1 (108 + rtx 109).
  EXPECT_EQ(answer.media[1].formats, (std::vector<std::string>{"96", "97", "108", "109"}));
  const Codec* h264 = answer.media[1].FindCodec(108);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->FmtpParameter("profile-level-id"), std::string_view("42e01f"));
  EXPECT_EQ(h264->FmtpParameter("packetization-mode"), std::string_view("1"));
  EXPECT_EQ(answer.media[1].FindRtxFor(108)->payloadType, 109);

  const MediaSection& out = answer.media[2];
  EXPECT_EQ(out.direction, Direction::SendOnly);
  EXPECT_EQ(out.msidTrack, "remote-video");
  ASSERT_NE(out.FindSsrcGroup("FID"), nullptr);
  EXPECT_EQ(out.FindSsrcGroup("FID")->ssrcs, (std::vector<uint32_t>{5000, 5001}));
  ASSERT_EQ(out.ssrcs.size(), 2u);
  EXPECT_EQ(out.ssrcs[1].ssrc, 5001u);
  EXPECT_EQ(out.ssrcs[1].msidStream, "medicall");
  // Its payload types are the ones this section offered.
  EXPECT_EQ(out.formats[0], "96");
  EXPECT_EQ(out.FindRtxFor(96)->payloadType, 97);
}

TEST(AnswerBuilder, PreferH264AndDirectionLimitedByOffer) {
  auto offer = SdpParser::Parse(ReadSdp("chrome-receive.offer.sdp"));
  AnswerOptions local = Local();
  local.enableH264 = true;
  local.preferH264 = true;
  AnswerBuilder builder(local);
  // We would like to send on mid 0, but give no send parameters: receive only.
  builder.SetSection("0", SectionOptions{Direction::SendRecv, std::nullopt});
  // We would like to receive on mid 2, but the offer only receives there: send only.
  builder.SetSection("2", SectionOptions{Direction::SendRecv, Sending(7, 8, "t")});
  auto result = builder.Build(*offer);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->answer.media[0].direction, Direction::RecvOnly);
  EXPECT_EQ(result->answer.media[2].direction, Direction::SendOnly);
  EXPECT_EQ(result->answer.media[1].formats[0], "108");
}

TEST(AnswerBuilder, ConflictingExtensionIdsAreDroppedAcrossTheBundle) {
  auto offer = SdpParser::Parse(ReadSdp("chrome-publish.offer.sdp"));
  ASSERT_TRUE(offer);
  // Video reuses id 2 for transport-cc and moves mid to id 9: both conflict with the audio section.
  for (Extmap& e : offer->media[1].extmaps) {
    if (e.uri == uri::kAbsSendTime) e.uri = std::string(uri::kTransportWideCc) + "-not";
    if (e.uri == uri::kTransportWideCc) e.id = 2;
    if (e.uri == uri::kMid) e.id = 9;
  }
  offer->media[1].extmaps.erase(std::remove_if(offer->media[1].extmaps.begin(), offer->media[1].extmaps.end(),
                                               [](const Extmap& e) { return e.uri.ends_with("-not"); }),
                                offer->media[1].extmaps.end());
  auto result = AnswerBuilder(Local()).Build(*offer);
  ASSERT_TRUE(result);
  const MediaSection& video = result->answer.media[1];
  EXPECT_EQ(video.FindExtmap(uri::kTransportWideCc), nullptr);  // id 2 is abs-send-time in audio
  EXPECT_EQ(video.FindExtmap(uri::kMid), nullptr);              // mid is id 4 in audio
  EXPECT_NE(video.FindExtmap(uri::kRtpStreamId), nullptr);
  // Every id means one URI in the whole answer.
  std::map<uint16_t, std::string> seen;
  for (const MediaSection& m : result->answer.media) {
    for (const Extmap& e : m.extmaps) {
      auto [it, inserted] = seen.emplace(e.id, e.uri);
      EXPECT_EQ(it->second, e.uri);
    }
  }
  EXPECT_EQ(result->extensions.mid, 4);
  EXPECT_EQ(result->extensions.transportWideCc, 3);
}

TEST(AnswerBuilder, RejectsUnusableSectionsWithPortZero) {
  auto offer = SdpParser::Parse(ReadSdp("chrome-publish.offer.sdp"));
  ASSERT_TRUE(offer);
  MediaSection data;
  data.kind = MediaKind::Application;
  data.media = "application";
  data.protocol = "UDP/DTLS/SCTP";
  data.formats = {"webrtc-datachannel"};
  data.mid = "2";
  data.rtcpMux = true;
  offer->media.push_back(data);
  offer->bundleMids.push_back("2");
  // Video without any codec we support.
  offer->media[1].codecs.erase(std::remove_if(offer->media[1].codecs.begin(), offer->media[1].codecs.end(),
                                              [](const Codec& c) { return c.name == "VP8"; }),
                               offer->media[1].codecs.end());
  auto result = AnswerBuilder(Local()).Build(*offer);
  ASSERT_TRUE(result);
  SessionDescription answer = Reparse(*result);
  EXPECT_FALSE(answer.media[0].Rejected());
  EXPECT_TRUE(answer.media[1].Rejected());
  EXPECT_TRUE(answer.media[2].Rejected());
  EXPECT_EQ(answer.media[2].mid, "2");
  EXPECT_EQ(answer.media[2].formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_EQ(answer.bundleMids, (std::vector<std::string>{"0"}));
  EXPECT_TRUE(answer.media[1].candidates.empty());
}

// Issue 11: the camera section the router asks to receive simulcast on is answered with a=rid recv
// and a=simulcast:recv of the offered rids, in order, without the offer's paused markers (the SDK's
// offer in Chromium: a=simulcast:send ~low;mid;~hi). Sections not asked for never get simulcast, so
// the browser sends one encoding there.
TEST(AnswerBuilder, SimulcastIsAnsweredWhereAskedWithTheOfferedRids) {
  auto offer = SdpParser::Parse(ReadSdp("chromium-simulcast.offer.sdp"));
  ASSERT_TRUE(offer);
  ASSERT_EQ(offer->media[1].rids.size(), 3u);
  EXPECT_EQ(offer->media[1].SimulcastSendRids(), (std::vector<std::string>{"low", "mid", "hi"}));
  SectionOptions camera{Direction::RecvOnly, std::nullopt};
  camera.receiveSimulcast = true;
  AnswerBuilder builder(Local());
  builder.SetSection("1", camera);
  auto result = builder.Build(*offer);
  ASSERT_TRUE(result);
  SessionDescription answer = Reparse(*result);
  EXPECT_EQ(answer.media[1].direction, Direction::RecvOnly);
  ASSERT_EQ(answer.media[1].rids.size(), 3u);
  EXPECT_EQ(answer.media[1].rids[0], (Rid{"low", false, ""}));
  EXPECT_EQ(answer.media[1].rids[2], (Rid{"hi", false, ""}));
  EXPECT_EQ(answer.media[1].simulcast, "recv low;mid;hi");
  EXPECT_NE(result->sdp.find("a=simulcast:recv low;mid;hi\r\n"), std::string::npos);
  EXPECT_NE(result->answer.media[1].FindExtmap(uri::kRtpStreamId), nullptr);
  EXPECT_NE(result->extensions.rtpStreamId, 0);
  EXPECT_NE(result->extensions.repairedRtpStreamId, 0);
  for (size_t i = 0; i < answer.media.size(); ++i) {
    if (i == 1) continue;
    EXPECT_TRUE(answer.media[i].rids.empty()) << answer.media[i].mid;
    EXPECT_TRUE(answer.media[i].simulcast.empty()) << answer.media[i].mid;
  }

  // Not asked for: no simulcast (the browser keeps its first encoding).
  AnswerBuilder plainBuilder(Local());
  plainBuilder.SetSection("1", SectionOptions{Direction::RecvOnly, std::nullopt});
  auto plain = plainBuilder.Build(*offer);
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->sdp.find("a=simulcast"), std::string::npos);
  EXPECT_EQ(plain->sdp.find("a=rid"), std::string::npos);

  // Firefox's syntax (rids with per-layer SSRCs): its rids, and its sendonly rid extension recvonly.
  auto firefox = SdpParser::Parse(ReadSdp("firefox-simulcast.offer.sdp"));
  ASSERT_TRUE(firefox);
  AnswerBuilder receiving(Local());
  receiving.SetSection("1", camera);
  auto ff = receiving.Build(*firefox);
  ASSERT_TRUE(ff);
  SessionDescription ffAnswer = Reparse(*ff);
  EXPECT_EQ(ffAnswer.media[1].direction, Direction::RecvOnly);
  EXPECT_EQ(ffAnswer.media[1].simulcast, "recv l;m;h");
  EXPECT_EQ(ffAnswer.media[1].rids.size(), 3u);
  EXPECT_EQ(ffAnswer.media[1].FindExtmap(uri::kRtpStreamId)->direction, Direction::RecvOnly);

  // A rid in a=simulcast without its a=rid line, alternatives and a recv list: only declared send rids.
  auto receive = SdpParser::Parse(ReadSdp("chrome-receive.offer.sdp"));
  receive->media[1].rids = {{"h", true, ""}, {"l", true, ""}, {"r", false, ""}};
  receive->media[1].simulcast = "send h,x;~l;ghost recv r";
  EXPECT_EQ(receive->media[1].SimulcastSendRids(), (std::vector<std::string>{"h", "l"}));
  AnswerBuilder declared(Local());
  declared.SetSection("1", camera);
  auto onlyDeclared = declared.Build(*receive);
  ASSERT_TRUE(onlyDeclared);
  EXPECT_EQ(onlyDeclared->answer.media[1].simulcast, "recv h;l");
  EXPECT_EQ(onlyDeclared->answer.media[1].rids.size(), 2u);
}

// Issue 15: Firefox's port-0 a=bundle-only sections are answered on our port, never stopped; VP8 is
// chosen by name although Firefox lists VP9 first.
TEST(AnswerBuilder, AnswersFirefoxCameraOnOfferOnOurPortWithVp8) {
  auto offer = SdpParser::Parse(ReadSdp("firefox-camera-on.offer.sdp"));
  ASSERT_TRUE(offer);
  AnswerBuilder builder(Local());
  builder.SetSection("0", SectionOptions{Direction::SendRecv, Sending(1111, 0, "audio-track")});
  builder.SetSection("1", SectionOptions{Direction::RecvOnly, std::nullopt});
  std::string error;
  auto result = builder.Build(*offer, &error);
  ASSERT_TRUE(result) << error;
  SessionDescription answer = Reparse(*result);
  EXPECT_EQ(answer.bundleMids, (std::vector<std::string>{"0", "1"}));
  EXPECT_FALSE(answer.extmapAllowMixed);
  ASSERT_EQ(answer.media.size(), 2u);
  for (const MediaSection& m : answer.media) {
    ExpectTransportAttributes(m);     // port 40000, not 0
    EXPECT_FALSE(m.bundleOnly);       // never in an answer (RFC 9429 section 5.3.1)
    EXPECT_TRUE(m.extmapAllowMixed);  // offered at media level, answered there
  }
  EXPECT_EQ(result->sdp.find("a=bundle-only"), std::string::npos);

  const MediaSection& audio = answer.media[0];
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"109"}));
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");  // ours, not Firefox's stereo=1
  EXPECT_EQ(audio.direction, Direction::SendRecv);

  const MediaSection& video = answer.media[1];
  EXPECT_EQ(video.direction, Direction::RecvOnly);
  EXPECT_EQ(video.formats, (std::vector<std::string>{"120", "124"}));
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[1].fmtp, "apt=120");
  EXPECT_TRUE(video.rtcpRsize);
  EXPECT_TRUE(video.codecs[0].HasFeedback("nack"));
  EXPECT_TRUE(video.codecs[0].HasFeedback("nack", "pli"));
  EXPECT_TRUE(video.codecs[0].HasFeedback("goog-remb"));
  EXPECT_EQ(result->sdp.find("VP9"), std::string::npos);
  EXPECT_EQ(result->sdp.find("playout-delay"), std::string::npos);
  // Firefox's ids: audio-level 1, mid 3, abs-send-time 4, transport-cc 7.
  EXPECT_EQ(result->extensions, (ExtensionIds{3, 4, 7, 1, 0, 0}));
}

TEST(AnswerBuilder, AnswersFirefoxReceivingTwoVideos) {
  auto offer = SdpParser::Parse(ReadSdp("firefox-receive-two.offer.sdp"));
  ASSERT_TRUE(offer);
  AnswerBuilder builder(Local());
  builder.SetSection("0", SectionOptions{Direction::SendRecv, Sending(1111, 0, "audio-track")});
  builder.SetSection("1", SectionOptions{Direction::RecvOnly, std::nullopt});
  builder.SetSection("2", SectionOptions{Direction::SendOnly, Sending(2222, 2223, "v2")});
  builder.SetSection("3", SectionOptions{Direction::SendOnly, Sending(3333, 3334, "v3")});
  auto result = builder.Build(*offer);
  ASSERT_TRUE(result);
  SessionDescription answer = Reparse(*result);
  EXPECT_EQ(answer.bundleMids, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(answer.media[1].direction, Direction::RecvOnly);
  for (size_t i : {2u, 3u}) {
    const MediaSection& m = answer.media[i];
    ExpectTransportAttributes(m);
    EXPECT_EQ(m.direction, Direction::SendOnly);
    EXPECT_EQ(m.codecs[0].name, "VP8");
    ASSERT_EQ(m.ssrcGroups.size(), 1u);
    EXPECT_EQ(m.ssrcGroups[0].semantics, "FID");
    EXPECT_EQ(m.ssrcs.size(), 2u);
  }
  EXPECT_EQ(answer.media[2].ssrcs[0].ssrc, 2222u);
  EXPECT_EQ(answer.media[3].ssrcs[1].ssrc, 3334u);
}

TEST(AnswerBuilder, AnswersFirefoxCameraOffAndReconnectOffers) {
  auto off = SdpParser::Parse(ReadSdp("firefox-camera-off.offer.sdp"));
  ASSERT_TRUE(off);
  auto result = AnswerBuilder(Local()).Build(*off);
  ASSERT_TRUE(result);
  const MediaSection& video = result->answer.media[1];
  EXPECT_FALSE(video.Rejected());
  EXPECT_EQ(video.port, 40000);
  EXPECT_EQ(video.direction, Direction::Inactive);  // the offer's own direction, not a rejection
  EXPECT_EQ(result->answer.bundleMids, (std::vector<std::string>{"0", "1"}));

  auto reconnect = SdpParser::Parse(ReadSdp("firefox-reconnect.offer.sdp"));
  ASSERT_TRUE(reconnect);
  AnswerBuilder builder(Local());
  builder.SetSection("1", SectionOptions{Direction::RecvOnly, std::nullopt});
  builder.SetSection("2", SectionOptions{Direction::SendOnly, Sending(5, 6, "v")});
  auto again = builder.Build(*reconnect);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->answer.bundleMids, (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(again->answer.media[1].direction, Direction::RecvOnly);
  EXPECT_EQ(again->answer.media[2].direction, Direction::SendOnly);
}

// Port 0 without a=bundle-only disables the section (RFC 8843 section 7.5.3): answered with port 0
// and left out of the BUNDLE group.
TEST(AnswerBuilder, PortZeroWithoutBundleOnlyIsRejected) {
  std::string text = ReadSdp("firefox-receive-two.offer.sdp");
  // Remove the bundle-only of the third m= section (mid 2).
  size_t at = 0;
  at = text.find("a=bundle-only\r\n", at) + 1;
  at = text.find("a=bundle-only\r\n", at);
  ASSERT_NE(at, std::string::npos);
  text.erase(at, std::string("a=bundle-only\r\n").size());
  auto offer = SdpParser::Parse(text);
  ASSERT_TRUE(offer);
  ASSERT_TRUE(offer->media[2].Rejected());
  auto result = AnswerBuilder(Local()).Build(*offer);
  ASSERT_TRUE(result);
  SessionDescription answer = Reparse(*result);
  EXPECT_TRUE(answer.media[2].Rejected());
  EXPECT_EQ(answer.media[2].port, 0);
  EXPECT_FALSE(answer.media[3].Rejected());
  EXPECT_EQ(answer.bundleMids, (std::vector<std::string>{"0", "1", "3"}));
}

// RFC 8843 section 7.3.3: the offerer-tagged section (first BUNDLE mid) cannot be rejected alone.
TEST(AnswerBuilder, RejectingTheTaggedSectionRejectsTheBundle) {
  auto offer = SdpParser::Parse(ReadSdp("firefox-camera-on.offer.sdp"));
  ASSERT_TRUE(offer);
  auto& audioCodecs = offer->media[0].codecs;
  std::erase_if(audioCodecs, [](const Codec& c) { return c.name == "opus"; });
  std::string error;
  EXPECT_FALSE(AnswerBuilder(Local()).Build(*offer, &error));
  EXPECT_EQ(error, "no acceptable m= section");
}

// An extension offered with a direction is answered with the reverse one (RFC 8285 section 6).
TEST(AnswerBuilder, ExtensionDirectionIsReversed) {
  auto offer = SdpParser::Parse(ReadSdp("firefox-camera-on.offer.sdp"));
  ASSERT_TRUE(offer);
  for (Extmap& e : offer->media[1].extmaps) {
    if (e.uri == uri::kAbsSendTime) e.direction = Direction::SendOnly;
  }
  auto result = AnswerBuilder(Local()).Build(*offer);
  ASSERT_TRUE(result);
  const Extmap* e = result->answer.media[1].FindExtmap(uri::kAbsSendTime);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->direction, Direction::RecvOnly);
  EXPECT_EQ(result->answer.media[1].FindExtmap(uri::kMid)->direction, std::nullopt);
}

TEST(AnswerBuilder, UnanswerableOffers) {
  auto offer = SdpParser::Parse(ReadSdp("chrome-publish.offer.sdp"));
  ASSERT_TRUE(offer);
  std::string error;
  AnswerOptions incomplete = Local();
  incomplete.candidatePort = 0;
  EXPECT_FALSE(AnswerBuilder(incomplete).Build(*offer, &error));
  EXPECT_EQ(error, "incomplete local parameters");

  SessionDescription passive = *offer;
  for (MediaSection& m : passive.media) m.setup = SetupRole::Passive;
  EXPECT_FALSE(AnswerBuilder(Local()).Build(passive, &error));

  SessionDescription sha1 = *offer;
  sha1.media[0].fingerprint->algorithm = "sha-1";
  EXPECT_FALSE(AnswerBuilder(Local()).Build(sha1, &error));

  SessionDescription noIce = *offer;
  noIce.media[0].icePwd.clear();
  EXPECT_FALSE(AnswerBuilder(Local()).Build(noIce, &error));

  SessionDescription noMux = *offer;
  for (MediaSection& m : noMux.media) m.rtcpMux = false;
  EXPECT_FALSE(AnswerBuilder(Local()).Build(noMux, &error));
  EXPECT_EQ(error, "no acceptable m= section");

  EXPECT_FALSE(AnswerBuilder(Local()).Build(SessionDescription{}, &error));
}

TEST(OfferBuilder, ClientOfferIsAnsweredByTheServer) {
  OfferOptions o;
  o.iceUfrag = "cliU";
  o.icePwd = "clientpasswordclientpw";
  o.fingerprintSha256 = kOurFingerprint;
  o.candidateIp = "127.0.0.1";
  o.candidatePort = 50000;
  o.audioSsrc = 11;
  o.videoSsrc = 22;
  o.videoRtxSsrc = 23;
  o.includeH264 = true;
  SessionDescription offer = OfferBuilder::Build(o);
  std::string text = SdpWriter::Write(offer);
  std::string error;
  auto parsed = SdpParser::Parse(text, &error);
  ASSERT_TRUE(parsed) << error;
  EXPECT_EQ(*parsed, offer);
  EXPECT_FALSE(parsed->iceLite);
  EXPECT_EQ(parsed->media[0].setup, SetupRole::ActPass);
  EXPECT_EQ(parsed->media[0].direction, Direction::SendRecv);
  EXPECT_EQ(parsed->media[1].direction, Direction::SendRecv);
  EXPECT_EQ(parsed->media[1].FindSsrcGroup("FID")->ssrcs, (std::vector<uint32_t>{22, 23}));
  EXPECT_EQ(parsed->media[0].candidates[0].port, 50000);

  AnswerOptions local = Local();
  local.enableH264 = true;
  AnswerBuilder builder(local);
  builder.SetSection("0", SectionOptions{Direction::SendRecv, Sending(100, 0, "a")});
  builder.SetSection("1", SectionOptions{Direction::SendRecv, Sending(200, 201, "v")});
  auto result = builder.Build(*parsed, &error);
  ASSERT_TRUE(result) << error;
  SessionDescription answer = Reparse(*result);
  EXPECT_EQ(answer.media[0].direction, Direction::SendRecv);
  EXPECT_EQ(answer.media[1].direction, Direction::SendRecv);
  EXPECT_EQ(answer.media[1].formats, (std::vector<std::string>{"96", "97", "108", "109"}));
  EXPECT_EQ(result->extensions, (ExtensionIds{4, 2, 3, 1, 10, 11}));
}

}  // namespace
}  // namespace medicall::webrtc::sdp

namespace medicall::webrtc::sdp {
namespace {

// The exact answer Chromium 156 accepted (see server/test/data/sdp/medicall-h264.answer.txt).
TEST(AnswerBuilder, AnswerToLiveChromiumOfferIsTheOneChromiumAccepted) {
  auto offer = SdpParser::Parse(test::ReadSdp("chromium-transceivers.offer.sdp"));
  ASSERT_TRUE(offer);
  EXPECT_EQ(offer->media[0].msidStream, "-");
  AnswerOptions o;
  o.iceUfrag = "srvU";
  o.icePwd = "serverpasswordserverpw";
  o.fingerprintSha256 = kOurFingerprint;
  o.candidateIp = "127.0.0.1";
  o.candidatePort = 40000;
  o.enableH264 = true;
  AnswerBuilder builder(o);
  builder.SetSection("0", SectionOptions{Direction::SendRecv, SendParameters{"s", "a", "c", 1, 0}});
  builder.SetSection("1", SectionOptions{Direction::SendRecv, SendParameters{"s", "v", "c", 2, 3}});
  auto result = builder.Build(*offer);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->sdp, test::ReadSdp("medicall-h264.answer.sdp"));
}

}  // namespace
}  // namespace medicall::webrtc::sdp
