#include "media/bwe/ProbeBitrateEstimator.hpp"

#include <gtest/gtest.h>

namespace medicall::media::bwe {
namespace {

// Five 1000-byte packets sent 2 ms apart (4 Mbit/s), arriving `arrivalGapUs` apart.
std::optional<uint64_t> Cluster(ProbeBitrateEstimator& e, int id, int64_t arrivalGapUs) {
  std::optional<uint64_t> r;
  for (int i = 0; i < 5; ++i) r = e.OnPacket(id, 1'000'000 + i * 2'000, 5'000'000 + i * arrivalGapUs, 1000);
  return r;
}

TEST(ProbeBitrateEstimatorTest, APathFasterThanTheProbeGivesTheSendRate) {
  ProbeBitrateEstimator e;
  const auto r = Cluster(e, 1, 2'000);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 4'000'000u);
  EXPECT_EQ(e.TakeResult(), r);
  EXPECT_FALSE(e.TakeResult());
}

TEST(ProbeBitrateEstimatorTest, ABottleneckGivesALittleUnderItsRate) {
  ProbeBitrateEstimator e;
  const auto r = Cluster(e, 2, 8'000);  // spread to 1 Mbit/s by the link
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, 950'000u);
}

TEST(ProbeBitrateEstimatorTest, TooFewPacketsOrACompressedBurstGiveNothing) {
  ProbeBitrateEstimator e;
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(e.OnPacket(3, i * 2'000, i * 2'000, 1000));
  EXPECT_FALSE(Cluster(e, 4, 500));  // arrived 4x faster than sent: not a measurement
  EXPECT_FALSE(e.OnPacket(-1, 0, 0, 1000));
  EXPECT_FALSE(e.TakeResult());
  // Packets of several clusters interleave in feedback: each is measured on its own.
  ProbeBitrateEstimator mixed;
  std::optional<uint64_t> a;
  std::optional<uint64_t> b;
  for (int i = 0; i < 5; ++i) {
    a = mixed.OnPacket(7, i * 2'000, 100'000 + i * 2'000, 1000);
    b = mixed.OnPacket(8, i * 1'000, 200'000 + i * 4'000, 1000);
  }
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, 4'000'000u);
  EXPECT_EQ(*b, 1'900'000u);  // sent at 8, arrived at 2 Mbit/s: 95% of 2
}

}  // namespace
}  // namespace medicall::media::bwe
