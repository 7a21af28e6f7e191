#include "webrtc/rtp/SeqNum.hpp"

#include <gtest/gtest.h>

#include "webrtc/rtp/SeqNumUnwrapper.hpp"

namespace medicall::webrtc::rtp {
namespace {

TEST(SeqNumTest, ComparesAcrossWrap) {
  EXPECT_TRUE(SeqNum::IsNewer(1, 0));
  EXPECT_TRUE(SeqNum::IsNewer(0, 65535));
  EXPECT_TRUE(SeqNum::IsNewer(10, 65500));
  EXPECT_FALSE(SeqNum::IsNewer(65500, 10));
  EXPECT_FALSE(SeqNum::IsNewer(5, 5));
  EXPECT_TRUE(SeqNum::IsNewerOrEqual(5, 5));
  // Exactly half way: antisymmetric.
  EXPECT_NE(SeqNum::IsNewer(0x8000, 0), SeqNum::IsNewer(0, 0x8000));
  EXPECT_EQ(SeqNum::Diff(1, 65535), 2);
  EXPECT_EQ(SeqNum::Diff(65535, 1), -2);
  EXPECT_EQ(SeqNum::Latest(65530, 3), 3);
}

TEST(SeqNumTest, UnwrapsForwardBackwardAndAcrossCycles) {
  SeqNumUnwrapper u;
  const int64_t first = u.Unwrap(65534);
  EXPECT_EQ(u.Unwrap(65535), first + 1);
  EXPECT_EQ(u.Unwrap(0), first + 2);
  EXPECT_EQ(u.Unwrap(65533), first - 1);  // late packet from before the wrap
  EXPECT_EQ(u.Unwrap(1), first + 3);
  int64_t last = first + 3;
  uint16_t seq = 1;
  for (int i = 0; i < 3 * 65536; i += 1000) {  // several full cycles in steps
    seq = static_cast<uint16_t>(seq + 1000);
    last += 1000;
    ASSERT_EQ(u.Unwrap(seq), last);
  }
  EXPECT_EQ(u.PeekUnwrap(static_cast<uint16_t>(seq - 5)), last - 5);
  // The first value maps to itself plus one cycle, so a packet reordered before it (here 536 earlier,
  // across the wrap) is still non-negative and exactly that much lower.
  SeqNumUnwrapper fresh;
  EXPECT_EQ(fresh.Unwrap(0), 65536);
  EXPECT_EQ(fresh.Unwrap(65000), 65536 - 536);
  EXPECT_EQ(fresh.Unwrap(1), 65537);
}

}  // namespace
}  // namespace medicall::webrtc::rtp
