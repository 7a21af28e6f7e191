#include "webrtc/rtcp/Sdes.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

TEST(SdesTest, ParsesChromiumCnameAndRoundTrips) {
  const auto data = test::ReadTestFile("rtcp/chrome-sr-sdes.bin");
  const auto packet = std::span<const uint8_t>(data).subspan(28);
  auto sdes = Sdes::Parse(packet);
  ASSERT_TRUE(sdes);
  ASSERT_EQ(sdes->chunkCount, 1u);
  EXPECT_EQ(sdes->chunks[0].ssrc, 0x5c7a9e01u);
  EXPECT_EQ(sdes->chunks[0].Cname(), "dGVzdGNuYW1lMTIz");
  std::array<uint8_t, 128> out{};
  ASSERT_EQ(sdes->Serialize(out), packet.size());
  EXPECT_TRUE(std::equal(packet.begin(), packet.end(), out.begin()));
}

TEST(SdesTest, SeveralChunksAndItems) {
  Sdes sdes;
  ASSERT_TRUE(sdes.AddCname(1, "a"));
  ASSERT_TRUE(sdes.AddCname(2, "exactly-six"));
  ASSERT_TRUE(sdes.chunks[1].AddItem(6, "tool"));  // TOOL
  std::array<uint8_t, 128> out{};
  const size_t n = sdes.Serialize(out);
  ASSERT_GT(n, 0u);
  EXPECT_EQ(n % 4, 0u);
  auto again = Sdes::Parse(std::span<const uint8_t>(out.data(), n));
  ASSERT_TRUE(again);
  ASSERT_EQ(again->chunkCount, 2u);
  EXPECT_EQ(again->chunks[0].Cname(), "a");
  EXPECT_EQ(again->chunks[1].Cname(), "exactly-six");
  ASSERT_EQ(again->chunks[1].itemCount, 2u);
  EXPECT_EQ(again->chunks[1].items[1].type, 6);
  EXPECT_EQ(again->chunks[1].items[1].text, "tool");
}

TEST(SdesTest, RejectsLies) {
  const auto data = test::ReadTestFile("rtcp/chrome-sr-sdes.bin");
  std::vector<uint8_t> packet(data.begin() + 28, data.end());
  auto moreChunks = packet;
  moreChunks[0] = 0x82;  // SC=2 with one chunk
  EXPECT_FALSE(Sdes::Parse(moreChunks));
  auto longItem = packet;
  longItem[9] = 30;  // CNAME length runs past the packet
  EXPECT_FALSE(Sdes::Parse(longItem));
  auto noEnd = packet;
  noEnd[26] = 0x41;  // END octet replaced
  noEnd[27] = 0x41;
  EXPECT_FALSE(Sdes::Parse(noEnd));
  auto fewerChunks = packet;
  fewerChunks[0] = 0x80;  // SC=0 with a chunk present
  EXPECT_FALSE(Sdes::Parse(fewerChunks));
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
