// The router's small parts: header extension translation between two negotiated id sets and the
// receive statistics behind our receiver reports (RFC 3550 appendix A.3 and A.8).
#include <gtest/gtest.h>

#include <vector>

#include "media/router/ExtensionTranslator.hpp"
#include "media/router/StreamReceiveStats.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"

namespace medicall::media::router {
namespace {

using webrtc::rtp::RtpPacket;
using webrtc::rtp::RtpPacketBuilder;

std::vector<uint8_t> Build(RtpPacketBuilder& b) {
  std::vector<uint8_t> payload(20, 0x55);
  std::vector<uint8_t> out(200);
  out.resize(b.Build(payload, out));
  return out;
}

TEST(ExtensionTranslatorTest, MapsIdsRewritesValuesAndBlanksTheRest) {
  webrtc::rtp::ExtensionIds from;
  from.mid = 4;
  from.absSendTime = 2;
  from.rtpStreamId = 10;
  webrtc::rtp::ExtensionIds to;
  to.mid = 9;
  to.absSendTime = 3;
  RtpPacketBuilder b;
  b.SetPayloadType(96).SetSequenceNumber(1).SetTimestamp(2).SetSsrc(3);
  ASSERT_TRUE(b.AddMid(4, "1"));
  ASSERT_TRUE(b.AddAbsSendTime(2, 0x123456));
  ASSERT_TRUE(b.AddMid(10, "hi"));  // an rtp-stream-id: not for the subscriber
  const std::vector<uint8_t> value{7, 7};
  ASSERT_TRUE(b.AddExtension(13, value));  // not negotiated at all
  auto data = Build(b);
  const size_t size = data.size();
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p.has_value());
  ExtensionTranslator::Target target{&to, "2", 0x0ABCDE, 0};
  ExtensionTranslator::Translate(*p, from, target);
  auto q = RtpPacket::Parse(data);
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->Size(), size);
  EXPECT_EQ(q->GetMid(9), "2");
  EXPECT_EQ(q->GetAbsSendTime(3), 0x0ABCDEu);
  EXPECT_FALSE(q->HasExtensionId(4));
  EXPECT_FALSE(q->HasExtensionId(2));
  EXPECT_FALSE(q->HasExtensionId(10));
  EXPECT_FALSE(q->HasExtensionId(13));
  EXPECT_EQ(q->PayloadSize(), 20u);
  EXPECT_EQ(q->Payload()[0], 0x55);
}

TEST(ExtensionTranslatorTest, BlanksAMidOfAnotherLength) {
  webrtc::rtp::ExtensionIds ids;
  ids.mid = 4;
  RtpPacketBuilder b;
  b.SetPayloadType(96).SetSsrc(3);
  ASSERT_TRUE(b.AddMid(4, "1"));
  auto data = Build(b);
  auto p = RtpPacket::Parse(data);
  ExtensionTranslator::Target target{&ids, "10", 0, 0};
  ExtensionTranslator::Translate(*p, ids, target);
  auto q = RtpPacket::Parse(data);
  ASSERT_TRUE(q.has_value());
  EXPECT_FALSE(q->GetMid(4).has_value());
}

// CVO (urn:3gpp:video-orientation): a phone's rotation reaches the subscriber under its own id, byte
// unchanged (Chromium's id 13 in one-byte form toward Firefox's 7), so the picture is shown upright.
TEST(ExtensionTranslatorTest, VideoOrientationKeepsItsByteUnderTheSubscribersId) {
  webrtc::rtp::ExtensionIds from;
  from.mid = 4;
  from.videoOrientation = 13;
  webrtc::rtp::ExtensionIds to;
  to.mid = 3;
  to.videoOrientation = 7;
  RtpPacketBuilder b;
  b.SetPayloadType(96).SetSequenceNumber(1).SetTimestamp(2).SetSsrc(3);
  ASSERT_TRUE(b.AddMid(4, "1"));
  const std::vector<uint8_t> rotation{0x03};  // R1 R0 = 3: 270 degrees
  ASSERT_TRUE(b.AddExtension(13, rotation));
  auto data = Build(b);
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p.has_value());
  ExtensionTranslator::Translate(*p, from, ExtensionTranslator::Target{&to, "2", 0, 0});
  auto q = RtpPacket::Parse(data);
  ASSERT_TRUE(q.has_value());
  EXPECT_FALSE(q->HasExtensionId(13));
  const auto value = q->FindExtension(7);
  ASSERT_TRUE(value.has_value());
  ASSERT_EQ(value->size(), 1u);
  EXPECT_EQ((*value)[0], 0x03);

  // A subscriber that did not negotiate it gets the element blanked, not a stray id.
  webrtc::rtp::ExtensionIds without;
  without.mid = 3;
  auto data2 = Build(b);
  auto p2 = RtpPacket::Parse(data2);
  ASSERT_TRUE(p2.has_value());
  ExtensionTranslator::Translate(*p2, from, ExtensionTranslator::Target{&without, "2", 0, 0});
  auto q2 = RtpPacket::Parse(data2);
  ASSERT_TRUE(q2.has_value());
  EXPECT_FALSE(q2->HasExtensionId(13));
  EXPECT_FALSE(q2->HasExtensionId(7));
  EXPECT_EQ(q2->GetMid(3), "2");
}

TEST(ExtensionTranslatorTest, AbsSendTimeIsSixPointEighteenSeconds) {
  EXPECT_EQ(ExtensionTranslator::AbsSendTime(0), 0u);
  EXPECT_EQ(ExtensionTranslator::AbsSendTime(1'000'000), 1u << 18);
  EXPECT_EQ(ExtensionTranslator::AbsSendTime(64'000'000), 0u);  // wraps after 64 s
  EXPECT_EQ(ExtensionTranslator::AbsSendTime(500'000), 1u << 17);
}

TEST(StreamReceiveStatsTest, CountsLossAcrossWrapAndReportsFraction) {
  StreamReceiveStats s(90000);
  EXPECT_FALSE(s.HasData());
  // 65530..65535, 0..9 with 3 and 4 missing: expected 16, received 14.
  uint16_t seq = 65530;
  for (int i = 0; i < 16; ++i, ++seq) {
    if (seq == 3 || seq == 4) continue;
    s.OnPacket(seq, 3000u * static_cast<uint32_t>(i), 1000 + 33 * i);
  }
  EXPECT_EQ(s.ExtendedHighest(), 65536u + 9u);
  EXPECT_EQ(s.CumulativeLost(), 2);
  s.OnSenderReport(0x1122334455667788ULL, 2000);
  auto block = s.MakeReportBlock(0xABCD, 2500);
  EXPECT_EQ(block.ssrc, 0xABCDu);
  EXPECT_EQ(block.cumulativeLost, 2);
  EXPECT_EQ(block.fractionLost, (2 << 8) / 16);
  EXPECT_EQ(block.extendedHighestSeq, 65536u + 9u);
  EXPECT_EQ(block.lastSr, 0x33445566u);
  EXPECT_EQ(block.delaySinceLastSr, 32768u);  // 0.5 s in 1/65536 s
  // Next interval without loss: fraction 0, cumulative unchanged.
  for (int i = 0; i < 5; ++i, ++seq) s.OnPacket(seq, 0, 3000);
  auto next = s.MakeReportBlock(0xABCD, 3000);
  EXPECT_EQ(next.fractionLost, 0);
  EXPECT_EQ(next.cumulativeLost, 2);
}

TEST(StreamReceiveStatsTest, JitterFollowsRfc3550) {
  StreamReceiveStats s(90000);
  // Perfectly paced: no jitter.
  for (int i = 0; i < 50; ++i) s.OnPacket(static_cast<uint16_t>(i), 3000u * i, 33 * i + i / 3);
  const uint32_t paced = s.Jitter();
  EXPECT_LT(paced, 100u);
  // Every other packet 20 ms late: |D| = 1800 ticks per packet -> J converges towards 1800.
  StreamReceiveStats t(90000);
  for (int i = 0; i < 400; ++i) t.OnPacket(static_cast<uint16_t>(i), 3000u * i, 1000 + 33 * i + (i % 2) * 20);
  EXPECT_GT(t.Jitter(), 1500u);
  EXPECT_LT(t.Jitter(), 1900u);
}

// A packet recovered from RTX arrives a repair round trip late: its transit time says nothing about
// the network's jitter (and would inflate the jitter in our receiver reports, so the sender backs off).
TEST(StreamReceiveStatsTest, RetransmittedPacketsCountButGiveNoJitterSample) {
  StreamReceiveStats s(90000);
  for (int i = 0; i < 50; ++i) {
    if (i == 20 || i == 30) continue;  // lost, repaired later
    s.OnPacket(static_cast<uint16_t>(i), 3000u * i, 1000 + 33 * i + i / 3);
  }
  const uint32_t before = s.Jitter();
  EXPECT_LT(before, 100u);
  s.OnPacket(20, 3000u * 20, 1000 + 33 * 50 + 150, /*retransmitted=*/true);  // 1 s late
  s.OnPacket(30, 3000u * 30, 1000 + 33 * 50 + 160, /*retransmitted=*/true);
  EXPECT_EQ(s.Jitter(), before);
  EXPECT_EQ(s.Received(), 50u);
  EXPECT_EQ(s.CumulativeLost(), 0);
  // The same arrivals counted as fresh packets do move it: the exclusion is what keeps it down.
  StreamReceiveStats t(90000);
  for (int i = 0; i < 50; ++i) {
    if (i == 20 || i == 30) continue;
    t.OnPacket(static_cast<uint16_t>(i), 3000u * i, 1000 + 33 * i + i / 3);
  }
  t.OnPacket(20, 3000u * 20, 1000 + 33 * 50 + 150);
  EXPECT_GT(t.Jitter(), before + 1000);
}

}  // namespace
}  // namespace medicall::media::router
