#include "webrtc/rtcp/Bye.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

TEST(ByeTest, ParsesAndRoundTrips) {
  const auto data = test::ReadTestFile("rtcp/bye.bin");
  auto bye = Bye::Parse(data);
  ASSERT_TRUE(bye);
  ASSERT_EQ(bye->ssrcCount, 2u);
  EXPECT_EQ(bye->ssrcs[0], 0x5c7a9e01u);
  EXPECT_EQ(bye->ssrcs[1], 0x0badcafeu);
  EXPECT_EQ(bye->reason, "bye");
  std::array<uint8_t, 64> out{};
  ASSERT_EQ(bye->Serialize(out), data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
}

TEST(ByeTest, RejectsLies) {
  auto data = test::ReadTestFile("rtcp/bye.bin");
  auto reasonTooLong = data;
  reasonTooLong[12] = 4;
  EXPECT_FALSE(Bye::Parse(reasonTooLong));
  auto tooManySsrcs = data;
  tooManySsrcs[0] = 0x84;  // SC=4: 16 bytes of SSRCs in a 12-byte body
  EXPECT_FALSE(Bye::Parse(tooManySsrcs));
}

TEST(ByeTest, WithoutReason) {
  Bye bye;
  ASSERT_TRUE(bye.AddSsrc(9));
  std::array<uint8_t, 16> out{};
  ASSERT_EQ(bye.Serialize(out), 8u);
  auto again = Bye::Parse(std::span<const uint8_t>(out.data(), 8));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->ssrcCount, 1u);
  EXPECT_TRUE(again->reason.empty());
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
