// Issue 11, codecs, through the router's packet path with real ICE, DTLS and SRTP on 127.0.0.1:
//  - the codec intersection (INDEX supported_receive_codec_intersection) follows who is in media;
//  - an H.264 camera is forwarded from its IDR (key frames by the codec of the packet's payload type)
//    on each subscriber's own H.264 payload type, with the video orientation (CVO) under the
//    subscriber's extension id;
//  - a subscriber that did not negotiate H.264 gets none of it (counted), and the VP8 the sender
//    switches to (the SDK's renegotiation after INDEX) reaches everyone from its key frame, with
//    continuous sequence numbers on the subscriber that saw both codecs.
// The router runs on the harness's ManualClock; "nothing else arrived" is checked with a barrier packet.
#include <gtest/gtest.h>

#include <vector>

#include "media/router/RouterHarness.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::media::router {
namespace {

using testing::OnWorker;
using testing::RouterHarness;
using testing::TestClient;
using testing::WaitFor;
using webrtc::rtp::VideoCodec;
using namespace std::chrono_literals;

constexpr uint8_t kVp8 = webrtc::sdp::OfferBuilder::kVp8Pt;
constexpr uint8_t kPublisherH264 = 108;
constexpr uint8_t kSubscriberH264 = 102;
constexpr uint8_t kPublisherCvo = 13;
constexpr uint8_t kSubscriberCvo = 7;

// An H.264 packet (RFC 6184): the first fragment of an IDR slice in an FU-A (key frame), or a
// single NAL unit non-IDR slice (type 1). The first packet of each carries CVO 0x01 (90 degrees).
size_t H264Packet(uint16_t seq, uint32_t ssrc, bool idr, std::span<uint8_t> out) {
  webrtc::rtp::RtpPacketBuilder b;
  b.SetPayloadType(kPublisherH264).SetSequenceNumber(seq).SetTimestamp(3000u * seq).SetSsrc(ssrc);
  const std::vector<uint8_t> rotation{0x01};
  EXPECT_TRUE(b.AddExtension(kPublisherCvo, rotation));
  std::vector<uint8_t> payload(300, static_cast<uint8_t>(seq));
  if (idr) {
    payload[0] = 0x7C;  // FU indicator: NRI 3, type 28 (FU-A)
    payload[1] = 0x85;  // FU header: S=1, type 5 (IDR)
  } else {
    payload[0] = 0x41;  // NRI 2, type 1 (non-IDR slice)
  }
  return b.Build(payload, out);
}

void SendH264(RouterHarness& h, TestClient& c, uint16_t firstSeq, size_t count, bool idrFirst) {
  OnWorker(h.ClientWorker(), [&] {
    std::vector<uint8_t> buf(1500);
    for (size_t i = 0; i < count; ++i) {
      const size_t n = H264Packet(static_cast<uint16_t>(firstSeq + i), c.videoSsrc, idrFirst && i == 0, buf);
      EXPECT_TRUE(c.transport->SendRtp(buf, n));
    }
    return 0;
  });
}

void SendVp8(RouterHarness& h, TestClient& c, uint16_t firstSeq, size_t count, bool keyframeFirst) {
  OnWorker(h.ClientWorker(), [&] {
    std::vector<uint8_t> buf(1500);
    for (size_t i = 0; i < count; ++i) {
      const auto seq = static_cast<uint16_t>(firstSeq + i);
      const size_t n =
          TestClient::Vp8Packet(kVp8, seq, 3000u * seq, c.videoSsrc, keyframeFirst && i == 0, 300, buf);
      EXPECT_TRUE(c.transport->SendRtp(buf, n));
    }
    return 0;
  });
}

std::vector<VideoCodec> Intersection(RouterHarness& h) {
  return OnWorker(h.serverWorker, [&] { return h.router->ReceiveCodecIntersection(); });
}

Router::Stats ServerStats(RouterHarness& h) {
  return OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
}

TEST(RouterCodecTest, TheIntersectionFollowsWhoIsInMedia) {
  RouterHarness h;
  const std::vector<VideoCodec> both{VideoCodec::kVp8, VideoCodec::kH264};
  const std::vector<VideoCodec> vp8{VideoCodec::kVp8};
  EXPECT_EQ(Intersection(h), both);  // nobody in media yet
  TestClient& a = h.AddClient("a");
  a.offerH264 = true;
  TestClient& b = h.AddClient("b");  // VP8 only
  ASSERT_EQ(h.Subscribe(a, true, {}).status, 200u);
  EXPECT_EQ(Intersection(h), both);
  const int before = h.listener.sourcesChanged;
  ASSERT_EQ(h.Subscribe(b, false, {}).status, 200u);
  EXPECT_EQ(Intersection(h), vp8);
  // The change goes out in INDEX (Listener::OnSourcesChanged, posted to the worker).
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged > before; }));
  OnWorker(h.serverWorker, [&] {
    h.router->RemoveAttendee("b");
    return 0;
  });
  EXPECT_EQ(Intersection(h), both);
}

// MEDICALL_VIDEO_H264 off (the default): the meeting is VP8 whoever decodes H.264, and a camera that
// offers H.264 is answered VP8 only (recvonly), so that no SDK preference can pick H.264.
TEST(RouterCodecTest, WithoutTheH264SettingEveryoneIsVp8) {
  RouterHarness h(false, testing::RouterClock::Manual, /*videoH264=*/false);
  const std::vector<VideoCodec> vp8{VideoCodec::kVp8};
  EXPECT_EQ(Intersection(h), vp8);  // nobody in media yet
  TestClient& a = h.AddClient("a");
  a.offerH264 = true;
  TestClient& b = h.AddClient("b");
  b.offerH264 = true;
  ASSERT_EQ(h.Subscribe(a, true, {}).status, 200u);
  ASSERT_EQ(h.Subscribe(b, true, {}).status, 200u);
  EXPECT_EQ(Intersection(h), vp8);
  auto answer = webrtc::sdp::SdpParser::Parse(a.answer.sdpAnswer);
  ASSERT_TRUE(answer.has_value());
  bool sawVideo = false;
  for (const auto& m : answer->media) {
    if (m.kind != webrtc::sdp::MediaKind::Video || m.Rejected()) continue;
    sawVideo = true;
    for (const auto& c : m.codecs) EXPECT_NE(c.name, "H264") << "mid " << m.mid;
  }
  EXPECT_TRUE(sawVideo);
}

TEST(RouterCodecTest, H264IsForwardedFromItsIdrOnlyToWhoNegotiatedItThenVp8ToEveryone) {
  RouterHarness h;
  TestClient& pub = h.AddClient("publisher");
  pub.offerH264 = true;
  pub.videoOrientationId = kPublisherCvo;
  TestClient& subH = h.AddClient("h264-subscriber");
  subH.offerH264 = true;
  subH.h264PayloadType = kSubscriberH264;  // another numbering than the publisher's
  subH.videoOrientationId = kSubscriberCvo;
  TestClient& subV = h.AddClient("vp8-subscriber");

  auto pa = h.Subscribe(pub, true, {});
  ASSERT_EQ(pa.status, 200u) << pa.description;
  auto pubAnswer = webrtc::sdp::SdpParser::Parse(pa.sdpAnswer);
  ASSERT_TRUE(pubAnswer);
  EXPECT_EQ(pubAnswer->media.at(1).direction, webrtc::sdp::Direction::SendRecv);
  EXPECT_EQ(pubAnswer->media.at(1).formats, (std::vector<std::string>{"96", "97", "108", "109"}));
  const uint32_t stream = pa.videoAllocations.at(0).streamId;
  ASSERT_EQ(h.Subscribe(subH, false, {stream}).status, 200u);
  ASSERT_EQ(h.Subscribe(subV, false, {stream}).status, 200u);
  auto subHAnswer = webrtc::sdp::SdpParser::Parse(subH.answer.sdpAnswer);
  ASSERT_TRUE(subHAnswer);
  EXPECT_EQ(subHAnswer->media.at(2).formats, (std::vector<std::string>{"96", "97", "102", "103"}));
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected && subH.connected && subV.connected; }));

  // H.264: a delta slice before the IDR is held back; from the IDR on it flows to the H.264
  // subscriber only, on its payload type 102, CVO under its id 7.
  SendH264(h, pub, 100, 2, false);
  SendH264(h, pub, 102, 10, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return subH.rtp.size() >= 10; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(subH.rtp.size(), 10u);
    for (auto& p : subH.rtp) {
      auto rtp = webrtc::rtp::RtpPacket::Parse(std::span(p));
      EXPECT_TRUE(rtp.has_value());
      if (!rtp) continue;
      EXPECT_EQ(rtp->PayloadType(), kSubscriberH264);
      const auto cvo = rtp->FindExtension(kSubscriberCvo);
      EXPECT_TRUE(cvo.has_value() && cvo->size() == 1 && (*cvo)[0] == 0x01);
      EXPECT_FALSE(rtp->HasExtensionId(kPublisherCvo));
    }
    auto first = webrtc::rtp::RtpPacket::Parse(std::span(subH.rtp[0]));
    EXPECT_TRUE(first && first->PayloadSize() >= 2);
    if (first && first->PayloadSize() >= 2) {
      EXPECT_EQ(first->Payload()[0] & 0x1F, 28);  // the FU-A of the IDR first
      EXPECT_EQ(first->Payload()[1], 0x85);
    }
    return 0;
  });
  EXPECT_GE(ServerStats(h).codecMismatch, 12u);  // every H.264 packet, for the VP8-only subscriber

  // The sender switches to VP8 on its SSRC (its SDK renegotiated after INDEX said [VP8]): a delta
  // first (nobody has a VP8 decoder state yet), then the key frame, which everyone gets.
  SendVp8(h, pub, 112, 1, false);
  SendVp8(h, pub, 113, 5, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return subV.rtp.size() >= 5 && subH.rtp.size() >= 15; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(subV.rtp.size(), 5u);
    for (const auto& p : subV.rtp) EXPECT_EQ(p[1] & 0x7F, kVp8);
    EXPECT_EQ(subV.rtp[0][13], 0x00);  // the VP8 key frame (P bit clear) first
    EXPECT_EQ(subH.rtp.size(), 15u);
    for (size_t i = 10; i < subH.rtp.size(); ++i) EXPECT_EQ(subH.rtp[i][1] & 0x7F, kVp8);
    // One continuous numbering over both codecs toward the subscriber that saw both.
    for (size_t i = 1; i < subH.rtp.size(); ++i)
      EXPECT_EQ(static_cast<uint16_t>(ReadU16(&subH.rtp[i - 1][2]) + 1), ReadU16(&subH.rtp[i][2])) << i;
    return 0;
  });
}

}  // namespace
}  // namespace medicall::media::router
