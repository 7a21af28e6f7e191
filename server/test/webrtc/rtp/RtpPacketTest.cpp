#include "webrtc/rtp/RtpPacket.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtp {
namespace {

using test::ReadTestFile;

std::vector<uint8_t> Bytes(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

TEST(RtpPacketTest, ParsesFixedHeaderAndChromiumOpusExtensions) {
  auto data = ReadTestFile("rtp/chrome-opus.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->Version(), 2);
  EXPECT_FALSE(p->HasPadding());
  EXPECT_TRUE(p->HasExtension());
  EXPECT_EQ(p->CsrcCount(), 0);
  EXPECT_TRUE(p->Marker());
  EXPECT_EQ(p->PayloadType(), 111);
  EXPECT_EQ(p->SequenceNumber(), 0x8000);
  EXPECT_EQ(p->Timestamp(), 48000u);
  EXPECT_EQ(p->Ssrc(), 0x0badcafeu);
  EXPECT_EQ(p->GetExtensionMode(), RtpPacket::ExtensionMode::kOneByte);
  EXPECT_EQ(p->ExtensionProfile(), 0xBEDE);
  EXPECT_EQ(p->HeaderSize(), 28u);
  EXPECT_EQ(p->PayloadSize(), 41u);
  EXPECT_EQ(p->Payload()[0], 0x78);
  auto level = p->GetAudioLevel(1);
  ASSERT_TRUE(level);
  EXPECT_TRUE(level->voice);
  EXPECT_EQ(level->level, 30);
  EXPECT_EQ(p->GetAbsSendTime(2), 0x123457u);
  EXPECT_EQ(p->GetTransportSequenceNumber(3), 65535);
  EXPECT_EQ(p->GetMid(4), "0");
  EXPECT_FALSE(p->FindExtension(5));
  EXPECT_FALSE(p->GetMid(0));
}

// The router's per-subscriber copy: same fields without a second parse, written apart from the source.
TEST(RtpPacketTest, CopyToKeepsTheParsedLayoutAndLeavesTheSourceAlone) {
  auto data = ReadTestFile("rtp/chrome-opus.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  std::vector<uint8_t> out(data.size() + 16, 0xEE);
  auto copy = p->CopyTo(out);
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->Data().data(), out.data());
  EXPECT_EQ(Bytes(copy->Data()), Bytes(p->Data()));
  EXPECT_EQ(copy->HeaderSize(), p->HeaderSize());
  EXPECT_EQ(copy->PayloadSize(), p->PayloadSize());
  EXPECT_EQ(copy->GetTransportSequenceNumber(3), 65535);
  EXPECT_EQ(copy->GetMid(4), "0");
  copy->SetSsrc(0x11223344u);
  ASSERT_TRUE(copy->SetTransportSequenceNumber(3, 7));
  EXPECT_EQ(p->Ssrc(), 0x0badcafeu);
  EXPECT_EQ(p->GetTransportSequenceNumber(3), 65535);
  EXPECT_EQ(copy->GetTransportSequenceNumber(3), 7);
  EXPECT_EQ(out[data.size()], 0xEE) << "nothing written past the packet";
  std::vector<uint8_t> small(data.size() - 1);
  EXPECT_FALSE(p->CopyTo(small));
}

TEST(RtpPacketTest, Rfc8285OneByteExample) {
  auto data = ReadTestFile("rtp/rfc8285-one-byte.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->GetExtensionMode(), RtpPacket::ExtensionMode::kOneByte);
  EXPECT_EQ(Bytes(*p->FindExtension(1)), (std::vector<uint8_t>{0xAA}));
  EXPECT_EQ(Bytes(*p->FindExtension(2)), (std::vector<uint8_t>{0xBB, 0xBC}));
  EXPECT_EQ(Bytes(*p->FindExtension(3)), (std::vector<uint8_t>{0xC1, 0xC2, 0xC3, 0xC4}));
  std::vector<int> ids;
  p->ForEachExtension([&](uint8_t id, std::span<const uint8_t>) { ids.push_back(id); });
  EXPECT_EQ(ids, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(Bytes(p->Payload()), (std::vector<uint8_t>{1, 2, 3, 4}));
}

TEST(RtpPacketTest, Rfc8285TwoByteExample) {
  auto data = ReadTestFile("rtp/rfc8285-two-byte.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->GetExtensionMode(), RtpPacket::ExtensionMode::kTwoByte);
  auto e1 = p->FindExtension(1);
  ASSERT_TRUE(e1);
  EXPECT_TRUE(e1->empty());  // two-byte form allows zero-length elements
  EXPECT_EQ(Bytes(*p->FindExtension(2)), (std::vector<uint8_t>{0xBB}));
  EXPECT_EQ(Bytes(*p->FindExtension(3)), (std::vector<uint8_t>{0xC1, 0xC2, 0xC3, 0xC4}));
  EXPECT_EQ(Bytes(p->Payload()), (std::vector<uint8_t>{5, 6}));
}

TEST(RtpPacketTest, OneByteId15EndsProcessing) {
  // Elements: id 1 (1 byte), id 15 (length ignored), then what would be id 2.
  std::vector<uint8_t> data = {0x90, 96, 0, 1,    0,    0,    0,    1,    0,    0, 0, 9,   0xBE,
                               0xDE, 0,  2, 0x10, 0x55, 0xF0, 0x21, 0x66, 0x77, 0, 0, 0xAB};
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->FindExtension(1));
  EXPECT_FALSE(p->FindExtension(2));
  EXPECT_FALSE(p->FindExtension(15));
  EXPECT_EQ(p->PayloadSize(), 1u);
}

TEST(RtpPacketTest, OneByteId0IsSinglePaddingByte) {
  // A zero byte, then a byte with id 0 and a non-zero length nibble (skipped alone), then id 2 with 1 byte.
  std::vector<uint8_t> data = {0x90, 96, 0,    1,    0, 0, 0,    1,    0,    0,
                               0,    9,  0xBE, 0xDE, 0, 1, 0x00, 0x03, 0x20, 0x42};
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(Bytes(*p->FindExtension(2)), (std::vector<uint8_t>{0x42}));
  EXPECT_EQ(p->PayloadSize(), 0u);
}

TEST(RtpPacketTest, CsrcsAndPadding) {
  std::vector<uint8_t> data = {0xA2, 0x00, 0x12, 0x34, 0, 0, 0, 5,    0xDE, 0xAD, 0xBE, 0xEF, 0,
                               0,    0,    1,    0,    0, 0, 2, 0x11, 0x22, 0,    0,    3};
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->CsrcCount(), 2);
  EXPECT_EQ(p->Csrc(0), 1u);
  EXPECT_EQ(p->Csrc(1), 2u);
  EXPECT_EQ(p->HeaderSize(), 20u);
  EXPECT_EQ(p->PaddingSize(), 3u);
  EXPECT_EQ(Bytes(p->Payload()), (std::vector<uint8_t>{0x11, 0x22}));
}

TEST(RtpPacketTest, PaddingOnlyPacketHasEmptyPayload) {
  auto data = ReadTestFile("rtp/rtx-padding-only.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->PaddingSize(), 224u);
  EXPECT_EQ(p->PayloadSize(), 0u);
  EXPECT_EQ(p->GetTransportSequenceNumber(3), 44);
}

TEST(RtpPacketTest, RejectsKeptMalformedPackets) {
  for (const char* name : {"rtp/bad-padding-too-long.bin", "rtp/bad-extension-length.bin",
                           "rtp/bad-csrc-count.bin", "rtp/bad-extension-element.bin"}) {
    auto data = ReadTestFile(name);
    ASSERT_FALSE(data.empty()) << name;
    EXPECT_FALSE(RtpPacket::Parse(data)) << name;
  }
}

TEST(RtpPacketTest, RejectsLyingFields) {
  std::vector<uint8_t> base = {0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0xAA};
  EXPECT_TRUE(RtpPacket::Parse(base));
  auto v1 = base;
  v1[0] = 0x40;  // version 1
  EXPECT_FALSE(RtpPacket::Parse(v1));
  auto pad0 = base;
  pad0[0] |= 0x20;
  pad0.back() = 0;  // padding count 0
  EXPECT_FALSE(RtpPacket::Parse(pad0));
  auto padAll = base;
  padAll[0] |= 0x20;
  padAll.back() = 1;  // the whole payload is padding: allowed
  auto p = RtpPacket::Parse(padAll);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->PayloadSize(), 0u);
  auto padHeader = base;
  padHeader[0] |= 0x20;
  padHeader.back() = 2;  // would reach into the header
  EXPECT_FALSE(RtpPacket::Parse(padHeader));
  std::vector<uint8_t> extHeaderCut = {0x90, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 0xBE, 0xDE};
  EXPECT_FALSE(RtpPacket::Parse(extHeaderCut));
  std::vector<uint8_t> twoByteCut = {0x90, 96, 0,    1,    0, 0, 0,    1,    0, 0,
                                     0,    9,  0x10, 0x00, 0, 1, 0x05, 0x03, 0, 0};
  EXPECT_FALSE(RtpPacket::Parse(twoByteCut));  // element claims 3 bytes, 2 left in the block
  // Every truncation of a valid packet with extensions is either rejected or consistent.
  auto full = ReadTestFile("rtp/chrome-vp8-keyframe.bin");
  for (size_t n = 0; n < 28; ++n) {
    std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
    EXPECT_FALSE(RtpPacket::Parse(cut)) << n;
  }
}

TEST(RtpPacketTest, UnknownProfileIsOpaque) {
  std::vector<uint8_t> data = {0x90, 96, 0,    1,    0, 0, 0,    1,    0,    0,
                               0,    9,  0x12, 0x34, 0, 1, 0x10, 0xFF, 0xFF, 0xFF};
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->GetExtensionMode(), RtpPacket::ExtensionMode::kOther);
  EXPECT_FALSE(p->FindExtension(1));
  EXPECT_EQ(p->ExtensionBlock().size(), 4u);
}

TEST(RtpPacketTest, RewritesHeaderInPlace) {
  auto data = ReadTestFile("rtp/chrome-vp8-keyframe.bin");
  const auto original = data;
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  p->SetSsrc(0xCAFEBABE);
  p->SetSequenceNumber(7);
  p->SetTimestamp(0xFFFFFFFF);
  p->SetPayloadType(100);
  p->SetMarker(true);
  EXPECT_EQ(p->Ssrc(), 0xCAFEBABEu);
  EXPECT_EQ(p->SequenceNumber(), 7);
  EXPECT_EQ(p->Timestamp(), 0xFFFFFFFFu);
  EXPECT_EQ(p->PayloadType(), 100);
  EXPECT_TRUE(p->Marker());
  EXPECT_TRUE(p->HasExtension());  // flags untouched
  EXPECT_EQ(data[0], original[0]);
  EXPECT_TRUE(std::equal(data.begin() + 12, data.end(), original.begin() + 12));
  auto again = RtpPacket::Parse(data);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->SequenceNumber(), 7);
}

TEST(RtpPacketTest, RewritesExtensionsInPlace) {
  auto data = ReadTestFile("rtp/chrome-opus.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->SetTransportSequenceNumber(3, 1234));
  EXPECT_TRUE(p->SetAbsSendTime(2, 0xABCDEF));
  EXPECT_TRUE(p->SetAudioLevel(1, {false, 127}));
  EXPECT_TRUE(p->SetMid(4, "7"));
  EXPECT_FALSE(p->SetMid(4, "77"));  // no room: sizes must match
  EXPECT_FALSE(p->SetTransportSequenceNumber(9, 1));
  auto again = RtpPacket::Parse(data);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->GetTransportSequenceNumber(3), 1234);
  EXPECT_EQ(again->GetAbsSendTime(2), 0xABCDEFu);
  EXPECT_EQ(again->GetAudioLevel(1), (RtpPacket::AudioLevel{false, 127}));
  EXPECT_EQ(again->GetMid(4), "7");
  EXPECT_EQ(again->PayloadSize(), 41u);
}

TEST(RtpPacketTest, DemuxHelpers) {
  auto rtp = ReadTestFile("rtp/chrome-opus.bin");
  EXPECT_TRUE(RtpPacket::LooksLikeRtp(rtp));
  std::vector<uint8_t> rtcp = {0x80, 200, 0, 6, 0, 0, 0, 1, 0, 0, 0, 0};
  EXPECT_FALSE(RtpPacket::LooksLikeRtp(rtcp));
  std::vector<uint8_t> stun = {0x00, 0x01, 0, 0, 0x21, 0x12, 0xA4, 0x42, 0, 0, 0, 0};
  EXPECT_FALSE(RtpPacket::LooksLikeRtp(stun));
}

}  // namespace
}  // namespace medicall::webrtc::rtp
