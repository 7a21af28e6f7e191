#include "media/bwe/BitrateAllocator.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace medicall::media::bwe {
namespace {

using Demand = BitrateAllocator::Demand;

std::vector<uint64_t> Split(uint64_t total, const std::vector<Demand>& d, uint64_t* allocated = nullptr) {
  std::vector<uint64_t> out(d.size(), 12345);
  const uint64_t a = BitrateAllocator::Allocate(total, d, out);
  if (allocated != nullptr) *allocated = a;
  return out;
}

TEST(BitrateAllocatorTest, EqualSplitWithoutPriorities) {
  uint64_t allocated = 0;
  const auto out = Split(3'000'000, {{}, {}, {}}, &allocated);
  EXPECT_EQ(out, (std::vector<uint64_t>{1'000'000, 1'000'000, 1'000'000}));
  EXPECT_EQ(allocated, 3'000'000u);
}

TEST(BitrateAllocatorTest, CappedStreamsLeaveTheRestToOthers) {
  Demand small;
  small.maxBps = 300'000;
  uint64_t allocated = 0;
  const auto out = Split(2'000'000, {small, {}, {}}, &allocated);
  EXPECT_EQ(out, (std::vector<uint64_t>{300'000, 850'000, 850'000}));
  // Everything capped: the rest stays unallocated.
  Demand a;
  a.maxBps = 500'000;
  const auto capped = Split(2'000'000, {a, a}, &allocated);
  EXPECT_EQ(capped, (std::vector<uint64_t>{500'000, 500'000}));
  EXPECT_EQ(allocated, 1'000'000u);
}

TEST(BitrateAllocatorTest, HigherPriorityIsFilledFirst) {
  Demand speaker;
  speaker.priority = 10;
  speaker.maxBps = 1'500'000;
  Demand other;
  other.priority = 5;
  other.maxBps = 1'500'000;
  const auto out = Split(2'000'000, {other, speaker, other});
  EXPECT_EQ(out, (std::vector<uint64_t>{250'000, 1'500'000, 250'000}));
}

TEST(BitrateAllocatorTest, MinimumsByPriorityAndPausedGetNothing) {
  Demand low;
  low.priority = 1;
  low.minBps = 150'000;
  low.maxBps = 1'500'000;
  Demand high = low;
  high.priority = 2;
  Demand paused = high;
  paused.paused = true;
  // 400k: both minimums fit (300k), the rest goes to the more important one.
  EXPECT_EQ(Split(400'000, {low, high, paused}), (std::vector<uint64_t>{150'000, 250'000, 0}));
  // 200k: only the more important one gets its minimum; the other gets nothing (its selector pauses it).
  EXPECT_EQ(Split(200'000, {low, high}), (std::vector<uint64_t>{0, 200'000}));
  // A less important one with a smaller minimum still gets it when a bigger one did not fit.
  Demand big = high;
  big.minBps = 500'000;
  Demand tiny = low;
  tiny.minBps = 50'000;
  EXPECT_EQ(Split(300'000, {big, tiny}), (std::vector<uint64_t>{0, 300'000}));
}

TEST(BitrateAllocatorTest, NothingToShare) {
  EXPECT_EQ(Split(0, {{}, {}}), (std::vector<uint64_t>{0, 0}));
  std::array<uint64_t, 1> out{};
  EXPECT_EQ(BitrateAllocator::Allocate(1'000'000, std::span<const Demand>(), out), 0u);
  // Fewer outputs than demands: only those are written.
  std::vector<Demand> two(2);
  EXPECT_EQ(BitrateAllocator::Allocate(1'000'000, two, out), 1'000'000u);
  EXPECT_EQ(out[0], 1'000'000u);
}

}  // namespace
}  // namespace medicall::media::bwe
