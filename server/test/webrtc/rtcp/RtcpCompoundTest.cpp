#include "webrtc/rtcp/RtcpCompound.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

TEST(RtcpCompoundTest, IteratesChromiumSrSdes) {
  const auto data = test::ReadTestFile("rtcp/chrome-sr-sdes.bin");
  RtcpCompound compound(data);
  EXPECT_TRUE(compound.Validate());
  EXPECT_EQ(compound.PacketCount(), 2u);
  std::vector<int> types;
  std::vector<size_t> sizes;
  EXPECT_TRUE(compound.ForEach([&](const RtcpCompound::Packet& p) {
    types.push_back(p.header.packetType);
    sizes.push_back(p.data.size());
  }));
  EXPECT_EQ(types, (std::vector<int>{200, 202}));
  EXPECT_EQ(sizes, (std::vector<size_t>{28, 28}));
}

TEST(RtcpCompoundTest, RejectsLyingLengths) {
  const auto bad = test::ReadTestFile("rtcp/bad-compound-length.bin");
  RtcpCompound compound(bad);
  EXPECT_FALSE(compound.Validate());
  EXPECT_EQ(compound.PacketCount(), 0u);
  size_t visited = 0;
  EXPECT_FALSE(compound.ForEach([&](const RtcpCompound::Packet&) { ++visited; }));
  EXPECT_EQ(visited, 1u);  // the valid SR before the lie

  auto good = test::ReadTestFile("rtcp/chrome-sr-sdes.bin");
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
    EXPECT_EQ(RtcpCompound(cut).Validate(), n == 28) << n;  // only the cut between the two packets
  }
  auto wrongVersion = good;
  wrongVersion[28] = 0x41;
  EXPECT_FALSE(RtcpCompound(wrongVersion).Validate());
  EXPECT_FALSE(RtcpCompound({}).Validate());
}

TEST(RtcpCompoundTest, HeaderPadding) {
  // RR without blocks, padded with 4 octets (P bit, count 4).
  const std::vector<uint8_t> padded = {0xA0, 201, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4};
  auto h = RtcpHeader::Parse(padded);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->padding);
  EXPECT_EQ(h->Body(padded).size(), 4u);
  auto zeroPad = padded;
  zeroPad[11] = 0;
  EXPECT_FALSE(RtcpHeader::Parse(zeroPad));
  auto hugePad = padded;
  hugePad[11] = 9;  // reaches into the header
  EXPECT_FALSE(RtcpHeader::Parse(hugePad));
  EXPECT_TRUE(RtcpHeader::LooksLikeRtcp(padded));
  EXPECT_FALSE(RtcpHeader::LooksLikeRtcp(std::vector<uint8_t>{0x80, 96, 0, 1}));
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
