#include "webrtc/rtp/RtpPacketCache.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace medicall::webrtc::rtp {
namespace {

TEST(RtpPacketCacheTest, StoresAndFindsBySequenceAcrossWrap) {
  RtpPacketCache cache(100);
  EXPECT_EQ(cache.Capacity(), 128u);
  for (uint32_t i = 0; i < 300; ++i) {
    const uint16_t seq = static_cast<uint16_t>(65500 + i);
    std::vector<uint8_t> pkt(10 + i % 7, static_cast<uint8_t>(i));
    ASSERT_TRUE(cache.Store(seq, pkt, i));
  }
  // The last 128 are present with their own contents; older ones are gone, never aliased.
  for (uint32_t i = 0; i < 300; ++i) {
    const uint16_t seq = static_cast<uint16_t>(65500 + i);
    auto e = cache.Get(seq, 300, 10'000);
    if (i < 300 - 128) {
      EXPECT_FALSE(e) << i;
    } else {
      ASSERT_TRUE(e) << i;
      EXPECT_EQ(e->data.size(), 10 + i % 7);
      EXPECT_EQ(e->data[0], static_cast<uint8_t>(i));
      EXPECT_EQ(e->storedAtMs, static_cast<int64_t>(i));
    }
  }
}

TEST(RtpPacketCacheTest, AgeLimitRetransmissionCountAndOversize) {
  RtpPacketCache cache(16);
  const std::vector<uint8_t> pkt(100, 1);
  ASSERT_TRUE(cache.Store(5, pkt, 1000));
  EXPECT_TRUE(cache.Get(5, 1500, 500));
  EXPECT_FALSE(cache.Get(5, 1501, 500));
  EXPECT_EQ(cache.GetForRetransmission(5, 1100, 500)->retransmissions, 0u);
  EXPECT_EQ(cache.GetForRetransmission(5, 1100, 500)->retransmissions, 1u);
  EXPECT_FALSE(cache.Store(6, std::vector<uint8_t>(RtpPacketCache::kMaxPacketSize + 1), 0));
  EXPECT_FALSE(cache.Get(6, 0, 500));
  EXPECT_FALSE(cache.Get(21, 1100, 500));  // same slot as 5, other sequence
  cache.Clear();
  EXPECT_FALSE(cache.Get(5, 1100, 500));
}

}  // namespace
}  // namespace medicall::webrtc::rtp
