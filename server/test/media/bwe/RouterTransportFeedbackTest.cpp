// The router's side of transport-cc toward a publisher, end to end over ICE, DTLS and SRTP on
// 127.0.0.1 (the router harness): transport-cc is answered, the transport-wide sequence numbers of the
// publisher's packets come back in feedback packets (draft-holmer-rmcat-transport-wide-cc-extensions-01)
// with the lost one marked, and the REMB carries only the publisher's maximum (never its receivers'
// estimates, which would hold its own estimate down). Without transport-cc in the
// offer the publisher gets REMB and no transport-wide feedback.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "media/bwe/BitrateProber.hpp"
#include "media/bwe/SendSideEstimator.hpp"
#include "media/bwe/TransportFeedbackGenerator.hpp"
#include "media/router/MeetingRouter.hpp"
#include "media/router/RouterHarness.hpp"
#include "media/router/RouterPeer.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::media::router {
namespace {

using testing::OnWorker;
using testing::RouterHarness;
using testing::TestClient;
using testing::WaitFor;
using webrtc::rtcp::TransportFeedback;
using namespace std::chrono_literals;
constexpr uint8_t kVp8 = webrtc::sdp::OfferBuilder::kVp8Pt;

// A VP8 packet with a one-byte header extension block (RFC 8285) holding the transport-wide sequence.
size_t PacketWithTransportSequence(uint8_t extId, uint16_t transportSeq, uint16_t seq, uint32_t ssrc,
                                   std::span<uint8_t> out) {
  std::array<uint8_t, 1500> body{};
  const size_t bodySize = TestClient::Vp8Packet(kVp8, seq, 3000u * seq, ssrc, seq == 1, 300, body);
  std::copy(body.begin(), body.begin() + 12, out.begin());
  out[0] |= 0x10;
  const std::array<uint8_t, 8> ext = {0xBE,
                                      0xDE,
                                      0x00,
                                      0x01,
                                      static_cast<uint8_t>((extId << 4) | 1),
                                      static_cast<uint8_t>(transportSeq >> 8),
                                      static_cast<uint8_t>(transportSeq),
                                      0};
  std::copy(ext.begin(), ext.end(), out.begin() + 12);
  std::copy(body.begin() + 12, body.begin() + static_cast<long>(bodySize), out.begin() + 20);
  return bodySize + ext.size();
}

uint8_t TransportCcId(const std::string& answerSdp) {
  auto answer = webrtc::sdp::SdpParser::Parse(answerSdp);
  if (!answer) return 0;
  for (const auto& m : answer->media) {
    if (const auto* e = m.FindExtmap(webrtc::sdp::uri::kTransportWideCc)) return static_cast<uint8_t>(e->id);
  }
  return 0;
}

uint8_t MidId(const std::string& answerSdp) {
  auto answer = webrtc::sdp::SdpParser::Parse(answerSdp);
  if (!answer) return 0;
  for (const auto& m : answer->media) {
    if (const auto* e = m.FindExtmap(webrtc::sdp::uri::kMid)) return static_cast<uint8_t>(e->id);
  }
  return 0;
}

template <typename F>
void ForEachRtcp(const std::vector<std::vector<uint8_t>>& packets, F&& f) {
  for (const auto& p : packets) {
    std::vector<uint8_t> copy = p;
    webrtc::rtcp::RtcpCompound compound(copy);
    if (!compound.Validate()) continue;
    compound.ForEach([&](const webrtc::rtcp::RtcpCompound::Packet& packet) { f(packet); });
  }
}

bool IsRemb(const webrtc::rtcp::RtcpCompound::Packet& p) {
  return webrtc::rtcp::Remb::Parse(p.data).has_value();
}

TEST(RouterTransportFeedbackTest, PublisherGetsTransportWideFeedbackAndARembOfItsMaximumOnly) {
  RouterHarness h;
  TestClient& pub = h.AddClient("publisher");
  auto pa = h.Subscribe(pub, true, {});
  ASSERT_EQ(pa.status, 200u) << pa.description;
  const uint8_t extId = TransportCcId(pa.sdpAnswer);
  ASSERT_NE(extId, 0) << "transport-wide-cc answered";
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected; }));

  OnWorker(h.ClientWorker(), [&] {
    std::array<uint8_t, 1500> buf{};
    for (uint16_t i = 0; i < 10; ++i) {
      if (i == 5) continue;  // lost on the way
      const size_t n =
          PacketWithTransportSequence(extId, static_cast<uint16_t>(65530 + i), i + 1, pub.videoSsrc, buf);
      EXPECT_TRUE(pub.transport->SendRtp(buf, n));
    }
    return 0;
  });

  std::vector<TransportFeedback::PacketResult> results;
  ASSERT_TRUE(WaitFor(
      h.ClientWorker(),
      [&] {
        results.clear();
        ForEachRtcp(pub.rtcp, [&](const auto& p) {
          if (auto fb = TransportFeedback::Parse(p.data)) {
            fb->ForEachPacket([&](const TransportFeedback::PacketResult& r) { results.push_back(r); });
          }
        });
        return results.size() >= 10;
      },
      3000ms));
  ASSERT_EQ(results.size(), 10u);
  for (uint16_t i = 0; i < 10; ++i) {
    EXPECT_EQ(results[i].sequenceNumber, static_cast<uint16_t>(65530 + i));
    EXPECT_EQ(results[i].received, i != 5) << i;
  }
  EXPECT_GE(OnWorker(h.serverWorker, [&] { return h.router->GetStats().transportFeedbackSent; }), 1u);

  // A report interval later: a receiver report, and a REMB of the SUBSCRIBE maximum (1500 kbit/s).
  h.clock.AdvanceMs(MeetingRouter::kReportIntervalMs);
  ASSERT_TRUE(WaitFor(
      h.ClientWorker(),
      [&] {
        bool rr = false;
        ForEachRtcp(pub.rtcp, [&](const auto& p) { rr = rr || p.header.packetType == 201; });
        return rr;
      },
      3000ms));
  OnWorker(h.ClientWorker(), [&] {
    ForEachRtcp(pub.rtcp, [&](const auto& p) {
      if (auto remb = webrtc::rtcp::Remb::Parse(p.data)) EXPECT_EQ(remb->bitrate, 1'500'000u);
    });
    return 0;
  });
}

// SUBSCRIBE as RouterHarness::Subscribe does it, with an offer without the transport-cc extension and
// feedback type (a browser without transport-cc); connects the client.
SubscribeAnswer SubscribeWithoutTransportCc(RouterHarness& h, TestClient& c, bool sendVideo,
                                            const std::vector<uint32_t>& receiveStreams) {
  SubscribeParams params;
  params.attendeeId = c.attendeeId;
  params.sendsVideo = sendVideo;
  params.videoMaxBitrateKbps = 1500;
  params.receiveStreamIds = {0};
  params.receiveStreamIds.insert(params.receiveStreamIds.end(), receiveStreams.begin(), receiveStreams.end());
  std::string offer = c.Offer(sendVideo, receiveStreams.size());
  offer = std::regex_replace(offer, std::regex("a=extmap:[0-9]+ [^\\r\\n]*transport-wide-cc[^\\r\\n]*\\r\\n"),
                             "");
  offer = std::regex_replace(offer, std::regex("a=rtcp-fb:[0-9]+ transport-cc\\r\\n"), "");
  params.sdpOffer = offer;
  c.answer = OnWorker(h.serverWorker, [&] { return h.router->Subscribe(params); });
  if (c.answer.status == 200)
    OnWorker(h.ClientWorker(), [&] { return c.Connect(c.answer.sdpAnswer, *c.ownDemux); });
  return c.answer;
}

std::optional<uint64_t> LatestRemb(const TestClient& c) {
  std::optional<uint64_t> latest;
  ForEachRtcp(c.rtcp, [&](const auto& p) {
    if (auto remb = webrtc::rtcp::Remb::Parse(p.data)) latest = remb->bitrate;
  });
  return latest;
}

TEST(RouterTransportFeedbackTest, WithoutTransportCcThePublisherGetsRemb) {
  RouterHarness h;
  TestClient& pub = h.AddClient("publisher");
  SubscribeWithoutTransportCc(h, pub, true, {});
  ASSERT_EQ(pub.answer.status, 200u) << pub.answer.description;
  EXPECT_EQ(TransportCcId(pub.answer.sdpAnswer), 0);
  EXPECT_EQ(pub.answer.sdpAnswer.find("transport-cc"), std::string::npos);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected; }));
  OnWorker(h.ClientWorker(), [&] {
    std::array<uint8_t, 1500> buf{};
    for (uint16_t i = 1; i <= 5; ++i) {
      const size_t n = TestClient::Vp8Packet(kVp8, i, 3000u * i, pub.videoSsrc, i == 1, 300, buf);
      EXPECT_TRUE(pub.transport->SendRtp(buf, n));
    }
    return 0;
  });
  h.clock.AdvanceMs(MeetingRouter::kReportIntervalMs);
  ASSERT_TRUE(WaitFor(
      h.ClientWorker(),
      [&] {
        bool remb = false;
        ForEachRtcp(pub.rtcp, [&](const auto& p) { remb = remb || IsRemb(p); });
        return remb;
      },
      3000ms));
  OnWorker(h.ClientWorker(), [&] {
    ForEachRtcp(pub.rtcp, [&](const auto& p) { EXPECT_FALSE(TransportFeedback::Parse(p.data)); });
    return 0;
  });
  EXPECT_EQ(OnWorker(h.serverWorker, [&] { return h.router->GetStats().transportFeedbackSent; }), 0u);
}

// The subscriber side: forwarded packets carry the subscriber transport's own transport-wide sequence
// numbers (continuous, from one counter for the transport), and the subscriber's feedback about them
// gives the router an estimate of what it can send that subscriber.
TEST(RouterTransportFeedbackTest, SubscriberFeedbackGivesAnOutgoingEstimate) {
  RouterHarness h;
  TestClient& pub = h.AddClient("publisher");
  TestClient& sub = h.AddClient("subscriber");
  auto pa = h.Subscribe(pub, true, {});
  ASSERT_EQ(pa.status, 200u) << pa.description;
  auto sa = h.Subscribe(sub, false, {pa.videoAllocations.at(0).streamId});
  ASSERT_EQ(sa.status, 200u) << sa.description;
  const uint8_t pubId = TransportCcId(pa.sdpAnswer);
  const uint8_t subId = TransportCcId(sa.sdpAnswer);
  ASSERT_NE(pubId, 0);
  ASSERT_NE(subId, 0);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return pub.connected && sub.connected; }));
  EXPECT_FALSE(OnWorker(h.serverWorker, [&] { return h.router->AvailableOutgoingBitrate("subscriber"); }));
  // Both transports up on the router's side too: it asked the publisher for a key frame.
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] {
    bool pli = false;
    ForEachRtcp(pub.rtcp,
                [&](const auto& p) { pli = pli || (p.header.packetType == 206 && p.header.count == 1); });
    return pli;
  }));

  bwe::TransportFeedbackGenerator subscriberSide;
  std::vector<uint16_t> seen;
  size_t padding = 0;
  size_t media = 0;
  uint32_t videoSsrc = 0;
  const uint8_t midId = MidId(sa.sdpAnswer);
  ASSERT_NE(midId, 0);
  uint16_t next = 1;
  for (int round = 0; round < 10; ++round) {
    OnWorker(h.ClientWorker(), [&] {
      std::array<uint8_t, 1500> buf{};
      for (int i = 0; i < 10; ++i, ++next) {
        const size_t n =
            PacketWithTransportSequence(pubId, static_cast<uint16_t>(next + 7000), next, pub.videoSsrc, buf);
        EXPECT_TRUE(pub.transport->SendRtp(buf, n));
      }
      return 0;
    });
    h.clock.AdvanceMs(20);
    // Ten video packets (padding may come between them). Once the subscriber's feedback gave an
    // estimate the pacer paces by the router's clock: it has to move for queued packets to leave.
    const auto video = [&] {
      return std::count_if(sub.rtp.begin(), sub.rtp.end(),
                           [](const auto& p) { return p.size() > 1 && (p[1] & 0x7F) == kVp8; });
    };
    ASSERT_TRUE(WaitFor(h.ClientWorker(),
                        [&] {
                          h.clock.AdvanceMs(1);
                          return video() >= 10;
                        }))
        << sub.rtp.size() << " forwarded "
        << OnWorker(h.serverWorker, [&] { return h.router->GetStats().forwarded; }) << " in "
        << OnWorker(h.serverWorker, [&] { return h.router->GetStats().videoIn; });
    OnWorker(h.ClientWorker(), [&] {
      std::vector<std::vector<uint8_t>> all = sub.rtp;
      all.insert(all.end(), sub.padding.begin(), sub.padding.end());
      for (auto& p : all) {
        auto rtp = webrtc::rtp::RtpPacket::Parse(std::span(p));
        if (!rtp) continue;
        auto ext = rtp->FindExtension(subId);
        EXPECT_TRUE(ext && ext->size() == 2);
        if (!ext || ext->size() != 2) continue;
        const uint16_t seq = ReadU16(ext->data());
        subscriberSide.OnPacket(seq, h.clock.NowUs());
        seen.push_back(seq);
        if (rtp->PayloadType() == webrtc::sdp::OfferBuilder::kVp8RtxPt) {
          ++padding;
          EXPECT_TRUE(rtp->HasPadding());
          EXPECT_EQ(rtp->Payload().size(), 0u);
          EXPECT_GT(rtp->PaddingSize(), 0u);
          EXPECT_FALSE(rtp->FindExtension(midId).has_value());
          if (videoSsrc != 0) EXPECT_NE(rtp->Ssrc(), videoSsrc);
          continue;
        }
        EXPECT_EQ(rtp->PayloadType(), kVp8);
        if (videoSsrc == 0) videoSsrc = rtp->Ssrc();
        ++media;
      }
      sub.rtp.clear();
      sub.padding.clear();
      std::array<uint8_t, 1500> fb{};
      while (size_t n = subscriberSide.Build(sub.audioSsrc, 0, std::span(fb).first(1400))) {
        EXPECT_TRUE(sub.transport->SendRtcp(fb, n));
      }
      return 0;
    });
  }
  // Media and padding (the start probe's, then the padding toward the estimate) took the transport's
  // one counter: every number once, none skipped (the client keeps them in two lists, so sort).
  ASSERT_EQ(media, 100u);
  ASSERT_EQ(seen.size(), media + padding);
  std::sort(seen.begin(), seen.end());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<uint16_t>(seen[i - 1] + 1)) << i;
  // The camera's first seconds are planned at its SUBSCRIBE maximum (1.5 Mbit/s), above the estimate's
  // start (1 Mbit/s): the subscriber's stream is limited, so padding goes toward the estimate: RTX
  // (payload type 97) packets of padding only, on another SSRC than the video, numbered transport-wide
  // (the estimator learns from them) and without a MID (Firefox rebinds a mid to any SSRC carrying it).
  // (The router ticks every 50 ms of real time and pads for the time its clock moved: the test's clock
  // moves while it waits.)
  ASSERT_TRUE(WaitFor(h.ClientWorker(),
                      [&] {
                        h.clock.AdvanceMs(5);
                        for (auto& p : sub.padding) {
                          auto rtp = webrtc::rtp::RtpPacket::Parse(std::span(p));
                          if (!rtp || rtp->PayloadType() != webrtc::sdp::OfferBuilder::kVp8RtxPt) continue;
                          ++padding;
                          EXPECT_TRUE(rtp->HasPadding());
                          EXPECT_EQ(rtp->Payload().size(), 0u);
                          EXPECT_GT(rtp->PaddingSize(), 0u);
                          EXPECT_FALSE(rtp->FindExtension(midId).has_value());
                          EXPECT_TRUE(rtp->FindExtension(subId).has_value());
                          EXPECT_NE(rtp->Ssrc(), videoSsrc);
                        }
                        sub.padding.clear();
                        return padding > 0;
                      }))
      << "padding packets sent: "
      << OnWorker(h.serverWorker, [&] { return h.router->GetStats().paddingPackets; });
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] { return h.router->GetStats().transportFeedbackReceived >= 10; }));
  const auto estimate =
      OnWorker(h.serverWorker, [&] { return h.router->AvailableOutgoingBitrate("subscriber"); });
  ASSERT_TRUE(estimate);
  EXPECT_GE(*estimate, bwe::SendSideEstimator::Settings{}.minBps);
  // The first media started a probe cluster toward the subscriber: the camera asks for 1.5 Mbit/s,
  // above the 1 Mbit/s start, so one cluster at the ask (3x the start capped by it).
  const auto stats = OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
  EXPECT_EQ(stats.probeClusters, 1u);
  EXPECT_GE(stats.probePackets, bwe::BitrateProber::kMinProbePackets);
  // BITRATES tells the subscriber's SDK that estimate (server_available_outgoing_bitrate, kbps), which
  // overrides its availableIncomingBitrate; before the feedback it was absent (0).
  h.clock.AdvanceMs(MeetingRouter::kBitratesIntervalMs + 10);
  ASSERT_TRUE(WaitFor(h.serverWorker, [&] {
    auto it = h.listener.bitratesAvailableKbps.find("subscriber");
    return it != h.listener.bitratesAvailableKbps.end() && it->second != 0;
  }));
  OnWorker(h.serverWorker, [&] {
    const auto now = h.router->AvailableOutgoingBitrate("subscriber");
    EXPECT_TRUE(now);
    if (now) {
      EXPECT_NEAR(h.listener.bitratesAvailableKbps.at("subscriber"), *now / 1000.0, *now / 1000.0 * 0.2);
    }
    return 0;
  });
}

// A subscriber without transport-cc receiving two streams: its REMB (one total for all it receives) is
// split across them, so each publisher is asked for half, not for the whole.
TEST(RouterTransportFeedbackTest, ASubscribersRembIsSplitAcrossItsStreams) {
  RouterHarness h;
  TestClient& a = h.AddClient("a");
  TestClient& b = h.AddClient("b");
  TestClient& sub = h.AddClient("sub");
  ASSERT_EQ(SubscribeWithoutTransportCc(h, a, true, {}).status, 200u);
  ASSERT_EQ(SubscribeWithoutTransportCc(h, b, true, {}).status, 200u);
  auto sa = SubscribeWithoutTransportCc(
      h, sub, false, {a.answer.videoAllocations.at(0).streamId, b.answer.videoAllocations.at(0).streamId});
  ASSERT_EQ(sa.status, 200u) << sa.description;
  ASSERT_EQ(sa.tracks.size(), 2u);
  ASSERT_TRUE(WaitFor(h.ClientWorker(), [&] { return a.connected && b.connected && sub.connected; }));
  OnWorker(h.ClientWorker(), [&] {
    std::array<uint8_t, 1500> buf{};
    for (TestClient* p : {&a, &b}) {
      const size_t n = TestClient::Vp8Packet(kVp8, 1, 3000, p->videoSsrc, true, 300, buf);
      EXPECT_TRUE(p->transport->SendRtp(buf, n));
    }
    return 0;
  });
  // A REMB, then a NACK whose handling shows in the router's stats: once counted, the REMB was handled
  // too. Twice, kRembWarmupMs apart: a receiver's first REMBs (its estimate still ramping) are not used.
  uint64_t nacksHandled = 0;
  for (int round = 0; round < 2; ++round) {
    if (round == 1) h.clock.AdvanceMs(RouterPeer::kRembWarmupMs);
    OnWorker(h.ClientWorker(), [&] {
      std::array<uint8_t, 1500> buf{};
      webrtc::rtcp::Remb remb;
      remb.senderSsrc = sub.audioSsrc;
      remb.bitrate = 1'000'000;
      remb.AddSsrc(sa.tracks[0].ssrc);
      remb.AddSsrc(sa.tracks[1].ssrc);
      size_t n = remb.Serialize(std::span(buf).first(1400));
      const std::array<uint16_t, 1> lost = {4242};
      n += webrtc::rtcp::Nack::Serialize(sub.audioSsrc, sa.tracks[0].ssrc, lost,
                                         std::span(buf).subspan(n, 200));
      EXPECT_TRUE(sub.transport->SendRtcp(buf, n));
      return 0;
    });
    ASSERT_TRUE(WaitFor(h.serverWorker, [&] {
      const auto st = h.router->GetStats();
      return st.nackMisses + st.nackSuppressed + st.retransmitted > nacksHandled;
    }));
    nacksHandled = OnWorker(h.serverWorker, [&] {
      const auto st = h.router->GetStats();
      return st.nackMisses + st.nackSuppressed + st.retransmitted;
    });
  }
  // Only the REMBs of the next report count: one sent before the REMB was taken (at the warm-up's
  // clock step) may still be in the clients' lists.
  OnWorker(h.ClientWorker(), [&] {
    a.rtcp.clear();
    b.rtcp.clear();
    return 0;
  });
  h.clock.AdvanceMs(MeetingRouter::kReportIntervalMs);
  // (A report already in a socket buffer may still come in after the clear: wait for the split one.)
  const auto split = [&] { return LatestRemb(a) == 500'000u && LatestRemb(b) == 500'000u; };
  EXPECT_TRUE(WaitFor(h.ClientWorker(), split, 3000ms))
      << "REMB to a: " << LatestRemb(a).value_or(0) << ", to b: " << LatestRemb(b).value_or(0);
}

}  // namespace
}  // namespace medicall::media::router
