#include "webrtc/rtp/KeyframeDetector.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtp {
namespace {

std::vector<uint8_t> PayloadOf(const char* name) {
  std::vector<uint8_t> bytes = test::ReadTestFile(name);
  auto p = RtpPacket::Parse(bytes);
  EXPECT_TRUE(p.has_value()) << name;
  if (!p) return {};
  return {p->Payload().begin(), p->Payload().end()};
}

TEST(KeyframeDetectorTest, CodecFromTheRtpmapName) {
  EXPECT_EQ(KeyframeDetector::CodecFromName("VP8"), VideoCodec::kVp8);
  EXPECT_EQ(KeyframeDetector::CodecFromName("vp8"), VideoCodec::kVp8);
  EXPECT_EQ(KeyframeDetector::CodecFromName("H264"), VideoCodec::kH264);
  EXPECT_EQ(KeyframeDetector::CodecFromName("h264"), VideoCodec::kH264);
  EXPECT_EQ(KeyframeDetector::CodecFromName("VP9"), VideoCodec::kUnknown);
  EXPECT_EQ(KeyframeDetector::CodecFromName(""), VideoCodec::kUnknown);
}

TEST(KeyframeDetectorTest, H264KeyframesAreFoundOnlyWhenH264WasNegotiated) {
  const auto stapA = PayloadOf("rtp/h264-stap-a-sps-pps.bin");
  const auto fuStart = PayloadOf("rtp/h264-fu-a-idr-start.bin");
  const auto fuMiddle = PayloadOf("rtp/h264-fu-a-idr-middle.bin");
  EXPECT_TRUE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, stapA));
  EXPECT_TRUE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, fuStart));
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, fuMiddle));
  const std::vector<uint8_t> idr{0x65, 0x88, 0x84, 0x00};    // single NAL unit, type 5
  const std::vector<uint8_t> slice{0x41, 0x9a, 0x02, 0x00};  // single NAL unit, type 1
  EXPECT_TRUE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, idr));
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, slice));
  // A STAP-A whose size runs past the payload is no key frame (and no crash).
  const std::vector<uint8_t> lying{0x78, 0x00, 0x40, 0x65, 0x88};
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, lying));
  // The VP8 reading of an H.264 IDR is not a key frame, and the reverse.
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kVp8, stapA));
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kUnknown, stapA));
}

TEST(KeyframeDetectorTest, Vp8KeyframesAreFoundOnlyWhenVp8WasNegotiated) {
  // Descriptor S=1 PID=0, frame tag P=0, start code 0x9d 0x01 0x2a (RFC 7741, RFC 6386 9.1).
  const std::vector<uint8_t> key{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01};
  std::vector<uint8_t> delta = key;
  delta[1] = 0x01;
  EXPECT_TRUE(KeyframeDetector::IsKeyframe(VideoCodec::kVp8, key));
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kVp8, delta));
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kH264, key));
  EXPECT_FALSE(KeyframeDetector::IsKeyframe(VideoCodec::kVp8, {}));
}

// Issue 11: INDEX announces each layer's size, read from its VP8 key frames (RFC 6386 section 9.1).
TEST(KeyframeDetectorTest, Vp8KeyframeSizeIsReadAfterTheStartCode) {
  // Descriptor S=1 PID=0, frame tag P=0, start code, width 960 (scale bits set), height 540.
  const std::vector<uint8_t> key{0x10, 0x00, 0x00, 0x00, 0x9d, 0x01, 0x2a, 0xC0, 0x43, 0x1C, 0x02, 0x11};
  const auto size = KeyframeDetector::KeyframeSize(VideoCodec::kVp8, key);
  ASSERT_TRUE(size);
  EXPECT_EQ(size->width, 960);  // 0x43C0 & 0x3FFF
  EXPECT_EQ(size->height, 540);
  EXPECT_FALSE(KeyframeDetector::KeyframeSize(VideoCodec::kH264, key));
  std::vector<uint8_t> delta = key;
  delta[1] = 0x01;  // P=1
  EXPECT_FALSE(KeyframeDetector::KeyframeSize(VideoCodec::kVp8, delta));
  EXPECT_FALSE(KeyframeDetector::KeyframeSize(VideoCodec::kVp8, std::span(key).first(9)));  // cut short
}

}  // namespace
}  // namespace medicall::webrtc::rtp
