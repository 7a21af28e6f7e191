#include "webrtc/rtp/H264Payload.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtp {
namespace {

H264Payload::Info InspectFile(const char* name) {
  auto data = test::ReadTestFile(name);
  auto p = RtpPacket::Parse(data);
  EXPECT_TRUE(p) << name;
  return p ? H264Payload::Inspect(p->Payload()) : H264Payload::Info{};
}

TEST(H264PayloadTest, StapAWithSpsAndPpsStartsKeyframe) {
  const auto info = InspectFile("rtp/h264-stap-a-sps-pps.bin");
  EXPECT_TRUE(info.valid);
  EXPECT_TRUE(info.hasSps);
  EXPECT_TRUE(info.hasPps);
  EXPECT_FALSE(info.hasIdr);
  EXPECT_TRUE(info.IsKeyframe());
}

TEST(H264PayloadTest, FuAOnlyFirstFragmentCounts) {
  const auto start = InspectFile("rtp/h264-fu-a-idr-start.bin");
  EXPECT_TRUE(start.valid);
  EXPECT_TRUE(start.hasIdr);
  EXPECT_TRUE(start.IsKeyframe());
  const auto middle = InspectFile("rtp/h264-fu-a-idr-middle.bin");
  EXPECT_TRUE(middle.valid);
  EXPECT_FALSE(middle.IsKeyframe());
}

TEST(H264PayloadTest, SingleNalUnits) {
  EXPECT_TRUE(H264Payload::IsKeyframe(std::vector<uint8_t>{0x65, 0x88, 0x84}));  // IDR slice
  EXPECT_FALSE(H264Payload::IsKeyframe(std::vector<uint8_t>{0x41, 0x9a}));       // non-IDR slice
  EXPECT_FALSE(H264Payload::IsKeyframe(std::vector<uint8_t>{0xE5, 0x88}));       // forbidden bit set
  EXPECT_FALSE(H264Payload::Inspect({}).valid);
}

TEST(H264PayloadTest, NeverTrustsStapASizes) {
  // Second NAL size claims 200 bytes with 4 present.
  EXPECT_FALSE(
      H264Payload::Inspect(std::vector<uint8_t>{0x78, 0, 2, 0x67, 0x42, 0, 200, 0x65, 1, 2, 3}).valid);
  // Zero size, and a size byte cut in half.
  EXPECT_FALSE(H264Payload::Inspect(std::vector<uint8_t>{0x78, 0, 0, 0x67}).valid);
  EXPECT_FALSE(H264Payload::Inspect(std::vector<uint8_t>{0x78, 0, 1, 0x67, 0}).valid);
  // Header only.
  EXPECT_FALSE(H264Payload::Inspect(std::vector<uint8_t>{0x78}).valid);
  // Every truncation of the kept STAP-A is either fully valid or invalid, never read past the end.
  auto data = test::ReadTestFile("rtp/h264-stap-a-sps-pps.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  ASSERT_EQ(p->PayloadSize(), 23u);
  for (size_t n = 0; n < p->PayloadSize(); ++n) {
    // Only the cut right after the SPS (1 + 2 + 14 bytes) leaves whole NAL units.
    EXPECT_EQ(H264Payload::Inspect(p->Payload().first(n)).valid, n == 17) << n;
  }
  // FU-A with S and E both set, or without a fragment byte.
  EXPECT_FALSE(H264Payload::Inspect(std::vector<uint8_t>{0x7c, 0xC5, 1}).valid);
  EXPECT_FALSE(H264Payload::Inspect(std::vector<uint8_t>{0x7c, 0x85}).valid);
}

}  // namespace
}  // namespace medicall::webrtc::rtp
