#include "signaling/FrameCodec.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "SignalingTestSupport.hpp"

namespace medicall::signaling {
namespace {

using test::ManualClock;
using test::SetWallUs;
using Type = proto::SdkSignalFrame;

std::string Bytes(std::initializer_list<uint8_t> bytes) { return std::string(bytes.begin(), bytes.end()); }

proto::SdkSignalFrame Ping(uint32_t id) {
  proto::SdkSignalFrame f;
  f.set_type(Type::PING_PONG);
  f.mutable_ping_pong()->set_type(proto::PING);
  f.mutable_ping_pong()->set_ping_id(id);
  return f;
}

// Hand-assembled from the protobuf encoding rules (tag = field << 3 | wire type):
//   05                 frame prefix
//   08 01              timestamp_ms (1, varint) = 1
//   10 13              type (2, varint) = 19 PING_PONG
//   a2 01 04           ping_pong (20, length-delimited; tag 162 = a2 01), 4 bytes:
//     08 01              type = PING
//     10 05              ping_id = 5
TEST(FrameCodecTest, EncodesTheWireBytesByHand) {
  auto frame = Ping(5);
  frame.set_timestamp_ms(1);
  EXPECT_EQ(FrameCodec::Encode(frame),
            Bytes({0x05, 0x08, 0x01, 0x10, 0x13, 0xa2, 0x01, 0x04, 0x08, 0x01, 0x10, 0x05}));
}

// INDEX supported_receive_codec_intersection (SdkIndexFrame field 5, repeated enum, proto2: one
// varint per value, as the SDK's own encoder writes it, tag 40 = 0x28):
//   05  08 01  10 05 (type 5 INDEX)  42 04 (index, field 8, 4 bytes): 28 01 (VP8)  28 03 (H264 CBP)
TEST(FrameCodecTest, EncodesTheIndexCodecIntersectionAsTheSdkReadsIt) {
  proto::SdkSignalFrame frame;
  frame.set_timestamp_ms(1);
  frame.set_type(Type::INDEX);
  frame.mutable_index()->add_supported_receive_codec_intersection(proto::VP8);
  frame.mutable_index()->add_supported_receive_codec_intersection(proto::H264_CONSTRAINED_BASELINE_PROFILE);
  const std::string bytes = FrameCodec::Encode(frame);
  EXPECT_EQ(bytes, Bytes({0x05, 0x08, 0x01, 0x10, 0x05, 0x42, 0x04, 0x28, 0x01, 0x28, 0x03}));
  auto decoded = FrameCodec::Decode(bytes);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded.frame->index().supported_receive_codec_intersection_size(), 2);
  EXPECT_EQ(decoded.frame->index().supported_receive_codec_intersection(1),
            proto::H264_CONSTRAINED_BASELINE_PROFILE);
}

TEST(FrameCodecTest, DecodesTheWireBytesByHand) {
  auto decoded =
      FrameCodec::Decode(Bytes({0x05, 0x08, 0x01, 0x10, 0x13, 0xa2, 0x01, 0x04, 0x08, 0x01, 0x10, 0x05}));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.error, FrameError::kNone);
  EXPECT_EQ(decoded.frame->timestamp_ms(), 1u);
  EXPECT_EQ(decoded.frame->type(), Type::PING_PONG);
  EXPECT_EQ(decoded.frame->ping_pong().type(), proto::PING);
  EXPECT_EQ(decoded.frame->ping_pong().ping_id(), 5u);
}

TEST(FrameCodecTest, EncodeFillsTimestampFromTheClock) {
  ManualClock clock;
  SetWallUs(clock, 1'700'000'000'123'456);
  auto frame = Ping(1);
  const std::string bytes = FrameCodec::Encode(frame, clock);
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(static_cast<uint8_t>(bytes[0]), FrameCodec::kPrefix);
  auto decoded = FrameCodec::Decode(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.frame->timestamp_ms(), 1'700'000'000'123u);
}

TEST(FrameCodecTest, EncodeKeepsAnExplicitTimestamp) {
  ManualClock clock;
  auto frame = Ping(1);
  frame.set_timestamp_ms(77);
  auto decoded = FrameCodec::Decode(FrameCodec::Encode(frame, clock));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.frame->timestamp_ms(), 77u);
}

TEST(FrameCodecTest, EncodeRefusesAFrameWithoutType) {
  proto::SdkSignalFrame frame;
  frame.mutable_leave();
  EXPECT_TRUE(FrameCodec::Encode(frame).empty());
}

TEST(FrameCodecTest, RoundTripKeepsEveryField) {
  proto::SdkSignalFrame frame;
  frame.set_type(Type::SUBSCRIBE_ACK);
  auto* ack = frame.mutable_suback();
  ack->set_duplex(proto::DUPLEX);
  ack->set_sdp_answer(std::string("v=0\r\n\0binary-safe", 17));
  auto* track = ack->add_tracks();
  track->set_stream_id(10);
  track->set_ssrc(0xFFFFFFFFu);
  track->set_track_label("v_1");
  auto decoded = FrameCodec::Decode(FrameCodec::Encode(frame));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.frame->SerializeAsString(), frame.SerializeAsString());
  EXPECT_EQ(decoded.frame->suback().tracks(0).ssrc(), 0xFFFFFFFFu);
  EXPECT_EQ(decoded.frame->suback().sdp_answer().size(), 17u);
}

TEST(FrameCodecTest, RejectsEmpty) {
  auto decoded = FrameCodec::Decode(std::string());
  EXPECT_FALSE(decoded);
  EXPECT_EQ(decoded.error, FrameError::kEmpty);
}

TEST(FrameCodecTest, RejectsOtherPrefixes) {
  auto frame = Ping(1);
  std::string bytes = FrameCodec::Encode(frame);
  for (uint8_t prefix : {0x00, 0x02, 0x04, 0x06, 0x08, 0xff}) {
    bytes[0] = static_cast<char>(prefix);
    auto decoded = FrameCodec::Decode(bytes);
    EXPECT_FALSE(decoded) << int(prefix);
    EXPECT_EQ(decoded.error, FrameError::kBadPrefix) << int(prefix);
  }
}

TEST(FrameCodecTest, SizeLimitIsOneMebibyte) {
  proto::SdkSignalFrame frame;
  frame.set_type(Type::SUBSCRIBE);
  frame.set_timestamp_ms(1);
  // Grow the offer until the whole message is exactly 1 MiB.
  std::string offer(FrameCodec::kMaxMessageSize - 32, 'a');
  frame.mutable_sub()->set_sdp_offer(offer);
  std::string bytes = FrameCodec::Encode(frame);
  ASSERT_LT(bytes.size(), FrameCodec::kMaxMessageSize);
  offer.append(FrameCodec::kMaxMessageSize - bytes.size(), 'b');
  frame.mutable_sub()->set_sdp_offer(offer);
  bytes = FrameCodec::Encode(frame);
  ASSERT_EQ(bytes.size(), FrameCodec::kMaxMessageSize);
  EXPECT_TRUE(FrameCodec::Decode(bytes));

  bytes.push_back('\0');  // one more byte: refused before parsing
  auto decoded = FrameCodec::Decode(bytes);
  EXPECT_FALSE(decoded);
  EXPECT_EQ(decoded.error, FrameError::kTooLarge);
}

TEST(FrameCodecTest, RejectsUnparsableBytes) {
  auto frame = Ping(300);
  frame.set_timestamp_ms(1);
  const std::string good = FrameCodec::Encode(frame);  // 05 08 01 10 13 a2 01 05 08 01 10 ac 02
  ASSERT_EQ(good.size(), 13u);
  // Every truncation inside the nested ping_pong (from its tag on, byte 5) is broken.
  for (size_t n = 6; n < good.size(); ++n) {
    auto decoded = FrameCodec::Decode(good.substr(0, n));
    EXPECT_FALSE(decoded) << n;
    EXPECT_EQ(decoded.error, FrameError::kUnparsable) << n;
  }
  // A length prefix larger than the buffer.
  EXPECT_EQ(FrameCodec::Decode(Bytes({0x05, 0x08, 0x01, 0x10, 0x13, 0xa2, 0x01, 0x7f, 0x08})).error,
            FrameError::kUnparsable);
  // Wire type 7 does not exist.
  EXPECT_EQ(FrameCodec::Decode(Bytes({0x05, 0x0f, 0x01})).error, FrameError::kUnparsable);
  // A varint that never ends.
  EXPECT_EQ(FrameCodec::Decode(
                Bytes({0x05, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
                .error,
            FrameError::kUnparsable);
}

TEST(FrameCodecTest, RejectsMissingRequiredFields) {
  // type only
  EXPECT_EQ(FrameCodec::Decode(Bytes({0x05, 0x10, 0x09})).error, FrameError::kMissingRequired);
  // timestamp only
  EXPECT_EQ(FrameCodec::Decode(Bytes({0x05, 0x08, 0x01})).error, FrameError::kMissingRequired);
  // prefix only: neither
  EXPECT_EQ(FrameCodec::Decode(Bytes({0x05})).error, FrameError::kMissingRequired);
  // ping_pong without its required ping_id
  EXPECT_EQ(FrameCodec::Decode(Bytes({0x05, 0x08, 0x01, 0x10, 0x13, 0xa2, 0x01, 0x02, 0x08, 0x01})).error,
            FrameError::kMissingRequired);
}

TEST(FrameCodecTest, ReportsAnUnknownTypeSeparately) {
  // type = 99: not in this schema (a newer client); the caller ignores it instead of failing.
  auto decoded = FrameCodec::Decode(Bytes({0x05, 0x08, 0x01, 0x10, 0x63}));
  EXPECT_FALSE(decoded);
  EXPECT_EQ(decoded.error, FrameError::kUnknownType);
}

TEST(FrameCodecTest, SkipsUnknownFields) {
  // A LEAVE with an extra field 99 (varint) and field 100 (bytes) from a newer schema.
  auto decoded =
      FrameCodec::Decode(Bytes({0x05, 0x08, 0x01, 0x10, 0x09, 0x98, 0x06, 0x01, 0xa2, 0x06, 0x01, 0x41}));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.frame->type(), Type::LEAVE);
}

TEST(FrameCodecTest, ErrorNamesAreDistinct) {
  std::vector<std::string_view> names;
  for (auto e : {FrameError::kNone, FrameError::kEmpty, FrameError::kBadPrefix, FrameError::kTooLarge,
                 FrameError::kUnparsable, FrameError::kMissingRequired, FrameError::kUnknownType}) {
    for (auto n : names) EXPECT_NE(n, ToString(e));
    names.push_back(ToString(e));
  }
}

}  // namespace
}  // namespace medicall::signaling
