#include "webrtc/rtcp/Nack.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

std::vector<uint16_t> Expand(const Nack& nack) {
  std::vector<uint16_t> lost;
  nack.ForEachLost([&](uint16_t s) { lost.push_back(s); });
  return lost;
}

TEST(NackTest, ExpandsPidAndBlpWithWrap) {
  const auto data = test::ReadTestFile("rtcp/nack.bin");
  auto nack = Nack::Parse(data);
  ASSERT_TRUE(nack);
  EXPECT_EQ(nack->SenderSsrc(), 1u);
  EXPECT_EQ(nack->MediaSsrc(), 0x5c7a9e01u);
  EXPECT_EQ(nack->ItemCount(), 2u);
  EXPECT_EQ(Expand(*nack), (std::vector<uint16_t>{0x2f10, 0x2f11, 0x2f13, 65534, 65535, 14}));
  std::array<uint16_t, 4> small{};
  EXPECT_EQ(nack->LostPackets(small), 4u);  // bounded by the output
  EXPECT_EQ(small[3], 65534);
}

TEST(NackTest, SerializesToTheKeptPacket) {
  const auto data = test::ReadTestFile("rtcp/nack.bin");
  const std::vector<uint16_t> lost = {0x2f10, 0x2f11, 0x2f13, 65534, 65535, 14};
  std::array<uint8_t, 64> out{};
  const size_t n = Nack::Serialize(1, 0x5c7a9e01, lost, out);
  ASSERT_EQ(n, data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
  EXPECT_EQ(Nack::Serialize(1, 2, {}, out), 0u);
  EXPECT_EQ(Nack::Serialize(1, 2, lost, std::span<uint8_t>(out.data(), n - 1)), 0u);
}

TEST(NackTest, RoundTripsArbitraryLists) {
  std::vector<uint16_t> lost;
  for (uint32_t s = 65000; s < 65000 + 1200; s += (s % 7) + 1) lost.push_back(static_cast<uint16_t>(s));
  std::vector<uint8_t> out(Nack::SerializedSize(lost));
  ASSERT_EQ(Nack::Serialize(5, 6, lost, out), out.size());
  auto nack = Nack::Parse(out);
  ASSERT_TRUE(nack);
  EXPECT_EQ(Expand(*nack), lost);
  // Unsorted input with duplicates still reports the same set.
  std::vector<uint16_t> messy = {10, 3, 10, 4, 40, 3, 25};
  std::vector<uint8_t> out2(Nack::SerializedSize(messy));
  ASSERT_EQ(Nack::Serialize(5, 6, messy, out2), out2.size());
  auto nack2 = Nack::Parse(out2);
  ASSERT_TRUE(nack2);
  const auto got = Expand(*nack2);
  EXPECT_EQ(std::set<uint16_t>(got.begin(), got.end()), std::set<uint16_t>(messy.begin(), messy.end()));
}

TEST(NackTest, RejectsLies) {
  auto data = test::ReadTestFile("rtcp/nack.bin");
  auto noFci = data;
  noFci[3] = 2;
  EXPECT_FALSE(Nack::Parse(std::span<const uint8_t>(noFci).first(12)));
  auto wrongFmt = data;
  wrongFmt[0] = 0x82;
  EXPECT_FALSE(Nack::Parse(wrongFmt));
  auto longer = data;
  longer[3] = 6;  // one item more than the buffer holds
  EXPECT_FALSE(Nack::Parse(longer));
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
