// The router end to end in one process, with the C++ client role over real ICE, DTLS and SRTP on
// 127.0.0.1: a publisher sends VP8-like RTP, a subscriber receives it on the SSRC of its tracks[]
// entry with continuous rewritten sequence numbers (also across a publisher switch on a recycled
// mid), a PLI from the subscriber reaches the publisher, a NACK is answered from the cache as RTX,
// the publisher gets receiver reports and a REMB of its maximum (transport-cc), and leaving stops the
// publisher. The router runs on the harness's ManualClock: throttles and reports move when a test advances
// it, never by sleeping. "Nothing else arrived" is checked with a barrier: one more packet sent after the
// ones that must not come through; once it arrived, everything sent before it was handled.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "common/Logger.hpp"

#include "media/router/MeetingRouter.hpp"
#include "media/router/Publisher.hpp"
#include "media/router/Retransmitter.hpp"
#include "media/router/RouterHarness.hpp"
#include "common/Ntp.hpp"
#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/sdp/SdpParser.hpp"
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

void SendVideo(RouterHarness& h, TestClient& c, uint16_t firstSeq, size_t count, bool keyframeFirst,
               uint32_t ssrc = 0, size_t payload = 400) {
  OnWorker(h.ClientWorker(), [&] {
    std::vector<uint8_t> buf(1500);
    for (size_t i = 0; i < count; ++i) {
      const auto seq = static_cast<uint16_t>(firstSeq + i);
      const size_t n = TestClient::Vp8Packet(kVp8, seq, 3000u * seq, ssrc != 0 ? ssrc : c.videoSsrc,
                                             keyframeFirst && i == 0, payload, buf);
      EXPECT_TRUE(c.transport->SendRtp(buf, n));
    }
    return 0;
  });
}

Router::Stats ServerStats(RouterHarness& h) {
  return OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
}

// Number of PSFB packets of type fmt about mediaSsrc.
size_t CountPsfb(const std::vector<std::vector<uint8_t>>& rtcp, uint8_t fmt, uint32_t mediaSsrc) {
  size_t count = 0;
  for (const auto& p : rtcp) {
    for (size_t pos = 0; pos + 12 <= p.size();) {
      const size_t len = (ReadU16(&p[pos + 2]) + 1) * 4;
      if (p[pos + 1] == 206 && (p[pos] & 0x1F) == fmt && ReadU32(&p[pos + 8]) == mediaSsrc) ++count;
      pos += len;
    }
  }
  return count;
}

bool HasPsfb(const std::vector<std::vector<uint8_t>>& rtcp, uint8_t fmt, uint32_t mediaSsrc) {
  return CountPsfb(rtcp, fmt, mediaSsrc) > 0;
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

// A receiver report (RFC 3550 section 6.4.2) with these blocks, with room for the SRTCP trailer.
std::vector<uint8_t> ReceiverReportFrom(uint32_t sender,
                                        std::initializer_list<webrtc::rtcp::ReportBlock> blocks) {
  webrtc::rtcp::ReceiverReport rr;
  rr.senderSsrc = sender;
  for (const auto& b : blocks) EXPECT_TRUE(rr.AddBlock(b));
  std::vector<uint8_t> p(rr.SerializedSize() + webrtc::srtp::kSrtpMaxTrailerLength);
  EXPECT_EQ(rr.Serialize(p), rr.SerializedSize());
  return p;
}

TEST(RouterForwardingTest, ForwardsRewritesAndAnswersFeedback) {
  if (getenv("ROUTER_DEBUG")) log::SetLevel(log::Level::Debug);
  RouterHarness h;
  TestClient& pub = h.AddClient("publisher");
  TestClient& sub = h.AddClient("subscriber");
  auto pa = h.Subscribe(pub, true, {});
  ASSERT_EQ(pa.status, 200u) << pa.description;
  ASSERT_FALSE(pa.videoAllocations.empty());
  const uint32_t stream = pa.videoAllocations.at(0).streamId;
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
  SendVideo(h, pub, 123, 1, false);  // barrier
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 21; }));
  std::vector<uint16_t> seqs;
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(sub.rtp.size(), 21u);
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
  h.clock.AdvanceMs(Publisher::kKeyframeIntervalMs);
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
  EXPECT_EQ(stats.videoIn, 24u);
  EXPECT_EQ(stats.forwarded, 21u);
  EXPECT_EQ(stats.retransmitted, 1u);
  EXPECT_GE(stats.keyframeRequests, 2u);

  // A receiver report reaches the publisher once a report interval has passed, with a REMB of its
  // SUBSCRIBE maximum only: the offer has transport-cc, the publisher estimates from our feedback.
  h.clock.AdvanceMs(MeetingRouter::kReportIntervalMs);
  ASSERT_TRUE(WaitFor(
      h.ClientWorker(),
      [&] {
        for (const auto& p : pub.rtcp) {
          if (p.size() >= 32 && p[1] == 201 && (p[0] & 0x1F) == 1 && ReadU32(&p[8]) == pub.videoSsrc) {
            const size_t rrLen = (ReadU16(&p[2]) + 1) * 4;
            auto remb =
                p.size() > rrLen ? webrtc::rtcp::Remb::Parse(std::span(p).subspan(rrLen)) : std::nullopt;
            EXPECT_TRUE(remb && remb->bitrate == 1'500'000);
            return true;
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
  const uint32_t streamA = h.Subscribe(a, true, {}).videoAllocations.at(0).streamId;
  const uint32_t streamB = h.Subscribe(b, true, {}).videoAllocations.at(0).streamId;
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
  SendVideo(h, a, 5015, 1, false);  // barrier for A: B's packets came after it on another socket
  SendVideo(h, b, 60005, 1, false);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 16; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(sub.rtp.size(), 16u);
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

// Audio the mixer builds goes out as it is: MeetingAudio numbers its packets and the router adds no
// numbering of its own on the same SSRC (it used to have a second counter, Router::SendAudio).
TEST(RouterForwardingTest, AudioGoesToTheSinkAndTheMixersPacketsKeepTheirNumbers) {
  struct Sink : Router::AudioSink {
    void OnAudioRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& p, int64_t) override {
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
  // What a mixer needs to build its own packets.
  const auto params = OnWorker(h.serverWorker, [&] { return h.router->GetAudioParams("talker"); });
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->ssrc, ourAudio);
  EXPECT_EQ(params->payloadType, webrtc::sdp::OfferBuilder::kOpusPt);
  EXPECT_EQ(params->mid, "0");
  EXPECT_EQ(params->midExtensionId, 4);
  EXPECT_EQ(params->audioLevelExtensionId, 1);
  EXPECT_FALSE(OnWorker(h.serverWorker, [&] { return h.router->GetAudioParams("nobody").has_value(); }));
  // Complete packets built elsewhere (the mixer) go out encrypted as they are, numbers included.
  OnWorker(h.serverWorker, [&] {
    for (uint16_t seq : {uint16_t{77}, uint16_t{78}, uint16_t{80}}) {
      std::vector<uint8_t> p(12 + 20 + webrtc::srtp::kSrtpMaxTrailerLength);
      p[0] = 0x80;
      p[1] = webrtc::sdp::OfferBuilder::kOpusPt;
      WriteU16(&p[2], seq);
      WriteU32(&p[8], ourAudio);
      EXPECT_TRUE(h.router->SendRtpTo("talker", p, 32));
      EXPECT_FALSE(h.router->SendRtpTo("nobody", p, 32));
    }
    std::vector<uint8_t> bye(8 + webrtc::srtp::kSrtpMaxTrailerLength);
    bye[0] = 0x81;
    bye[1] = 203;
    WriteU16(&bye[2], 1);
    WriteU32(&bye[4], ourAudio);
    EXPECT_TRUE(h.router->SendRtcpTo("talker", bye, 8));
    return 0;
  });
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] {
    return c.rtp.size() >= 3 && std::any_of(c.rtcp.begin(), c.rtcp.end(),
                                            [](const auto& r) { return r.size() >= 2 && r[1] == 203; });
  }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(c.rtp.size(), 3u);
    if (c.rtp.size() < 3) return 0;
    EXPECT_EQ(ReadU16(&c.rtp[0][2]), 77);
    EXPECT_EQ(ReadU16(&c.rtp[1][2]), 78);
    EXPECT_EQ(ReadU16(&c.rtp[2][2]), 80);
    for (const auto& p : c.rtp) {
      EXPECT_EQ(ReadU32(&p[8]), ourAudio);
      EXPECT_EQ(p[1] & 0x7F, webrtc::sdp::OfferBuilder::kOpusPt);
    }
    return 0;
  });
}

}  // namespace
}  // namespace medicall::media::router

namespace medicall::media::router {
namespace {

TEST(RouterForwardingTest, ATransportClosedByThePeerIsADrop) {
  RouterHarness h;
  TestClient& a = h.AddClient("leaver");
  TestClient& b = h.AddClient("stayer");
  const uint32_t stream = h.Subscribe(a, true, {}).videoAllocations.at(0).streamId;
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
  EXPECT_GT(answer.videoAllocations.at(0).streamId, stream);
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
  const uint32_t stream = h.Subscribe(pub, true, {}).videoAllocations.at(0).streamId;
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
  SendVideo(h, pub, 111, 1, false);  // barrier (after both RTX copies, same socket)
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= 12; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(sub.rtp.size(), 12u);
    const auto& repaired = sub.rtp.at(10);
    EXPECT_EQ(ReadU16(&repaired[2]), static_cast<uint16_t>(outFirst + 5));
    EXPECT_EQ(repaired[1] & 0x7F, kVp8);
    EXPECT_EQ(repaired.size(), 412u);
    EXPECT_EQ(repaired[12 + 10], static_cast<uint8_t>(105 + 10));
    return 0;
  });
  auto stats = OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
  EXPECT_GE(stats.upstreamNacks, 1u);
  EXPECT_EQ(stats.videoIn, 12u);
}

}  // namespace
}  // namespace medicall::media::router

namespace medicall::media::router {
namespace {

// A publisher and a subscriber, connected, with `count` packets (the first a key frame) forwarded.
struct Call {
  explicit Call(RouterHarness& harness, uint16_t firstSeq = 100, size_t count = 30, size_t payload = 400)
      : h(harness), pub(h.AddClient("pub")), sub(h.AddClient("sub")) {
    const auto pa = h.Subscribe(pub, true, {});
    EXPECT_EQ(pa.status, 200u) << pa.description;
    stream = pa.videoAllocations.empty() ? 0 : pa.videoAllocations[0].streamId;
    const auto sa = h.Subscribe(sub, false, {stream});
    EXPECT_EQ(sa.tracks.size(), 1u);
    if (auto answer = webrtc::sdp::SdpParser::Parse(sa.sdpAnswer)) {
      for (const auto& m : answer->media) {
        const auto* e = m.FindExtmap(webrtc::sdp::uri::kMid);
        if (m.media == "video" && e != nullptr) {
          subMidId = static_cast<uint8_t>(e->id);
          subMid = m.mid;
        }
      }
    }
    outSsrc = sa.tracks.empty() ? 0 : sa.tracks[0].ssrc;
    EXPECT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected && sub.connected; }));
    // In bursts of 20: the clients share the server's worker, so a burst sits in the socket buffer.
    for (size_t sent = 0; sent < count; sent += 20) {
      const size_t n = std::min<size_t>(20, count - sent);
      SendVideo(h, pub, static_cast<uint16_t>(firstSeq + sent), n, sent == 0, 0, payload);
      EXPECT_TRUE(WaitFor(h.ClientWorker(), [&] { return sub.rtp.size() >= sent + n; }));
    }
    OnWorker(h.ClientWorker(), [&] {
      for (const auto& p : sub.rtp) seqs.push_back(ReadU16(&p[2]));
      sub.rtp.clear();
      return 0;
    });
  }
  uint8_t subMidId = 0;  // the subscriber's MID extension id and its video mid (from the answer)
  std::string subMid;
  // Moves the clock one report interval on and waits for the sender report about our stream that this
  // makes the router send; its NTP time (0 when none came).
  uint64_t NextSenderReport() {
    h.clock.AdvanceMs(MeetingRouter::kReportIntervalMs);
    // The latest SR (one from before the clock moved may be among them).
    const uint64_t wanted = ntp::FromUnixUs(h.clock.WallNowUs());
    uint64_t srNtp = 0;
    const bool arrived = WaitFor(h.ClientWorker(), [&] {
      for (const auto& p : sub.rtcp) {
        for (size_t pos = 0; pos + 28 <= p.size(); pos += (ReadU16(&p[pos + 2]) + 1) * 4) {
          if (p[pos + 1] == 200 && ReadU32(&p[pos + 4]) == outSsrc) {
            const uint64_t ntp = (static_cast<uint64_t>(ReadU32(&p[pos + 8])) << 32) | ReadU32(&p[pos + 12]);
            if (ntp >= srNtp) srRtp = ReadU32(&p[pos + 16]);
            srNtp = std::max(srNtp, ntp);
          }
        }
      }
      return srNtp == wanted;
    });
    return arrived ? srNtp : 0;
  }
  void SendFromSubscriber(std::vector<uint8_t> packet) {
    OnWorker(h.ClientWorker(), [&] {
      EXPECT_TRUE(sub.transport->SendRtcp(packet, packet.size() - webrtc::srtp::kSrtpMaxTrailerLength));
      return 0;
    });
  }
  // A NACK with the given (PID, BLP) items about our stream.
  void Nack(const std::vector<std::pair<uint16_t, uint16_t>>& items) {
    std::vector<uint8_t> fci(4 * items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      WriteU16(&fci[4 * i], items[i].first);
      WriteU16(&fci[4 * i + 2], items[i].second);
    }
    SendFromSubscriber(Feedback(205, 1, sub.videoSsrc, outSsrc, fci));
  }
  // Waits until the router has looked at `named` more NACKed numbers than `before` had.
  bool WaitForNackHandled(const Router::Stats& before, uint64_t named) {
    return WaitFor(h.serverWorker, [&] {
      const auto s = h.router->GetStats();
      const uint64_t seen = s.retransmitted + s.nackMisses + s.nackSuppressed + s.nackOverBudget;
      return seen -
                 (before.retransmitted + before.nackMisses + before.nackSuppressed + before.nackOverBudget) >=
             named;
    });
  }

  RouterHarness& h;
  TestClient& pub;
  TestClient& sub;
  uint32_t stream = 0;
  uint32_t outSsrc = 0;
  std::vector<uint16_t> seqs;  // output sequence numbers of the packets forwarded
  uint32_t srRtp = 0;          // RTP timestamp of the sender report NextSenderReport found
};

// Issue 9 item 2: one SRTCP datagram used to trigger a retransmission for every PID/BLP entry.
TEST(RouterForwardingTest, ANackNamingTheSame17Packets300TimesYieldsAtMost17Retransmissions) {
  RouterHarness h;
  Call call(h);
  const auto before = ServerStats(h);
  std::vector<std::pair<uint16_t, uint16_t>> items(300, {call.seqs.at(2), 0xFFFF});  // PID + 16 = 17 packets
  call.Nack(items);
  ASSERT_TRUE(call.WaitForNackHandled(before, 300 * 17));
  auto after = ServerStats(h);
  EXPECT_EQ(after.retransmitted - before.retransmitted, 17u);
  EXPECT_EQ(after.nackSuppressed - before.nackSuppressed, 300u * 17 - 17);
  // 300 more NACKs of the same packets at once (no time passed, less than one RTT): nothing more.
  for (int i = 0; i < 300; ++i) call.Nack({{call.seqs.at(2), 0xFFFF}});
  ASSERT_TRUE(call.WaitForNackHandled(after, 300 * 17));
  EXPECT_EQ(ServerStats(h).retransmitted - before.retransmitted, 17u);
  // What arrived: 17 RTX packets, each original once, each with the subscriber's MID (Firefox passes a
  // packet without one only from an SSRC it has seen with one; the originals carried none).
  std::vector<uint16_t> osns;
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 17; }));
  ASSERT_NE(call.subMidId, 0);
  OnWorker(h.ClientWorker(), [&] {
    for (auto& p : call.sub.rtp) {
      auto rtp = webrtc::rtp::RtpPacket::Parse(std::span(p));
      EXPECT_TRUE(rtp && rtp->Payload().size() >= 2);
      if (!rtp || rtp->Payload().size() < 2) continue;
      osns.push_back(ReadU16(rtp->Payload().data()));
      EXPECT_EQ(rtp->GetMid(call.subMidId), std::optional<std::string_view>(call.subMid));
    }
    return 0;
  });
  std::sort(osns.begin(), osns.end());
  EXPECT_EQ(std::adjacent_find(osns.begin(), osns.end()), osns.end());
  EXPECT_EQ(osns.size(), 17u);
}

TEST(RouterForwardingTest, ANackWithinOneRttOfTheResendIsNotAnswered) {
  RouterHarness h;
  Call call(h);
  // Our sender report about the stream, then the subscriber's receiver report about it: it took 300 ms
  // to come back and waited 100 ms before it left, so the round trip is 200 ms.
  const uint64_t srNtp = call.NextSenderReport();
  ASSERT_NE(srNtp, 0u);
  h.clock.AdvanceMs(300);
  webrtc::rtcp::ReportBlock block;
  block.ssrc = call.outSsrc;
  block.lastSr = ntp::Compact(srNtp);
  block.delaySinceLastSr = ntp::UsToCompact(100'000);
  call.SendFromSubscriber(ReceiverReportFrom(call.sub.videoSsrc, {block}));

  // Fresh packets (the cache keeps a second of them; the clock moved on).
  SendVideo(h, call.pub, 130, 5, false);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 5; }));
  const uint16_t lost = static_cast<uint16_t>(call.seqs.back() + 2);
  auto before = ServerStats(h);
  call.Nack({{lost, 0}});
  ASSERT_TRUE(call.WaitForNackHandled(before, 1));
  h.clock.AdvanceMs(150);  // more than the default RTT (100 ms), less than the measured one
  call.Nack({{lost, 0}});
  ASSERT_TRUE(call.WaitForNackHandled(before, 2));
  h.clock.AdvanceMs(100);  // 250 ms since the resend: a round trip passed, it was lost again
  call.Nack({{lost, 0}});
  ASSERT_TRUE(call.WaitForNackHandled(before, 3));
  const auto after = ServerStats(h);
  EXPECT_EQ(after.retransmitted - before.retransmitted, 2u);
  EXPECT_EQ(after.nackSuppressed - before.nackSuppressed, 1u);
}

// Issue 11, lip sync: a forwarded stream's sender report maps the newest frame's timestamp to when
// that frame reached us (the clock of the mix's reports), not to when some packet last left.
TEST(RouterForwardingTest, SenderReportMapsTheNewestFrameToItsArrival) {
  RouterHarness h;
  Call call(h);  // frames 100..129 (timestamp 3000 * seq), all arrived now
  SendVideo(h, call.pub, 131, 1, false);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 1; }));
  const uint32_t newest = OnWorker(h.ClientWorker(), [&] { return ReadU32(&call.sub.rtp[0][4]); });
  // 400 ms later the packet of the older frame 130 comes (reordered); it is forwarded ...
  h.clock.AdvanceMs(400);
  SendVideo(h, call.pub, 130, 1, false);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 2; }));
  EXPECT_EQ(OnWorker(h.ClientWorker(), [&] { return ReadU32(&call.sub.rtp[1][4]); }), newest - 3000);
  // ... but the mapping stays with frame 131 and its arrival.
  ASSERT_NE(call.NextSenderReport(), 0u);
  const int64_t sinceArrivalMs = 400 + MeetingRouter::kReportIntervalMs;
  const auto expected = static_cast<uint32_t>(newest + sinceArrivalMs * 90);
  EXPECT_NEAR(static_cast<double>(static_cast<int32_t>(call.srRtp - expected)), 0.0, 2 * 90.0);
}

// Issue 16: the server's view of each attendee's downlink comes from the RTCP it sends as a receiver:
// its report blocks about the video we forward it and the mixed audio (loss, jitter, RTT against our
// SR), the NACKs and PLIs it sent about our streams and what we resent.
TEST(RouterForwardingTest, DownlinkViewsTellWhatEachSubscribersRtcpSaid) {
  RouterHarness h;
  Call call(h);
  auto before = ServerStats(h);
  call.Nack({{call.seqs.at(3), 0}});
  ASSERT_TRUE(call.WaitForNackHandled(before, 1));
  call.SendFromSubscriber(Feedback(206, 1, call.sub.videoSsrc, call.outSsrc));
  call.SendFromSubscriber(Feedback(206, 1, call.sub.videoSsrc, 0xDEADBEEF));  // not ours: not counted
  ASSERT_TRUE(
      WaitFor(h.serverWorker, [&] { return h.router->GetStats().keyframeAsks >= before.keyframeAsks + 2; }));

  const uint64_t srNtp = call.NextSenderReport();
  ASSERT_NE(srNtp, 0u);
  h.clock.AdvanceMs(300);
  const uint32_t audioSsrc = OnWorker(h.serverWorker, [&] { return h.router->GetAudioParams("sub")->ssrc; });
  webrtc::rtcp::ReportBlock video;
  video.ssrc = call.outSsrc;
  video.fractionLost = 23;  // 9%
  video.cumulativeLost = 3;
  video.extendedHighestSeq = call.seqs.back();
  video.jitter = 1800;  // 20 ms at 90 kHz
  video.lastSr = ntp::Compact(srNtp);
  video.delaySinceLastSr = ntp::UsToCompact(100'000);
  webrtc::rtcp::ReportBlock audio;
  audio.ssrc = audioSsrc;
  audio.fractionLost = 5;
  audio.jitter = 480;  // 10 ms at 48 kHz; no SR of the mixer in this harness: no LSR
  webrtc::rtcp::ReportBlock foreign = video;
  foreign.ssrc = 0x12345678;  // no stream of ours
  foreign.fractionLost = 255;
  call.SendFromSubscriber(ReceiverReportFrom(call.sub.videoSsrc, {video, audio, foreign}));
  const auto viewOf = [&](const std::string& id) {
    return OnWorker(h.serverWorker, [&] {
      for (auto& v : h.router->DownlinkViews())
        if (v.attendeeId == id) return v;
      return DownlinkView{};
    });
  };
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] {
    for (const auto& v : h.router->DownlinkViews())
      if (v.attendeeId == "sub" && v.streams.size() == 2) return true;
    return false;
  }));

  const DownlinkView sub = viewOf("sub");
  ASSERT_EQ(sub.streams.size(), 2u);
  EXPECT_TRUE(sub.streams[0].audio);
  EXPECT_EQ(sub.streams[0].ssrc, audioSsrc);
  EXPECT_NEAR(sub.streams[0].jitterMs, 10.0, 1e-9);
  EXPECT_FALSE(sub.streams[0].rttMs);
  EXPECT_FALSE(sub.streams[1].audio);
  EXPECT_EQ(sub.streams[1].ssrc, call.outSsrc);
  EXPECT_EQ(sub.streams[1].cumulativeLost, 3);
  EXPECT_EQ(sub.streams[1].extendedHighestSeq, call.seqs.back());
  ASSERT_TRUE(sub.lossPct && sub.jitterMs && sub.rttMs);
  EXPECT_NEAR(*sub.lossPct, 23 * 100.0 / 256, 1e-9);  // the worst stream
  EXPECT_NEAR(*sub.jitterMs, 20.0, 1e-9);
  EXPECT_NEAR(*sub.rttMs, 200.0, 0.1);
  EXPECT_EQ(sub.nacksReceived, 1u);
  EXPECT_EQ(sub.keyframeRequestsReceived, 1u);
  EXPECT_EQ(sub.retransmissionsSent, 1u);
  EXPECT_FALSE(sub.estimateBps);  // the test client sends no transport-wide feedback
  EXPECT_EQ(sub.rembBps, 0u);

  // The publisher receives nothing from us: nothing to tell.
  const DownlinkView pub = viewOf("pub");
  EXPECT_TRUE(pub.streams.empty());
  EXPECT_FALSE(pub.lossPct || pub.rttMs);
  EXPECT_EQ(pub.nacksReceived + pub.keyframeRequestsReceived + pub.retransmissionsSent, 0u);

  // Reports older than DownlinkView::kFreshMs no longer speak for the link.
  h.clock.AdvanceMs(DownlinkView::kFreshMs + 1);
  const DownlinkView stale = viewOf("sub");
  EXPECT_EQ(stale.streams.size(), 2u);
  EXPECT_GT(stale.streams[1].reportAgeMs, DownlinkView::kFreshMs);
  EXPECT_FALSE(stale.lossPct || stale.jitterMs || stale.rttMs);
  EXPECT_EQ(stale.nacksReceived, 1u);
}

TEST(RouterForwardingTest, RetransmissionsStayWithinTheSubscribersBudget) {
  RouterHarness h;
  Call call(h, 100, 200, 1100);
  // NACK all 200 distinct packets: more than the budget's burst.
  std::vector<std::pair<uint16_t, uint16_t>> items;
  for (size_t i = 0; i < 200; i += 17) items.emplace_back(call.seqs.at(i), 0xFFFF);
  const auto before = ServerStats(h);
  call.Nack(items);
  ASSERT_TRUE(call.WaitForNackHandled(before, items.size() * 17));
  const auto after = ServerStats(h);
  const uint64_t sent = after.retransmitted - before.retransmitted;
  const uint64_t packetBytes = 12 + 1100 + webrtc::rtp::Rtx::kOsnSize;
  EXPECT_GT(after.nackOverBudget - before.nackOverBudget, 0u);
  EXPECT_LE(sent * packetBytes, RtxBudget::kDefaultBurstBytes);
  EXPECT_GE(sent * packetBytes, RtxBudget::kDefaultBurstBytes - packetBytes);
  // The budget refills with time.
  h.clock.AdvanceMs(200);
  const auto refilled = ServerStats(h);
  call.Nack({{call.seqs.at(199), 0}});
  ASSERT_TRUE(call.WaitForNackHandled(refilled, 1));
  EXPECT_EQ(ServerStats(h).retransmitted - refilled.retransmitted, 1u);
}

// Issue 9 item 3: a second SSRC (another simulcast encoding) used to be adopted packet by packet,
// clearing the cache and making every subscriber's rewriter re-base on each switch.
TEST(RouterForwardingTest, InterleavedSsrcsNeverReachTheSubscriber) {
  RouterHarness h;
  Call call(h, 100, 5);
  constexpr uint32_t kOther = 0x0BADF00D;
  for (uint16_t i = 0; i < 10; ++i) {
    SendVideo(h, call.pub, static_cast<uint16_t>(105 + i), 1, false);
    SendVideo(h, call.pub, static_cast<uint16_t>(9000 + i), 1, i == 0, kOther);
  }
  SendVideo(h, call.pub, 115, 1, false);  // barrier
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 11; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(call.sub.rtp.size(), 11u);
    for (size_t i = 0; i < call.sub.rtp.size(); ++i) {
      const auto& p = call.sub.rtp[i];
      EXPECT_EQ(ReadU32(&p[8]), call.outSsrc);
      // One continuous numbering, and the payload is the forwarded stream's (it encodes 105 + i).
      EXPECT_EQ(ReadU16(&p[2]), static_cast<uint16_t>(call.seqs.back() + 1 + i)) << i;
      EXPECT_EQ(p[12 + 10], static_cast<uint8_t>(105 + i + 10)) << i;
    }
    return 0;
  });
  const auto stats = ServerStats(h);
  EXPECT_EQ(stats.foreignSsrc, 10u);
  // The cache was not cleared by the other SSRC: a NACK for an early packet is still answered.
  const auto before = ServerStats(h);
  call.Nack({{call.seqs.at(1), 0}});
  ASSERT_TRUE(call.WaitForNackHandled(before, 1));
  EXPECT_EQ(ServerStats(h).retransmitted - before.retransmitted, 1u);
}

TEST(RouterForwardingTest, AnotherSsrcTakesOverOnlyAfterTheForwardedOneWentSilent) {
  RouterHarness h;
  Call call(h, 100, 5);
  constexpr uint32_t kRestarted = 0x0BADF00D;
  h.clock.AdvanceMs(Publisher::kSilenceBeforeReadoptMs - 100);
  SendVideo(h, call.pub, 500, 1, true, kRestarted);  // not silent long enough: dropped
  SendVideo(h, call.pub, 105, 1, false);             // barrier
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 1; }));
  EXPECT_EQ(ServerStats(h).foreignSsrc, 1u);
  // Silent for long enough (and the last adoption long ago): the new SSRC is the stream now. The
  // subscriber waits for its key frame and the publisher is asked for one.
  h.clock.AdvanceMs(Publisher::kReadoptIntervalMs);
  const uint64_t plis = ServerStats(h).keyframeRequests;
  SendVideo(h, call.pub, 501, 1, false, kRestarted);  // a delta frame: held back
  SendVideo(h, call.pub, 502, 3, true, kRestarted);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 4; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(call.sub.rtp.size(), 4u);
    for (size_t i = 1; i < call.sub.rtp.size(); ++i) {
      EXPECT_EQ(ReadU32(&call.sub.rtp[i][8]), call.outSsrc);
      EXPECT_EQ(ReadU16(&call.sub.rtp[i][2]), static_cast<uint16_t>(call.seqs.back() + 1 + i));
      EXPECT_EQ(call.sub.rtp[i][12 + 10], static_cast<uint8_t>(501 + i + 10));
    }
    return 0;
  });
  EXPECT_EQ(ServerStats(h).keyframeRequests, plis + 1);
  // The old SSRC coming back now is the foreign one.
  SendVideo(h, call.pub, 106, 1, false);
  SendVideo(h, call.pub, 505, 1, false, kRestarted);  // barrier
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 5; }));
  EXPECT_EQ(ServerStats(h).foreignSsrc, 2u);
}

// Issue 9 items 5: a forward jump above 2^15 within one SSRC used to freeze the subscriber for good.
TEST(RouterForwardingTest, ASequenceJumpOf40000ResumesWithinTwoPackets) {
  RouterHarness h;
  Call call(h, 1000, 5);
  SendVideo(h, call.pub, 41005, 4, false);  // 40000 ahead of the next number
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 3; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(call.sub.rtp.size(), 3u);  // the first was on probation; the second confirmed the jump
    for (size_t i = 0; i < call.sub.rtp.size(); ++i) {
      EXPECT_EQ(ReadU16(&call.sub.rtp[i][2]), static_cast<uint16_t>(call.seqs.back() + 2 + i));
      EXPECT_EQ(call.sub.rtp[i][12 + 10], static_cast<uint8_t>(41006 + i + 10));
    }
    return 0;
  });
  // The one held on probation is what the gap before them stands for: a NACK brings it.
  const auto before = ServerStats(h);
  call.Nack({{static_cast<uint16_t>(call.seqs.back() + 1), 0}});
  ASSERT_TRUE(call.WaitForNackHandled(before, 1));
  EXPECT_EQ(ServerStats(h).retransmitted - before.retransmitted, 1u);
  // And the publisher's loss tracking follows the new numbers: a gap after the jump is NACKed upstream.
  call.pub.rtcp.clear();
  SendVideo(h, call.pub, 41010, 1, false);  // 41009 lost
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] {
    for (const auto& p : call.pub.rtcp) {
      if (p.size() >= 16 && p[1] == 205 && ReadU16(&p[12]) == 41009) return true;
    }
    return false;
  }));
}

// Found by publisher_fuzzer: a packet far from the stream (on probation) is cached, and took the slot of
// the recent packet sharing it (seq mod 512); a duplicate of that recent packet then missed the cache and
// was taken as new and forwarded again. Packets 100..104, 41060 (= 100 + 40960), 100: the last is a
// duplicate.
TEST(RouterForwardingTest, ADuplicateIsDroppedAfterAPacketOnProbationTookItsCacheSlot) {
  RouterHarness h;
  Call call(h, 100, 5);
  const uint64_t droppedBefore = ServerStats(h).dropped;
  SendVideo(h, call.pub, 41060, 1, false);  // a stray number: on probation, not forwarded
  SendVideo(h, call.pub, 100, 1, false);    // a duplicate (a late RTX, say)
  SendVideo(h, call.pub, 105, 1, false);    // barrier
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 1; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(call.sub.rtp.size(), 1u);
    if (call.sub.rtp.empty()) return 0;
    EXPECT_EQ(ReadU16(&call.sub.rtp[0][2]), static_cast<uint16_t>(call.seqs.back() + 1));
    EXPECT_EQ(call.sub.rtp[0][12 + 10], static_cast<uint8_t>(105 + 10));
    return 0;
  });
  EXPECT_EQ(ServerStats(h).dropped, droppedBefore + 1);
}

// Issue 9 item 6: PLIs forwarded to a publisher at most once per second; the requests in between are
// answered by the next key frame, which reaches every subscriber.
TEST(RouterForwardingTest, PlisToThePublisherAtMostOnePerSecond) {
  RouterHarness h;
  Call call(h, 100, 5);
  const auto start = ServerStats(h);
  h.clock.AdvanceMs(Publisher::kKeyframeIntervalMs);
  for (int i = 0; i < 5; ++i) call.SendFromSubscriber(Feedback(206, 1, call.sub.videoSsrc, call.outSsrc));
  ASSERT_TRUE(
      WaitFor(h.serverWorker, [&] { return h.router->GetStats().keyframeAsks >= start.keyframeAsks + 5; }));
  EXPECT_EQ(ServerStats(h).keyframeRequests, start.keyframeRequests + 1);  // the first of the five
  // Within the second more requests are remembered, not forwarded; the clock does not move, so no
  // retry either, however long the real time.
  h.clock.AdvanceMs(Publisher::kKeyframeIntervalMs - 1);
  for (int i = 0; i < 5; ++i) call.SendFromSubscriber(Feedback(206, 1, call.sub.videoSsrc, call.outSsrc));
  ASSERT_TRUE(
      WaitFor(h.serverWorker, [&] { return h.router->GetStats().keyframeAsks >= start.keyframeAsks + 10; }));
  EXPECT_EQ(ServerStats(h).keyframeRequests, start.keyframeRequests + 1);
  // No key frame came within the second: one repeat (the first PLI may have been lost).
  h.clock.AdvanceMs(1);
  ASSERT_TRUE(WaitFor(h.serverWorker,
                      [&] { return h.router->GetStats().keyframeRequests == start.keyframeRequests + 2; }));
  // The key frame answers everything pending: it is forwarded, and no further PLI goes out later.
  SendVideo(h, call.pub, 105, 1, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return !call.sub.rtp.empty(); }));
  h.clock.AdvanceMs(3 * Publisher::kKeyframeIntervalMs);
  SendVideo(h, call.pub, 106, 1, false);  // barrier, and ticks meanwhile
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 2; }));
  const uint64_t requests = ServerStats(h).keyframeRequests;
  EXPECT_EQ(requests, start.keyframeRequests + 2);
}

// Issue 11: PAUSE from the subscriber (SDK pauseVideoTile) stops forwarding to it; RESUME asks the
// publisher for a key frame at once and forwarding starts again at that key frame, with the output
// sequence numbers continuing where they stopped.
TEST(RouterForwardingTest, PauseStopsForwardingAndResumeRequestsAKeyframe) {
  RouterHarness h;
  Call call(h, 100, 5);
  const uint16_t lastSeq = call.seqs.back();
  OnWorker(h.serverWorker, [&] {
    h.router->SetPaused("sub", {call.stream}, true);
    return 0;
  });
  SendVideo(h, call.pub, 105, 10, true);
  SendVideo(h, call.pub, 115, 1, false);
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] { return h.router->GetStats().videoIn >= 16; }));
  EXPECT_TRUE(OnWorker(h.ClientWorker(), [&] { return call.sub.rtp.empty(); }));  // nothing while paused
  // Another stream id (not this camera's) changes nothing.
  OnWorker(h.serverWorker, [&] {
    h.router->SetPaused("sub", {call.stream + 100}, false);
    return 0;
  });
  SendVideo(h, call.pub, 116, 1, true);
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] { return h.router->GetStats().videoIn >= 17; }));
  EXPECT_TRUE(OnWorker(h.ClientWorker(), [&] { return call.sub.rtp.empty(); }));

  h.clock.AdvanceMs(Publisher::kKeyframeIntervalMs);  // past the PLI throttle of the first key frame
  const uint64_t plis = ServerStats(h).keyframeRequests;
  OnWorker(h.serverWorker, [&] {
    h.router->SetPaused("sub", {call.stream}, false);
    return 0;
  });
  EXPECT_EQ(ServerStats(h).keyframeRequests, plis + 1);  // at once, not on the next tick
  SendVideo(h, call.pub, 117, 2, false);                 // delta frames: still waiting for a key frame
  SendVideo(h, call.pub, 119, 3, true);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return call.sub.rtp.size() >= 3; }));
  OnWorker(h.ClientWorker(), [&] {
    EXPECT_EQ(call.sub.rtp.size(), 3u);
    EXPECT_EQ(ReadU16(&call.sub.rtp[0][2]), static_cast<uint16_t>(lastSeq + 1));
    auto first = webrtc::rtp::RtpPacket::Parse(std::span(call.sub.rtp[0]));
    EXPECT_TRUE(first && first->Payload()[4] == 0x9d);  // the key frame
    return 0;
  });
}

}  // namespace
}  // namespace medicall::media::router
