// The router end to end in one process, with the C++ client role over real ICE, DTLS and SRTP on
// 127.0.0.1: a publisher sends VP8-like RTP, a subscriber receives it on the SSRC of its tracks[]
// entry with continuous rewritten sequence numbers (also across a publisher switch on a recycled
// mid), a PLI from the subscriber reaches the publisher, a NACK is answered from the cache as RTX,
// the publisher gets receiver reports and REMB, and leaving stops the publisher.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "common/Logger.hpp"

#include "media/router/RouterHarness.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/srtp/SrtpProfile.hpp"

namespace medicall::media::router {
namespace {

using testing::OnWorker;
using testing::RouterHarness;
using testing::TestClient;
using testing::WaitFor;
using namespace std::chrono_literals;
constexpr uint8_t kVp8 = webrtc::sdp::OfferBuilder::kVp8Pt;
constexpr uint8_t kRtx = webrtc::sdp::OfferBuilder::kVp8RtxPt;

void SendVideo(RouterHarness& h, TestClient& c, uint16_t firstSeq, size_t count, bool keyframeFirst) {
  OnWorker(h.ClientWorker(), [&] {
    std::vector<uint8_t> buf(1500);
    for (size_t i = 0; i < count; ++i) {
      const auto seq = static_cast<uint16_t>(firstSeq + i);
      const size_t n =
          TestClient::Vp8Packet(kVp8, seq, 3000u * seq, c.videoSsrc, keyframeFirst && i == 0, 400, buf);
      EXPECT_TRUE(c.transport->SendRtp(buf, n));
    }
    return 0;
  });
}

bool HasPsfb(const std::vector<std::vector<uint8_t>>& rtcp, uint8_t fmt, uint32_t mediaSsrc) {
  for (const auto& p : rtcp) {
    for (size_t pos = 0; pos + 12 <= p.size();) {
      const size_t len = (ReadU16(&p[pos + 2]) + 1) * 4;
      if (p[pos + 1] == 206 && (p[pos] & 0x1F) == fmt && ReadU32(&p[pos + 8]) == mediaSsrc) return true;
      pos += len;
    }
  }
  return false;
}

std::vector<uint8_t> Feedback(uint8_t type, uint8_t fmt, uint32_t sender, uint32_t media,
                              std::vector<uint8_t> fci = {}) {
  std::vector<uint8_t> p(12 + fci.size() + webrtc::srtp::kSrtpMaxTrailerLength);
  p[0] = 0x80 | fmt;
  p[1] = type;
  WriteU16(&p[2], static_cast<uint16_t>((12 + fci.size()) / 4 - 1));
  WriteU32(&p[4], sender);
  WriteU32(&p[8], media);
  std::copy(fci.begin(), fci.end(), p.begin() + 12);
  return p;
}

TEST(RouterForwardingTest, ForwardsRewritesAndAnswersFeedback) {
  if (getenv("ROUTER_DEBUG")) log::SetLevel(log::Level::Debug);
  RouterHarness h;
  TestClient& pub = h.AddClient("publisher");
  TestClient& sub = h.AddClient("subscriber");
  auto pa = h.Subscribe(pub, true, {});
  ASSERT_EQ(pa.status, 200u) << pa.description;
  ASSERT_TRUE(pa.videoAllocation.has_value());
  const uint32_t stream = pa.videoAllocation->streamId;
  auto sa = h.Subscribe(sub, false, {stream});
  ASSERT_EQ(sa.status, 200u) << sa.description;
  ASSERT_EQ(sa.tracks.size(), 1u);
  EXPECT_EQ(sa.tracks[0].trackLabel, "v_2");
  const uint32_t outSsrc = sa.tracks[0].ssrc;
  auto answer = webrtc::sdp::SdpParser::Parse(sa.sdpAnswer);
  ASSERT_TRUE(answer.has_value());
  const uint32_t outRtxSsrc = answer->media.at(2).FindSsrcGroup("FID")->ssrcs.at(1);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected && sub.connected; }));

  // A new subscriber makes the router ask the publisher for a key frame promptly.
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return HasPsfb(pub.rtcp, 1, pub.videoSsrc); }));

  // Delta frames before the first key frame are held back; from the key frame on everything flows.
  SendVideo(h, pub, 100, 3, false);
  SendVideo(h, pub, 103, 20, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 20; }));
  std::this_thread::sleep_for(50ms);
  std::vector<uint16_t> seqs;
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(sub.rtp.size(), 20u);
    for (const auto& p : sub.rtp) {
      EXPECT_EQ(ReadU32(&p[8]), outSsrc);
      EXPECT_EQ(p[1] & 0x7F, kVp8);
      seqs.push_back(ReadU16(&p[2]));
    }
    // The first one is the key frame, payload intact.
    auto first = webrtc::rtp::RtpPacket::Parse(std::span(sub.rtp[0]));
    EXPECT_TRUE(first.has_value());
    if (first) {
      EXPECT_EQ(first->PayloadSize(), 400u);
      EXPECT_EQ(first->Payload()[4], 0x9d);
    }
    return 0;
  });
  for (size_t i = 1; i < seqs.size(); ++i) EXPECT_EQ(static_cast<uint16_t>(seqs[i - 1] + 1), seqs[i]);

  // PLI from the subscriber about our SSRC -> PLI to the publisher's camera SSRC (after the throttle
  // interval).
  std::this_thread::sleep_for(350ms);
  OnWorker(h.ClientWorker(), [&] {
    pub.rtcp.clear();
    auto pli = Feedback(206, 1, sub.videoSsrc, outSsrc);
    EXPECT_TRUE(sub.transport->SendRtcp(pli, pli.size() - webrtc::srtp::kSrtpMaxTrailerLength));
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return HasPsfb(pub.rtcp, 1, pub.videoSsrc); }));

  // NACK for the 6th packet the subscriber got -> RTX on our RTX SSRC with OSN = that sequence number.
  const uint16_t lost = seqs.at(5);
  OnWorker(h.ClientWorker(), [&] {
    sub.rtp.clear();
    std::vector<uint8_t> fci(4);
    WriteU16(&fci[0], lost);
    WriteU16(&fci[2], 0);
    auto nack = Feedback(205, 1, sub.videoSsrc, outSsrc, fci);
    EXPECT_TRUE(sub.transport->SendRtcp(nack, nack.size() - webrtc::srtp::kSrtpMaxTrailerLength));
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return !sub.rtp.empty(); }));
  OnWorker(h.ClientWorker(), [&] {
    const auto& p = sub.rtp.at(0);
    EXPECT_EQ(ReadU32(&p[8]), outRtxSsrc);
    EXPECT_EQ(p[1] & 0x7F, kRtx);
    auto rtx = webrtc::rtp::RtpPacket::Parse(std::span(const_cast<uint8_t*>(p.data()), p.size()));
    EXPECT_TRUE(rtx.has_value());
    if (rtx) {
      EXPECT_EQ(ReadU16(rtx->Payload().data()), lost);  // OSN
      EXPECT_EQ(rtx->PayloadSize(), 402u);
      // Original payload of publisher seq 108: bytes after the VP8 header encode the sequence number.
      EXPECT_EQ(rtx->Payload()[2 + 10], static_cast<uint8_t>(108 + 10));
    }
    return 0;
  });
  auto stats = OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
  EXPECT_EQ(stats.videoIn, 23u);
  EXPECT_EQ(stats.forwarded, 20u);
  EXPECT_EQ(stats.retransmitted, 1u);
  EXPECT_GE(stats.keyframeRequests, 2u);

  // Receiver report + REMB reach the publisher within about a second.
  ASSERT_TRUE(WaitFor(
      h.ClientWorker(),
      [&] {
        for (const auto& p : pub.rtcp) {
          if (p.size() >= 8 && p[1] == 201 && (p[0] & 0x1F) == 1 && p.size() >= 32 &&
              ReadU32(&p[8]) == pub.videoSsrc) {
            const size_t rrLen = (ReadU16(&p[2]) + 1) * 4;
            if (p.size() > rrLen) {
              auto remb = webrtc::rtcp::Remb::Parse(std::span(p).subspan(rrLen));
              if (remb && remb->bitrate > 1'000'000 && remb->bitrate <= 1'500'000) return true;
            }
          }
        }
        return false;
      },
      3000ms));
  // And the subscriber gets sender reports about the stream we send it.
  ASSERT_TRUE(WaitFor(
      h.ClientWorker(),
      [&] {
        for (const auto& p : sub.rtcp) {
          if (p.size() >= 28 && p[1] == 200 && ReadU32(&p[4]) == outSsrc && ReadU32(&p[20]) >= 20)
            return true;
        }
        return false;
      },
      3000ms));
}

TEST(RouterForwardingTest, RecycledMidStaysContinuousAndLeavingStopsThePublisher) {
  RouterHarness h;
  TestClient& a = h.AddClient("a");
  TestClient& b = h.AddClient("b");
  TestClient& sub = h.AddClient("s");
  const uint32_t streamA = h.Subscribe(a, true, {}).videoAllocation->streamId;
  const uint32_t streamB = h.Subscribe(b, true, {}).videoAllocation->streamId;
  EXPECT_GT(streamB, streamA);
  auto first = h.Subscribe(sub, false, {streamA});
  ASSERT_EQ(first.tracks.size(), 1u);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return a.connected && b.connected && sub.connected; }));
  SendVideo(h, a, 5000, 10, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 10; }));
  const uint16_t lastFromA = OnWorker(h.ClientWorker(), [&] { return ReadU16(&sub.rtp.back()[2]); });

  // INDEX changed: the subscriber recycles mid 2 for B's stream. Same SSRC, sequence continues.
  auto second = h.Subscribe(sub, false, {streamB});
  ASSERT_EQ(second.tracks.size(), 1u);
  EXPECT_EQ(second.tracks[0].ssrc, first.tracks[0].ssrc);
  EXPECT_EQ(second.tracks[0].streamId, streamB);
  SendVideo(h, a, 5010, 5, false);  // A is no longer forwarded to this mid
  SendVideo(h, b, 60000, 5, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 15; }));
  std::this_thread::sleep_for(50ms);
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(sub.rtp.size(), 15u);
    for (size_t i = 10; i < sub.rtp.size(); ++i) {
      EXPECT_EQ(ReadU32(&sub.rtp[i][8]), first.tracks[0].ssrc);
      EXPECT_EQ(ReadU16(&sub.rtp[i][2]), static_cast<uint16_t>(lastFromA + 1 + (i - 10)));
    }
    return 0;
  });

  // B leaves: its publisher stops and INDEX must be re-sent.
  const int before = OnWorker(h.serverWorker, [&] { return h.listener.sourcesChanged; });
  OnWorker(h.serverWorker, [&] {
    h.router->RemoveAttendee("b");
    return 0;
  });
  auto sources = OnWorker(h.serverWorker, [&] { return h.router->Sources(); });
  ASSERT_EQ(sources.size(), 1u);
  EXPECT_EQ(sources[0].streamId, streamA);
  EXPECT_TRUE(WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged > before; }));
  EXPECT_TRUE(h.listener.dropped.empty());
}

TEST(RouterForwardingTest, AudioGoesToTheSinkAndSendAudioUsesOurSsrc) {
  struct Sink : Router::AudioSink {
    void OnAudioRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& p) override {
      from.push_back(attendeeId);
      sizes.push_back(p.PayloadSize());
    }
    std::vector<std::string> from;
    std::vector<size_t> sizes;
  } sink;
  RouterHarness h;
  OnWorker(h.serverWorker, [&] {
    h.router->SetAudioSink(&sink);
    return 0;
  });
  TestClient& c = h.AddClient("talker");
  auto a = h.Subscribe(c, false, {});
  ASSERT_EQ(a.status, 200u);
  auto answer = webrtc::sdp::SdpParser::Parse(a.sdpAnswer);
  const uint32_t ourAudio = answer->media.at(0).ssrcs.at(0).ssrc;
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return c.connected; }));
  OnWorker(h.ClientWorker(), [&] {
    std::vector<uint8_t> p(12 + 60 + webrtc::srtp::kSrtpMaxTrailerLength);
    p[0] = 0x80;
    p[1] = webrtc::sdp::OfferBuilder::kOpusPt;
    WriteU32(&p[8], c.audioSsrc);
    EXPECT_TRUE(c.transport->SendRtp(p, 72));
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] { return !sink.from.empty(); }));
  EXPECT_EQ(sink.from[0], "talker");
  EXPECT_EQ(sink.sizes[0], 60u);
  const std::vector<uint8_t> opus(30, 0xAB);
  EXPECT_TRUE(OnWorker(h.serverWorker, [&] { return h.router->SendAudio("talker", opus, 960, true); }));
  EXPECT_FALSE(OnWorker(h.serverWorker, [&] { return h.router->SendAudio("nobody", opus, 960, true); }));
  // What a mixer needs to build its own packets.
  const auto params = OnWorker(h.serverWorker, [&] { return h.router->GetAudioParams("talker"); });
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->ssrc, ourAudio);
  EXPECT_EQ(params->payloadType, webrtc::sdp::OfferBuilder::kOpusPt);
  EXPECT_EQ(params->mid, "0");
  EXPECT_EQ(params->midExtensionId, 4);
  EXPECT_EQ(params->audioLevelExtensionId, 1);
  EXPECT_FALSE(OnWorker(h.serverWorker, [&] { return h.router->GetAudioParams("nobody").has_value(); }));
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return !c.rtp.empty(); }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(ReadU32(&c.rtp[0][8]), ourAudio);
    EXPECT_EQ(c.rtp[0][1] & 0x7F, webrtc::sdp::OfferBuilder::kOpusPt);
    return 0;
  });
  // A complete packet built elsewhere (the mixer) goes out encrypted as it is.
  OnWorker(h.serverWorker, [&] {
    std::vector<uint8_t> p(12 + 20 + webrtc::srtp::kSrtpMaxTrailerLength);
    p[0] = 0x80;
    p[1] = webrtc::sdp::OfferBuilder::kOpusPt;
    WriteU16(&p[2], 77);
    WriteU32(&p[8], ourAudio);
    EXPECT_TRUE(h.router->SendRtpTo("talker", p, 32));
    EXPECT_FALSE(h.router->SendRtpTo("nobody", p, 32));
    std::vector<uint8_t> bye(8 + webrtc::srtp::kSrtpMaxTrailerLength);
    bye[0] = 0x81;
    bye[1] = 203;
    WriteU16(&bye[2], 1);
    WriteU32(&bye[4], ourAudio);
    EXPECT_TRUE(h.router->SendRtcpTo("talker", bye, 8));
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] {
    return c.rtp.size() >= 2 && ReadU16(&c.rtp[1][2]) == 77 &&
           std::any_of(c.rtcp.begin(), c.rtcp.end(),
                       [](const auto& r) { return r.size() >= 2 && r[1] == 203; });
  }));
}

}  // namespace
}  // namespace medicall::media::router

namespace medicall::media::router {
namespace {

TEST(RouterForwardingTest, ATransportClosedByThePeerIsADrop) {
  RouterHarness h;
  TestClient& a = h.AddClient("leaver");
  TestClient& b = h.AddClient("stayer");
  const uint32_t stream = h.Subscribe(a, true, {}).videoAllocation->streamId;
  ASSERT_EQ(h.Subscribe(b, false, {stream}).tracks.size(), 1u);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return a.connected && b.connected; }));
  const int before = OnWorker(h.serverWorker, [&] { return h.listener.sourcesChanged; });
  OnWorker(h.ClientWorker(), [&] {
    a.transport->Close();  // DTLS close_notify: the server transport closes (RemoteClosed)
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] { return !h.listener.dropped.empty(); }));
  EXPECT_EQ(h.listener.dropped, (std::vector<std::string>{"leaver"}));
  EXPECT_TRUE(OnWorker(h.serverWorker, [&] { return h.router->Sources().empty(); }));
  EXPECT_TRUE(WaitFor(h.serverWorker, [&] { return h.listener.sourcesChanged > before; }));
  // The attendee can come back with a new peer connection.
  TestClient& again = h.AddClient("leaver");
  auto answer = h.Subscribe(again, true, {});
  ASSERT_EQ(answer.status, 200u);
  EXPECT_GT(answer.videoAllocation->streamId, stream);
  EXPECT_TRUE(WaitFor(h.ClientWorker(), [&] { return again.connected; }));
}

}  // namespace
}  // namespace medicall::media::router

namespace medicall::media::router {
namespace {

TEST(RouterForwardingTest, UpstreamLossIsNackedAndTheRtxRepairForwarded) {
  RouterHarness h;
  TestClient& pub = h.AddClient("pub");
  TestClient& sub = h.AddClient("sub");
  const uint32_t stream = h.Subscribe(pub, true, {}).videoAllocation->streamId;
  ASSERT_EQ(h.Subscribe(sub, false, {stream}).tracks.size(), 1u);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected && sub.connected; }));
  SendVideo(h, pub, 100, 5, true);   // 100..104
  SendVideo(h, pub, 106, 5, false);  // 106..110: 105 lost on the way in
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 10; }));
  // The router asks the publisher for 105.
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] {
    for (const auto& p : pub.rtcp) {
      if (p.size() >= 16 && p[1] == 205 && (p[0] & 0x1F) == 1 && ReadU32(&p[8]) == pub.videoSsrc &&
          ReadU16(&p[12]) == 105) {
        return true;
      }
    }
    return false;
  }));
  const uint16_t outFirst = OnWorker(h.ClientWorker(), [&] { return ReadU16(&sub.rtp[0][2]); });
  // The publisher answers with RTX (twice: the second copy is a duplicate and goes nowhere).
  OnWorker(h.ClientWorker(), [&] {
    std::vector<uint8_t> original(1500), rtx(1500);
    const size_t n = TestClient::Vp8Packet(kVp8, 105, 3000u * 105, pub.videoSsrc, false, 400, original);
    auto view = webrtc::rtp::RtpPacket::Parse(std::span(original).first(n));
    EXPECT_TRUE(view.has_value());
    for (uint16_t rtxSeq = 1; rtxSeq <= 2; ++rtxSeq) {
      const size_t m = webrtc::rtp::Rtx::Encapsulate(*view, kRtx, pub.rtxSsrc, rtxSeq, rtx);
      EXPECT_GT(m, 0u);
      EXPECT_TRUE(pub.transport->SendRtp(rtx, m));
    }
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 11; }));
  std::this_thread::sleep_for(50ms);
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(sub.rtp.size(), 11u);
    const auto& repaired = sub.rtp.back();
    EXPECT_EQ(ReadU16(&repaired[2]), static_cast<uint16_t>(outFirst + 5));
    EXPECT_EQ(repaired[1] & 0x7F, kVp8);
    EXPECT_EQ(repaired.size(), 412u);
    EXPECT_EQ(repaired[12 + 10], static_cast<uint8_t>(105 + 10));
    return 0;
  });
  auto stats = OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
  EXPECT_GE(stats.upstreamNacks, 1u);
  EXPECT_EQ(stats.videoIn, 11u);
}

}  // namespace
}  // namespace medicall::media::router
