#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtcp/Fir.hpp"
#include "webrtc/rtcp/Pli.hpp"
#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

TEST(PliTest, ParsesAndRoundTrips) {
  const auto data = test::ReadTestFile("rtcp/pli.bin");
  auto pli = Pli::Parse(data);
  ASSERT_TRUE(pli);
  EXPECT_EQ(pli->senderSsrc, 1u);
  EXPECT_EQ(pli->mediaSsrc, 0x5c7a9e01u);
  std::array<uint8_t, 12> out{};
  ASSERT_EQ(pli->Serialize(out), 12u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
  EXPECT_FALSE(Fir::Parse(data));
  auto shortPli = data;
  shortPli[3] = 1;  // length 1 word: the media SSRC is missing
  EXPECT_FALSE(Pli::Parse(std::span<const uint8_t>(shortPli).first(8)));
}

TEST(FirTest, ParsesAndRoundTrips) {
  const auto data = test::ReadTestFile("rtcp/fir.bin");
  auto fir = Fir::Parse(data);
  ASSERT_TRUE(fir);
  EXPECT_EQ(fir->senderSsrc, 1u);
  ASSERT_EQ(fir->entryCount, 1u);
  EXPECT_EQ(fir->entries[0].ssrc, 0x5c7a9e01u);
  EXPECT_EQ(fir->entries[0].seqNr, 7);
  std::array<uint8_t, 32> out{};
  ASSERT_EQ(fir->Serialize(out), data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
  EXPECT_FALSE(Pli::Parse(data));
}

TEST(FirTest, RejectsPartialEntries) {
  auto data = test::ReadTestFile("rtcp/fir.bin");
  data[3] = 3;  // length 3 words: half an entry
  EXPECT_FALSE(Fir::Parse(std::span<const uint8_t>(data).first(16)));
  data[3] = 2;  // no entry at all
  EXPECT_FALSE(Fir::Parse(std::span<const uint8_t>(data).first(12)));
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
