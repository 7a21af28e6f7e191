#include "quality/ClientMetricParser.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace medicall::quality {
namespace {

using signaling::proto::SdkClientMetricFrame;
using signaling::proto::SdkMetric;

void Add(signaling::proto::SdkStreamMetricFrame* s, SdkMetric::Type type, double value) {
  auto* m = s->add_metrics();
  m->set_type(type);
  m->set_value(value);
}

TEST(ClientMetricParserTest, ReadsUplinkDownlinkAndCombinesStreams) {
  SdkClientMetricFrame f;
  auto* g = f.add_global_metrics();
  g->set_type(SdkMetric::STUN_RTT_MS);
  g->set_value(42);
  auto* mic = f.add_stream_metric_frames();
  Add(mic, SdkMetric::RTC_MIC_BITRATE, 32000);
  Add(mic, SdkMetric::RTC_MIC_FRACTION_PACKET_LOST_PERCENT, 12);
  auto* cam = f.add_stream_metric_frames();
  Add(cam, SdkMetric::VIDEO_SENT_BITRATE, 600000);
  Add(cam, SdkMetric::VIDEO_ENCODE_FPS, 15);
  Add(cam, SdkMetric::VIDEO_ENCODE_HEIGHT, 540);
  for (double fps : {24.0, 4.0}) {
    auto* remote = f.add_stream_metric_frames();
    Add(remote, SdkMetric::VIDEO_RECEIVED_BITRATE, 300000);
    Add(remote, SdkMetric::VIDEO_DECODE_FPS, fps);
    Add(remote, SdkMetric::VIDEO_FREEZE_COUNT, 1);
  }
  Add(f.add_stream_metric_frames(), static_cast<SdkMetric::Type>(123), 1e12);  // not ours: ignored
  const auto r = ClientMetricParser::Parse(f);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(*r->stunRttMs, 42);
  EXPECT_DOUBLE_EQ(*r->audioSendBitrateBps, 32000);
  EXPECT_DOUBLE_EQ(*r->audioSendLossPercent, 12);
  EXPECT_DOUBLE_EQ(*r->videoSendFps, 15);
  EXPECT_DOUBLE_EQ(*r->videoSendHeight, 540);
  EXPECT_DOUBLE_EQ(*r->videoReceiveBitrateBps, 600000);  // summed
  EXPECT_DOUBLE_EQ(*r->videoReceiveFps, 4);              // the worst stream
  EXPECT_DOUBLE_EQ(*r->videoFreezes, 2);
  EXPECT_FALSE(r->audioReceiveBitrateBps);
}

TEST(ClientMetricParserTest, DropsFramesWithImpossibleValues) {
  const double bad[] = {-1, 101, std::numeric_limits<double>::quiet_NaN(),
                        std::numeric_limits<double>::infinity()};
  for (double v : bad) {
    SdkClientMetricFrame f;
    Add(f.add_stream_metric_frames(), SdkMetric::RTC_MIC_FRACTION_PACKET_LOST_PERCENT, v);
    std::string why;
    EXPECT_FALSE(ClientMetricParser::Parse(f, &why)) << v;
    EXPECT_NE(why.find("out of range"), std::string::npos);
  }
}

TEST(ClientMetricParserTest, BoundsTheNumberOfStreamsAndMetrics) {
  SdkClientMetricFrame many;
  for (int i = 0; i <= ClientMetricParser::kMaxStreams; ++i) many.add_stream_metric_frames();
  std::string why;
  EXPECT_FALSE(ClientMetricParser::Parse(many, &why));
  EXPECT_EQ(why, "too many streams");
  SdkClientMetricFrame long_;
  auto* s = long_.add_stream_metric_frames();
  for (int i = 0; i <= ClientMetricParser::kMaxMetrics; ++i) Add(s, SdkMetric::RTC_MIC_BITRATE, 1);
  EXPECT_FALSE(ClientMetricParser::Parse(long_, &why));
  EXPECT_EQ(why, "too many metrics");
  // Metrics without a type or value are skipped, not fatal.
  SdkClientMetricFrame partial;
  partial.add_stream_metric_frames()->add_metrics()->set_value(3);
  EXPECT_TRUE(ClientMetricParser::Parse(partial));
}

}  // namespace
}  // namespace medicall::quality
