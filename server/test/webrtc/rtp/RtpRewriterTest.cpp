#include "webrtc/rtp/RtpRewriter.hpp"

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <vector>

#include "webrtc/rtp/RtpPacketBuilder.hpp"

namespace medicall::webrtc::rtp {
namespace {

struct Buf {
  std::array<uint8_t, 64> bytes{};
  size_t size = 0;
  RtpPacket Packet() { return *RtpPacket::Parse(std::span<uint8_t>(bytes.data(), size)); }
};

Buf Make(uint32_t ssrc, uint16_t seq, uint32_t ts) {
  RtpPacketBuilder b;
  b.SetPayloadType(96).SetSsrc(ssrc).SetSequenceNumber(seq).SetTimestamp(ts);
  Buf buf;
  buf.size = b.Build(std::vector<uint8_t>{1, 2, 3}, buf.bytes);
  return buf;
}

TEST(RtpRewriterTest, ContinuousAcrossSourceSwitches) {
  RtpRewriter rw(0xAAAA, 90000, 65534, 1000);
  std::vector<uint16_t> seqs;
  std::vector<uint32_t> tss;
  auto send = [&](uint32_t ssrc, uint16_t seq, uint32_t ts, int64_t now) {
    Buf b = Make(ssrc, seq, ts);
    RtpPacket p = b.Packet();
    const bool ok = rw.Rewrite(p, now, 100);
    if (ok) {
      EXPECT_EQ(p.Ssrc(), 0xAAAAu);
      EXPECT_EQ(p.PayloadType(), 100);
      seqs.push_back(p.SequenceNumber());
      tss.push_back(p.Timestamp());
    }
    return ok;
  };
  // Source 1: three packets, 2 frames.
  EXPECT_TRUE(send(1, 500, 9000, 0));
  EXPECT_TRUE(send(1, 501, 9000, 0));
  EXPECT_TRUE(send(1, 502, 12000, 33));
  // Switch to source 2 40 ms later: next sequence, timestamp advanced by 40 ms of 90 kHz.
  EXPECT_TRUE(send(2, 40000, 777, 73));
  EXPECT_TRUE(send(2, 40001, 3777, 106));
  EXPECT_FALSE(send(2, 39999, 777, 107));  // late packet from before the switch
  // Back to source 1, whose numbers moved on meanwhile.
  EXPECT_TRUE(send(1, 600, 50000, 140));
  EXPECT_EQ(seqs, (std::vector<uint16_t>{65534, 65535, 0, 1, 2, 3}));
  EXPECT_EQ(tss[0], 1000u);
  EXPECT_EQ(tss[1], 1000u);
  EXPECT_EQ(tss[2], 4000u);
  EXPECT_EQ(tss[3], 4000u + 40 * 90);
  EXPECT_EQ(tss[4], 4000u + 40 * 90 + 3000);
  EXPECT_EQ(tss[5], tss[4] + 34 * 90);
  EXPECT_EQ(rw.PacketsSent(), 6u);
  EXPECT_EQ(rw.OctetsSent(), 18u);
}

TEST(RtpRewriterTest, LossAndReorderingPassThroughWithinASource) {
  RtpRewriter rw(7, 90000, 100, 0);
  auto rewrite = [&](uint16_t seq) {
    Buf b = Make(1, seq, 0);
    RtpPacket p = b.Packet();
    EXPECT_TRUE(rw.Rewrite(p, 0));
    return p.SequenceNumber();
  };
  EXPECT_EQ(rewrite(65535), 100);
  EXPECT_EQ(rewrite(2), 103);  // 0 and 1 lost: the gap stays, so the subscriber NACKs them
  EXPECT_EQ(rewrite(0), 101);  // late arrival keeps its place
  EXPECT_EQ(rw.HighestSequence(), 103);
  EXPECT_EQ(rw.ToSourceSequence(101), 0);
  EXPECT_EQ(rw.ToSourceSequence(102), 1);
  EXPECT_FALSE(rw.ToSourceSequence(99));   // before this source
  EXPECT_FALSE(rw.ToSourceSequence(104));  // not sent yet
}

TEST(RtpRewriterTest, TimestampAdvancesAtLeastOneTickOnImmediateSwitch) {
  RtpRewriter rw(7, 48000, 0, 0xFFFFFFFF);
  Buf a = Make(1, 10, 5);
  RtpPacket pa = a.Packet();
  ASSERT_TRUE(rw.Rewrite(pa, 1000));
  Buf b = Make(2, 10, 5);
  RtpPacket pb = b.Packet();
  ASSERT_TRUE(rw.Rewrite(pb, 1000));
  EXPECT_EQ(pa.Timestamp(), 0xFFFFFFFFu);
  EXPECT_EQ(pb.Timestamp(), 0u);  // wrapped, one tick later
  EXPECT_EQ(pb.SequenceNumber(), 1);
}

}  // namespace
}  // namespace medicall::webrtc::rtp

namespace medicall::webrtc::rtp {
namespace {

// A forward jump above 2^15 within one SSRC (the sender renumbered) used to look like 25536 packets
// in the past for ever: every later packet was dropped and the subscriber froze.
TEST(RtpRewriterTest, AJumpOfFortyThousandResumesWithinTwoPackets) {
  RtpRewriter rw(7, 90000, 500, 0);
  auto rewrite = [&](uint16_t seq) -> std::optional<uint16_t> {
    Buf b = Make(1, seq, 3000u * seq);
    RtpPacket p = b.Packet();
    if (!rw.Rewrite(p, 0)) return std::nullopt;
    return p.SequenceNumber();
  };
  EXPECT_EQ(rewrite(1000), 500);
  EXPECT_EQ(rewrite(1001), 501);
  EXPECT_EQ(rewrite(41001), std::nullopt);  // on probation
  EXPECT_EQ(rewrite(41002), 503);           // confirmed: forwarding resumes, 502 left for 41001
  EXPECT_EQ(rewrite(41003), 504);
  EXPECT_EQ(rw.Resyncs(), 1u);
  EXPECT_EQ(rw.ProbationDrops(), 1u);
  // The subscriber NACKs 502: it maps to the packet that was on probation (kept in the cache).
  EXPECT_EQ(rw.ToSourceSequence(502), 41001);
  EXPECT_EQ(rw.ToSourceSequence(501), std::nullopt);  // before the re-base: no longer mappable
  EXPECT_EQ(rewrite(41001), 502);                     // the repair goes out with the number NACKed
}

TEST(RtpRewriterTest, AStrayNumberIsDroppedWithoutMovingTheStream) {
  RtpRewriter rw(7, 90000, 500, 0);
  auto rewrite = [&](uint16_t seq) -> std::optional<uint16_t> {
    Buf b = Make(1, seq, 0);
    RtpPacket p = b.Packet();
    if (!rw.Rewrite(p, 0)) return std::nullopt;
    return p.SequenceNumber();
  };
  EXPECT_EQ(rewrite(10), 500);
  EXPECT_EQ(rewrite(40010), std::nullopt);
  EXPECT_EQ(rewrite(11), 501);
  EXPECT_EQ(rewrite(12), 502);
  EXPECT_EQ(rw.Resyncs(), 0u);
}

// Found by rtp_rewriter_fuzzer: once a source had sent 32768 packets, the signed 16-bit distance from
// its first output number turned negative and every NACK mapped to nothing, for the second half of
// each cycle of 2^16.
TEST(RtpRewriterTest, NacksStillMapAfterTheSourceHasSentMoreThan32768Packets) {
  RtpRewriter rw(7, 90000, 500, 0);
  uint16_t out = 0;
  for (uint32_t i = 0; i <= 40000; ++i) {
    Buf b = Make(1, static_cast<uint16_t>(1000 + i), 3000 * i);
    RtpPacket p = b.Packet();
    ASSERT_TRUE(rw.Rewrite(p, 0));
    out = p.SequenceNumber();
  }
  EXPECT_EQ(out, static_cast<uint16_t>(500 + 40000));
  EXPECT_EQ(rw.ToSourceSequence(out), static_cast<uint16_t>(1000 + 40000));
  EXPECT_EQ(rw.ToSourceSequence(static_cast<uint16_t>(out - 100)), static_cast<uint16_t>(1000 + 39900));
  EXPECT_EQ(rw.ToSourceSequence(static_cast<uint16_t>(out + 1)), std::nullopt);  // not sent yet
  // A number further back than 2^15 is ambiguous: it is not mapped.
  EXPECT_EQ(rw.ToSourceSequence(static_cast<uint16_t>(out - 32768)), std::nullopt);
}

}  // namespace
}  // namespace medicall::webrtc::rtp
