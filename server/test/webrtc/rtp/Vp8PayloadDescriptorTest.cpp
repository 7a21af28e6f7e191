#include "webrtc/rtp/Vp8PayloadDescriptor.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtp {
namespace {

TEST(Vp8PayloadDescriptorTest, KeyframeFromChromiumPacket) {
  auto data = test::ReadTestFile("rtp/chrome-vp8-keyframe.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  auto d = Vp8PayloadDescriptor::Parse(p->Payload());
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->startOfPartition);
  EXPECT_EQ(d->partitionId, 0);
  EXPECT_EQ(d->pictureId, 0x1234);
  EXPECT_TRUE(d->pictureId15Bit);
  EXPECT_FALSE(d->tl0PicIdx);
  EXPECT_EQ(d->size, 4u);
  EXPECT_TRUE(Vp8PayloadDescriptor::IsKeyframe(p->Payload()));
}

TEST(Vp8PayloadDescriptorTest, DeltaFrameIsNotKeyframe) {
  auto data = test::ReadTestFile("rtp/chrome-vp8-delta.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  EXPECT_EQ(Vp8PayloadDescriptor::Parse(p->Payload())->pictureId, 0x1235);
  EXPECT_FALSE(Vp8PayloadDescriptor::IsKeyframe(p->Payload()));
}

TEST(Vp8PayloadDescriptorTest, AllOptionalFields) {
  // X=1 N=1 S=1 PID=0; I L T K; 7-bit picture id 0x55; TL0PICIDX 9; TID=2 Y=1 KEYIDX=17; one data byte.
  const std::vector<uint8_t> payload = {0xB0, 0xF0, 0x55, 0x09, 0xB1, 0x00};
  auto d = Vp8PayloadDescriptor::Parse(payload);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->nonReference);
  EXPECT_EQ(d->pictureId, 0x55);
  EXPECT_FALSE(d->pictureId15Bit);
  EXPECT_EQ(d->tl0PicIdx, 9);
  EXPECT_EQ(d->temporalId, 2);
  EXPECT_TRUE(d->layerSync);
  EXPECT_EQ(d->keyIdx, 17);
  EXPECT_EQ(d->size, 5u);
}

TEST(Vp8PayloadDescriptorTest, NeverReadsPastTheBuffer) {
  auto data = test::ReadTestFile("rtp/chrome-vp8-keyframe.bin");
  auto p = RtpPacket::Parse(data);
  ASSERT_TRUE(p);
  const auto payload = p->Payload();
  // Cut before the end of the descriptor: invalid; cut inside the key frame header: not a key frame.
  for (size_t n = 0; n <= 4; ++n) EXPECT_FALSE(Vp8PayloadDescriptor::Parse(payload.first(n))) << n;
  for (size_t n = 0; n < 14; ++n) EXPECT_FALSE(Vp8PayloadDescriptor::IsKeyframe(payload.first(n))) << n;
  EXPECT_TRUE(Vp8PayloadDescriptor::IsKeyframe(payload.first(14)));
  // Continuation packets (S=0 or PID>0) are never key frame starts.
  std::vector<uint8_t> cont(payload.begin(), payload.end());
  cont[0] = 0x80;
  EXPECT_FALSE(Vp8PayloadDescriptor::IsKeyframe(cont));
  cont[0] = 0x91;
  EXPECT_FALSE(Vp8PayloadDescriptor::IsKeyframe(cont));
}

}  // namespace
}  // namespace medicall::webrtc::rtp
