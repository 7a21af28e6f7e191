// SdpParser on Chromium's and Firefox's captured offers (server/test/data/sdp/), a libwebrtc answer,
// hand-written rid/simulcast input, write/parse round trips and malformed input.
#include <gtest/gtest.h>

#include "SdpTestUtil.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"

namespace medicall::webrtc::sdp {
namespace {

using test::ReadSdp;
using test::ToCrlf;

TEST(SdpParser, ChromePublishOffer) {
  std::string text = ReadSdp("chrome-publish.offer.sdp");
  ASSERT_FALSE(text.empty());
  std::string error;
  auto sd = SdpParser::Parse(text, &error);
  ASSERT_TRUE(sd) << error;
  EXPECT_EQ(sd->originUsername, "mozilla-chrome");
  EXPECT_EQ(sd->sessionId, "7427106072440755471");
  EXPECT_EQ(sd->sessionVersion, "2");
  EXPECT_EQ(sd->bundleMids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(sd->extmapAllowMixed);
  EXPECT_FALSE(sd->iceLite);
  EXPECT_EQ(sd->msidSemantic, "WMS 146e0587-95b1-4b10-bcaa-bb1c77ed52e7");
  ASSERT_EQ(sd->media.size(), 2u);

  const MediaSection& audio = sd->media[0];
  EXPECT_EQ(audio.kind, MediaKind::Audio);
  EXPECT_EQ(audio.port, 47112);
  EXPECT_EQ(audio.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.formats, (std::vector<std::string>{"63", "111", "9", "0", "8", "13", "110", "126"}));
  EXPECT_EQ(audio.connectionAddress, "127.0.0.1");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, Direction::SendRecv);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpRsize);
  EXPECT_EQ(audio.iceUfrag, "zpCI");
  EXPECT_EQ(audio.icePwd, "ai1iJYF4ew0GlD7NzBjO3IVs");
  EXPECT_EQ(audio.iceOptions, (std::vector<std::string>{"trickle"}));
  ASSERT_TRUE(audio.fingerprint);
  EXPECT_EQ(audio.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(
      audio.fingerprint->value,
      "BC:F5:0A:73:8B:1B:C8:96:F3:15:BC:E7:47:BC:B5:2C:A7:75:64:10:44:D4:CA:D2:8A:99:89:F3:19:83:01:0D");
  EXPECT_EQ(audio.setup, SetupRole::ActPass);
  EXPECT_EQ(audio.msidStream, "146e0587-95b1-4b10-bcaa-bb1c77ed52e7");
  EXPECT_EQ(audio.msidTrack, "d38ac924-9b0a-40b0-8927-cf9c462f7236");
  ASSERT_EQ(audio.codecs.size(), 8u);
  EXPECT_EQ(audio.codecs[0].name, "red");
  const Codec* opus = audio.FindCodec(111);
  ASSERT_NE(opus, nullptr);
  EXPECT_EQ(opus->name, "opus");
  EXPECT_EQ(opus->clockRate, 48000u);
  EXPECT_EQ(opus->channels, 2);
  EXPECT_EQ(opus->fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(opus->FmtpParameter("useinbandfec"), std::string_view("1"));
  EXPECT_EQ(opus->feedback, (std::vector<RtcpFeedback>{{"transport-cc", ""}}));
  EXPECT_EQ(audio.FindCodec(126)->name, "telephone-event");
  EXPECT_EQ(audio.FindCodec(126)->clockRate, 8000u);
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.FindExtmap(uri::kAudioLevel)->id, 1);
  EXPECT_EQ(audio.FindExtmap(uri::kMid)->id, 4);
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 3935488350u);
  EXPECT_EQ(audio.ssrcs[0].cname, "V9g5t39X6Ol3WCe4");
  EXPECT_EQ(audio.ssrcs[0].msidTrack, "d38ac924-9b0a-40b0-8927-cf9c462f7236");
  ASSERT_EQ(audio.candidates.size(), 8u);
  const Candidate& c0 = audio.candidates[0];
  EXPECT_EQ(c0.foundation, "3949892189");
  EXPECT_EQ(c0.component, 1);
  EXPECT_EQ(c0.transport, "udp");
  EXPECT_EQ(c0.priority, 2122194687u);
  EXPECT_EQ(c0.address, "127.0.0.1");
  EXPECT_EQ(c0.port, 47112);
  EXPECT_EQ(c0.type, "host");
  EXPECT_EQ(c0.generation, 0u);
  EXPECT_EQ(audio.candidates[2].address, "::1");
  EXPECT_EQ(audio.candidates[4].transport, "tcp");
  EXPECT_EQ(audio.candidates[4].tcpType, "active");

  const MediaSection& video = sd->media[1];
  EXPECT_EQ(video.kind, MediaKind::Video);
  EXPECT_EQ(video.port, 9);
  EXPECT_EQ(video.mid, "1");
  EXPECT_EQ(video.direction, Direction::Inactive);
  EXPECT_EQ(video.formats.size(), 23u);
  EXPECT_EQ(video.codecs.size(), 23u);
  EXPECT_EQ(video.FindCodec(96)->name, "VP8");
  EXPECT_TRUE(video.FindCodec(96)->HasFeedback("nack", "pli"));
  EXPECT_TRUE(video.FindCodec(96)->HasFeedback("ccm", "fir"));
  EXPECT_TRUE(video.FindCodec(96)->HasFeedback("goog-remb"));
  EXPECT_EQ(video.FindRtxFor(96)->payloadType, 97);
  EXPECT_EQ(video.FindRtxFor(108)->payloadType, 109);
  EXPECT_EQ(video.FindCodec(108)->FmtpParameter("profile-level-id"), std::string_view("42e01f"));
  EXPECT_EQ(video.FindCodec(120)->name, "ulpfec");
  EXPECT_EQ(video.extmaps.size(), 12u);
  EXPECT_EQ(video.FindExtmap(uri::kRtpStreamId)->id, 10);
  EXPECT_EQ(video.FindExtmap(uri::kTransportWideCc)->id, 3);
  EXPECT_TRUE(video.ssrcs.empty());
  EXPECT_TRUE(video.candidates.empty());
}

TEST(SdpParser, ChromeReceiveOfferWithRtxGroup) {
  auto sd = SdpParser::Parse(ReadSdp("chrome-receive.offer.sdp"));
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->bundleMids, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_EQ(sd->media.size(), 3u);
  const MediaSection& camera = sd->media[1];
  EXPECT_EQ(camera.direction, Direction::SendRecv);
  EXPECT_EQ(camera.formats[0], "98");  // VP9 first in this capture
  const SsrcGroup* fid = camera.FindSsrcGroup("FID");
  ASSERT_NE(fid, nullptr);
  EXPECT_EQ(fid->ssrcs, (std::vector<uint32_t>{2474687698u, 35123389u}));
  ASSERT_EQ(camera.ssrcs.size(), 2u);
  EXPECT_EQ(camera.ssrcs[1].ssrc, 35123389u);
  EXPECT_EQ(camera.ssrcs[1].msidStream, "cd919c26-11d0-47f7-a6a3-75baa2c1a7c2");
  const MediaSection& remote = sd->media[2];
  EXPECT_EQ(remote.mid, "2");
  EXPECT_EQ(remote.direction, Direction::RecvOnly);
  EXPECT_EQ(remote.formats.size(), 34u);
  EXPECT_EQ(remote.codecs.size(), 34u);
  EXPECT_EQ(remote.FindCodec(49)->name, "flexfec-03");
  EXPECT_TRUE(remote.ssrcs.empty());
  EXPECT_EQ(remote.iceUfrag, "V2KX");
}

TEST(SdpParser, LibwebrtcAnswer) {
  auto sd = SdpParser::Parse(ReadSdp("libwebrtc-publish.answer.sdp"));
  ASSERT_TRUE(sd);
  EXPECT_EQ(sd->msidSemantic, "WMS");
  EXPECT_EQ(sd->media[0].setup, SetupRole::Active);
  EXPECT_EQ(sd->media[0].msidStream, "mixed_audio");
  EXPECT_EQ(sd->media[0].candidates.size(), 4u);
  EXPECT_EQ(sd->media[0].connectionAddress, "192.0.2.2");
  EXPECT_EQ(sd->media[1].direction, Direction::Inactive);
}

TEST(SdpParser, CrlfAndLfGiveTheSameModel) {
  for (const char* name :
       {"chrome-publish.offer.sdp", "chrome-receive.offer.sdp", "libwebrtc-publish.answer.sdp"}) {
    std::string lf = ReadSdp(name);
    auto a = SdpParser::Parse(lf);
    auto b = SdpParser::Parse(ToCrlf(lf));
    ASSERT_TRUE(a && b) << name;
    EXPECT_EQ(*a, *b) << name;
  }
}

TEST(SdpParser, WriteThenParseRoundTrips) {
  for (const char* name :
       {"chrome-publish.offer.sdp", "chrome-receive.offer.sdp", "libwebrtc-publish.answer.sdp",
        "firefox-camera-off.offer.sdp", "firefox-camera-on.offer.sdp", "firefox-receive-two.offer.sdp",
        "firefox-reconnect.offer.sdp", "chromium-simulcast.offer.sdp", "firefox-simulcast.offer.sdp"}) {
    auto parsed = SdpParser::Parse(ReadSdp(name));
    ASSERT_TRUE(parsed) << name;
    std::string written = SdpWriter::Write(*parsed);
    std::string error;
    auto again = SdpParser::Parse(written, &error);
    ASSERT_TRUE(again) << name << ": " << error;
    EXPECT_EQ(*again, *parsed) << name;
    EXPECT_EQ(SdpWriter::Write(*again), written);
  }
}

TEST(SdpParser, RidSimulcastSessionLevelAndWildcardFeedback) {
  const std::string text =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "a=ice-ufrag:sess\r\na=ice-pwd:sessionpasswordsessionpw\r\n"
      "a=fingerprint:SHA-256 AA:BB\r\na=setup:active\r\na=group:BUNDLE v\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP6 ::\r\na=mid:v\r\na=sendonly\r\n"
      "a=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\na=rtcp-fb:* nack\r\n"
      "a=extmap:3/sendonly urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=rid:h send\r\na=rid:l send max-width=320\r\na=simulcast:send h;l\r\n"
      "a=candidate:1 1 UDP 2130706431 10.0.0.1 5000 typ srflx raddr 192.168.1.2 rport 6000\r\n"
      "a=end-of-candidates\r\n";
  std::string error;
  auto sd = SdpParser::Parse(text, &error);
  ASSERT_TRUE(sd) << error;
  const MediaSection& m = sd->media[0];
  EXPECT_EQ(m.iceUfrag, "sess");  // inherited from session level
  EXPECT_EQ(m.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(m.setup, SetupRole::Active);
  EXPECT_EQ(m.connectionAddress, "::");
  EXPECT_EQ(m.direction, Direction::SendOnly);
  EXPECT_EQ(m.rids, (std::vector<Rid>{{"h", true, ""}, {"l", true, "max-width=320"}}));
  EXPECT_EQ(m.simulcast, "send h;l");
  EXPECT_TRUE(m.FindCodec(96)->HasFeedback("nack"));
  EXPECT_TRUE(m.FindCodec(97)->HasFeedback("nack"));
  EXPECT_EQ(m.extmaps[0].direction, Direction::SendOnly);
  ASSERT_EQ(m.candidates.size(), 1u);
  EXPECT_EQ(m.candidates[0].relatedAddress, "192.168.1.2");
  EXPECT_EQ(m.candidates[0].relatedPort, 6000);
  EXPECT_TRUE(m.endOfCandidates);
  auto again = SdpParser::Parse(SdpWriter::Write(*sd));
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *sd);
}

// Firefox ESR 153: non-first BUNDLE sections on port 0 with a=bundle-only are live (RFC 8843).
TEST(SdpParser, FirefoxCameraOffOffer) {
  std::string error;
  auto sd = SdpParser::Parse(ReadSdp("firefox-camera-off.offer.sdp"), &error);
  ASSERT_TRUE(sd) << error;
  EXPECT_EQ(sd->originUsername, "mozilla...THIS_IS_SDPARTA-99.0");
  EXPECT_EQ(sd->bundleMids, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(sd->msidSemantic, "WMS *");
  EXPECT_FALSE(sd->extmapAllowMixed);  // Firefox writes it per media section
  ASSERT_EQ(sd->media.size(), 2u);

  const MediaSection& audio = sd->media[0];
  EXPECT_EQ(audio.port, 9);
  EXPECT_FALSE(audio.Rejected());
  EXPECT_TRUE(audio.extmapAllowMixed);
  EXPECT_EQ(audio.setup, SetupRole::ActPass);
  ASSERT_TRUE(audio.fingerprint);  // from session level
  EXPECT_EQ(audio.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(audio.iceUfrag, "5e169aaa");
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].payloadType, 109);
  EXPECT_EQ(audio.codecs[0].channels, 2);
  EXPECT_EQ(audio.codecs[0].FmtpParameter("stereo"), std::string_view("1"));
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.FindExtmap(uri::kAudioLevel)->id, 1);
  EXPECT_EQ(audio.extmaps[1].direction, Direction::RecvOnly);  // 2/recvonly csrc-audio-level
  EXPECT_EQ(audio.FindExtmap(uri::kMid)->id, 3);
  EXPECT_EQ(audio.FindExtmap(uri::kTransportWideCc)->id, 7);
  // a=ssrc with a cname only, no msid, no ssrc-group.
  ASSERT_EQ(audio.ssrcs.size(), 1u);
  EXPECT_FALSE(audio.ssrcs[0].cname.empty());
  EXPECT_TRUE(audio.ssrcs[0].msidStream.empty());
  EXPECT_TRUE(audio.ssrcGroups.empty());

  const MediaSection& video = sd->media[1];
  EXPECT_EQ(video.port, 0);
  EXPECT_TRUE(video.bundleOnly);
  EXPECT_FALSE(video.Rejected());
  EXPECT_EQ(video.direction, Direction::Inactive);
  EXPECT_TRUE(video.rtcpRsize);
  EXPECT_TRUE(video.rtcpMux);
  EXPECT_TRUE(video.extmapAllowMixed);
  EXPECT_EQ(video.iceUfrag, audio.iceUfrag);
  std::vector<std::string> names;
  for (const Codec& c : video.codecs) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"VP8", "rtx", "VP9", "rtx", "AV1", "rtx", "ulpfec", "red", "rtx"}));
  EXPECT_EQ(video.FindRtxFor(120)->payloadType, 124);
  EXPECT_EQ(video.FindRtxFor(121)->payloadType, 125);
  EXPECT_TRUE(video.FindCodec(120)->HasFeedback("nack", "pli"));
  EXPECT_TRUE(video.FindCodec(120)->HasFeedback("goog-remb"));
  EXPECT_TRUE(video.FindCodec(120)->HasFeedback("transport-cc"));
  EXPECT_EQ(video.FindExtmap(uri::kAbsSendTime)->id, 4);
  EXPECT_EQ(video.FindExtmap("http://www.webrtc.org/experiments/rtp-hdrext/playout-delay")->direction,
            Direction::RecvOnly);
  EXPECT_TRUE(video.candidates.empty());
}

TEST(SdpParser, FirefoxCameraOnOfferListsVp9First) {
  std::string error;
  auto sd = SdpParser::Parse(ReadSdp("firefox-camera-on.offer.sdp"), &error);
  ASSERT_TRUE(sd) << error;
  const MediaSection& audio = sd->media[0];
  ASSERT_EQ(audio.candidates.size(), 2u);
  EXPECT_EQ(audio.candidates[0].transport, "UDP");
  EXPECT_EQ(audio.candidates[0].type, "host");
  EXPECT_NE(audio.candidates[0].address.find(".local"), std::string::npos);  // mDNS name
  EXPECT_EQ(audio.candidates[1].tcpType, "active");
  EXPECT_TRUE(audio.endOfCandidates);
  const MediaSection& video = sd->media[1];
  EXPECT_FALSE(video.Rejected());
  EXPECT_EQ(video.direction, Direction::SendRecv);
  EXPECT_EQ(video.formats.front(), "121");
  EXPECT_EQ(video.codecs.front().name, "VP9");
  ASSERT_EQ(video.ssrcs.size(), 2u);
  const SsrcGroup* fid = video.FindSsrcGroup("FID");
  ASSERT_NE(fid, nullptr);
  EXPECT_EQ(fid->ssrcs, (std::vector<uint32_t>{video.ssrcs[0].ssrc, video.ssrcs[1].ssrc}));
  EXPECT_EQ(video.msidTrack.empty(), false);
}

TEST(SdpParser, FirefoxReceiveTwoAndReconnectOffers) {
  auto two = SdpParser::Parse(ReadSdp("firefox-receive-two.offer.sdp"));
  ASSERT_TRUE(two);
  EXPECT_EQ(two->bundleMids, (std::vector<std::string>{"0", "1", "2", "3"}));
  ASSERT_EQ(two->media.size(), 4u);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(two->media[i].bundleOnly) << i;
    EXPECT_FALSE(two->media[i].Rejected()) << i;
  }
  for (size_t i : {2u, 3u}) {
    EXPECT_EQ(two->media[i].direction, Direction::RecvOnly);
    EXPECT_EQ(two->media[i].ssrcs.size(), 1u);  // receive-side SSRC, no group
    EXPECT_TRUE(two->media[i].ssrcGroups.empty());
    EXPECT_TRUE(two->media[i].msidStream.empty());
  }
  auto reconnect = SdpParser::Parse(ReadSdp("firefox-reconnect.offer.sdp"));
  ASSERT_TRUE(reconnect);
  EXPECT_EQ(reconnect->sessionVersion, "0");
  EXPECT_EQ(reconnect->media.size(), 3u);
  EXPECT_NE(reconnect->media[0].iceUfrag, two->media[0].iceUfrag);
  EXPECT_FALSE(reconnect->media[2].Rejected());
}

// a=bundle-only counts only on a port-0 section inside the BUNDLE group (RFC 8843 section 6).
TEST(SdpParser, BundleOnlyOutsideTheGroupOrWithAPortIsIgnored) {
  const std::string offer = ReadSdp("firefox-camera-off.offer.sdp");
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  auto outside = SdpParser::Parse(replace(offer, "a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0\r\n"));
  ASSERT_TRUE(outside);
  EXPECT_FALSE(outside->media[1].bundleOnly);
  EXPECT_TRUE(outside->media[1].Rejected());

  auto withoutAttribute = SdpParser::Parse(replace(offer, "a=bundle-only\r\n", ""));
  ASSERT_TRUE(withoutAttribute);
  EXPECT_TRUE(withoutAttribute->media[1].Rejected());  // port 0 alone: disabled (RFC 8843 7.5.3)

  auto withPort = SdpParser::Parse(replace(offer, "m=video 0 ", "m=video 9 "));
  ASSERT_TRUE(withPort);
  EXPECT_FALSE(withPort->media[1].bundleOnly);
  EXPECT_FALSE(withPort->media[1].Rejected());
}

// Firefox writes a session-level a=sendrecv (RFC 8866 section 6.7): it applies to sections without
// their own direction attribute.
TEST(SdpParser, SessionLevelDirectionIsTheDefault) {
  const std::string text =
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=recvonly\r\n"
      "a=ice-ufrag:sess\r\na=ice-pwd:sessionpasswordsessionpw\r\na=fingerprint:sha-256 AA:BB\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendonly\r\na=rtpmap:96 VP8/90000\r\n";
  std::string error;
  auto sd = SdpParser::Parse(text, &error);
  ASSERT_TRUE(sd) << error;
  EXPECT_EQ(sd->media[0].direction, Direction::RecvOnly);
  EXPECT_EQ(sd->media[1].direction, Direction::SendOnly);
}

TEST(SdpParser, ChromiumSimulcastOffer) {
  std::string error;
  auto sd = SdpParser::Parse(ReadSdp("chromium-simulcast.offer.sdp"), &error);
  ASSERT_TRUE(sd) << error;
  const MediaSection& video = sd->media[1];
  EXPECT_EQ(video.rids, (std::vector<Rid>{{"low", true, ""}, {"mid", true, ""}, {"hi", true, ""}}));
  EXPECT_EQ(video.simulcast, "send ~low;mid;~hi");
  EXPECT_TRUE(video.ssrcs.empty());
  EXPECT_EQ(video.FindExtmap(uri::kRtpStreamId)->id, 10);
  EXPECT_EQ(video.FindExtmap(uri::kRepairedRtpStreamId)->id, 11);
}

// Firefox's simulcast: rids plus one a=ssrc and FID group per layer, rid extensions sendonly.
TEST(SdpParser, FirefoxSimulcastOffer) {
  std::string error;
  auto sd = SdpParser::Parse(ReadSdp("firefox-simulcast.offer.sdp"), &error);
  ASSERT_TRUE(sd) << error;
  ASSERT_EQ(sd->media.size(), 2u);
  const MediaSection& video = sd->media[1];
  EXPECT_TRUE(video.bundleOnly);
  EXPECT_EQ(video.direction, Direction::SendRecv);
  EXPECT_EQ(video.rids, (std::vector<Rid>{{"l", true, ""}, {"m", true, ""}, {"h", true, ""}}));
  EXPECT_EQ(video.simulcast, "send l;m;h");
  EXPECT_EQ(video.ssrcs.size(), 6u);
  EXPECT_EQ(video.ssrcGroups.size(), 3u);
  EXPECT_EQ(video.FindExtmap(uri::kRtpStreamId)->id, 9);
  EXPECT_EQ(video.FindExtmap(uri::kRtpStreamId)->direction, Direction::SendOnly);
}

TEST(SdpParser, MalformedInputsAreRejected) {
  const std::string head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  const std::string m = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  const std::vector<std::string> bad = {
      "",
      "o=- 1 1 IN IP4 0.0.0.0\r\n",  // no v=
      "v=1\r\n",
      "v=0\r\n",                            // no o=
      "v=0\r\no=- x 1 IN IP4 0.0.0.0\r\n",  // non-numeric session id
      "v=0\r\no=- 1 1 IN IP4\r\n",          // short o=
      head + "garbage\r\n",
      head + "q=1\r\n",
      head + "m=audio\r\n",
      head + "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n",
      head + "m=audio -1 UDP/TLS/RTP/SAVPF 111\r\n",
      head + m + "c=IN IP4\r\n",
      head + m + "a=rtpmap:111\r\n",
      head + m + "a=rtpmap:128 opus/48000/2\r\n",
      head + m + "a=rtpmap:111 opus/0\r\n",
      head + m + "a=rtpmap:111 opus/48000/99\r\n",
      head + m + "a=rtpmap:111 opus/4294967296\r\n",
      head + m + "a=fmtp:111\r\n",
      head + m + "a=rtcp-fb:111\r\n",
      head + m + "a=extmap:0 urn:x\r\n",
      head + m + "a=extmap:256 urn:x\r\n",
      head + m + "a=extmap:1/sideways urn:x\r\n",
      head + m + "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n",
      head + m + "a=ssrc:abc cname:x\r\n",
      head + m + "a=ssrc:4294967296 cname:x\r\n",
      head + m + "a=ssrc-group:FID 1 x\r\n",
      head + m + "a=candidate:1 1 udp 1 1.2.3.4 99999 typ host\r\n",
      head + m + "a=candidate:1 0 udp 1 1.2.3.4 9 typ host\r\n",
      head + m + "a=candidate:1 1 udp 1 1.2.3.4 9 host\r\n",
      head + m + "a=setup:sometimes\r\n",
      head + m + "a=fingerprint:sha-256\r\n",
      head + m + "a=rid:x sideways\r\n",
      head + m + "a=mid:\r\n",
      head + m + "a=msid:\r\n",
      head + m + "a=ice-ufrag:has space\r\n",
      head + m + "a=mid:" + std::string(300, 'x') + "\r\n",
      head + std::string(5000, 'a') + "\r\n",
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    std::string error;
    EXPECT_FALSE(SdpParser::Parse(bad[i], &error)) << "case " << i;
    EXPECT_FALSE(error.empty()) << "case " << i;
  }
}

TEST(SdpParser, BoundsAreEnforced) {
  std::string head = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
  std::string many = head;
  for (size_t i = 0; i <= SdpParser::kMaxMediaSections; ++i) many += "m=audio 9 RTP/AVP 0\r\n";
  EXPECT_FALSE(SdpParser::Parse(many));
  std::string candidates = head + "m=audio 9 RTP/AVP 0\r\n";
  for (size_t i = 0; i <= SdpParser::kMaxCandidates; ++i) {
    candidates += "a=candidate:1 1 udp 1 1.2.3.4 9 typ host\r\n";
  }
  EXPECT_FALSE(SdpParser::Parse(candidates));
  std::string ssrcs = head + "m=audio 9 RTP/AVP 0\r\n";
  for (size_t i = 0; i <= SdpParser::kMaxSsrcs; ++i)
    ssrcs += "a=ssrc:" + std::to_string(i + 1) + " cname:x\r\n";
  EXPECT_FALSE(SdpParser::Parse(ssrcs));
  EXPECT_FALSE(SdpParser::Parse(head + std::string(SdpParser::kMaxTextLength, '\n')));
  // Static payload types without rtpmap are known; fmtp for an unlisted payload type is dropped.
  auto sd = SdpParser::Parse(head + "m=audio 9 RTP/AVP 0 8\r\na=fmtp:100 x=y\r\n");
  ASSERT_TRUE(sd);
  ASSERT_EQ(sd->media[0].codecs.size(), 2u);
  EXPECT_EQ(sd->media[0].codecs[1].name, "PCMA");
}

TEST(SdpParser, TruncatedOffersNeverCrash) {
  std::string text = ReadSdp("chrome-receive.offer.sdp");
  size_t parsed = 0;
  for (size_t n = 0; n < text.size(); n += 7) {
    if (SdpParser::Parse(std::string_view(text).substr(0, n))) ++parsed;
  }
  EXPECT_GT(parsed, 10u);  // prefixes ending on a line boundary are valid SDP
}

}  // namespace
}  // namespace medicall::webrtc::sdp
