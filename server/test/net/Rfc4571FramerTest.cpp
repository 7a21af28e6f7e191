#include "net/Rfc4571Framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace medicall::net {
namespace {

std::vector<uint8_t> Framed(const std::string& payload) {
  std::vector<uint8_t> out{static_cast<uint8_t>(payload.size() >> 8), static_cast<uint8_t>(payload.size())};
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

struct Collector {
  std::vector<std::string> frames;
  std::function<void(std::span<uint8_t>)> Sink() {
    return [this](std::span<uint8_t> f) { frames.emplace_back(f.begin(), f.end()); };
  }
};

TEST(Rfc4571FramerTest, OneFrameInOneRead) {
  Rfc4571Framer framer(1500);
  Collector c;
  framer.Feed(Framed("hello"), c.Sink());
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0], "hello");
  EXPECT_EQ(framer.Pending(), 0u);
}

TEST(Rfc4571FramerTest, FramesSplitAtEveryByteBoundary) {
  std::vector<uint8_t> stream = Framed("first");
  const auto second = Framed(std::string(300, 'x'));
  stream.insert(stream.end(), second.begin(), second.end());
  Rfc4571Framer framer(1500);
  Collector c;
  for (uint8_t b : stream) framer.Feed(std::span<const uint8_t>(&b, 1), c.Sink());
  ASSERT_EQ(c.frames.size(), 2u);
  EXPECT_EQ(c.frames[0], "first");
  EXPECT_EQ(c.frames[1], std::string(300, 'x'));
  EXPECT_EQ(framer.GetCounters().frames, 2u);
}

TEST(Rfc4571FramerTest, SeveralFramesInOneRead) {
  std::vector<uint8_t> stream;
  for (const char* p : {"a", "bb", "ccc"}) {
    const auto f = Framed(p);
    stream.insert(stream.end(), f.begin(), f.end());
  }
  Rfc4571Framer framer(1500);
  Collector c;
  framer.Feed(stream, c.Sink());
  EXPECT_EQ(c.frames, (std::vector<std::string>{"a", "bb", "ccc"}));
}

TEST(Rfc4571FramerTest, OversizedFrameIsSkippedAndTheStreamStaysInStep) {
  std::vector<uint8_t> stream = Framed(std::string(2000, 'o'));
  const auto next = Framed("after");
  stream.insert(stream.end(), next.begin(), next.end());
  Rfc4571Framer framer(1500);
  Collector c;
  // Split the oversized body across reads to exercise the skip counter.
  framer.Feed(std::span<const uint8_t>(stream).first(700), c.Sink());
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(framer.Pending(), 0u) << "an oversized frame must not be buffered";
  framer.Feed(std::span<const uint8_t>(stream).subspan(700), c.Sink());
  ASSERT_EQ(c.frames.size(), 1u);
  EXPECT_EQ(c.frames[0], "after");
  EXPECT_EQ(framer.GetCounters().oversized, 1u);
}

TEST(Rfc4571FramerTest, EmptyFramesAreSkippedAndCounted) {
  std::vector<uint8_t> stream{0, 0};
  const auto next = Framed("x");
  stream.insert(stream.end(), next.begin(), next.end());
  Rfc4571Framer framer(1500);
  Collector c;
  framer.Feed(stream, c.Sink());
  EXPECT_EQ(c.frames, (std::vector<std::string>{"x"}));
  EXPECT_EQ(framer.GetCounters().empty, 1u);
}

TEST(Rfc4571FramerTest, PartialFrameIsHeldUntilComplete) {
  const auto f = Framed("abcdef");
  Rfc4571Framer framer(1500);
  Collector c;
  framer.Feed(std::span<const uint8_t>(f).first(4), c.Sink());
  EXPECT_TRUE(c.frames.empty());
  EXPECT_EQ(framer.Pending(), 2u);
  framer.Feed(std::span<const uint8_t>(f).subspan(4), c.Sink());
  EXPECT_EQ(c.frames, (std::vector<std::string>{"abcdef"}));
}

TEST(Rfc4571FramerTest, WriteHeaderRejectsWhatTheFieldCannotCarry) {
  uint8_t h[2] = {};
  EXPECT_TRUE(Rfc4571Framer::WriteHeader(0x1234, std::span<uint8_t, 2>(h)));
  EXPECT_EQ(h[0], 0x12);
  EXPECT_EQ(h[1], 0x34);
  EXPECT_FALSE(Rfc4571Framer::WriteHeader(0, std::span<uint8_t, 2>(h)));
  EXPECT_FALSE(Rfc4571Framer::WriteHeader(0x10000, std::span<uint8_t, 2>(h)));
}

}  // namespace
}  // namespace medicall::net
