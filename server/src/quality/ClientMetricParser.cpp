#include "quality/ClientMetricParser.hpp"

#include <algorithm>
#include <cmath>

namespace medicall::quality {

namespace {

using Metric = signaling::proto::SdkMetric;

enum class Combine { kLast, kSum, kMin, kMax };

struct Rule {
  std::optional<double> ClientMetricReport::*field;
  double maxValue;
  Combine combine;
};

constexpr double kMaxBitrate = 10e9;
constexpr double kMaxMs = 600'000;
constexpr double kMaxFps = 1000;
constexpr double kMaxDimension = 16384;
constexpr double kMaxPerSecond = 1e6;

std::optional<Rule> RuleFor(int type) {
  using R = ClientMetricReport;
  switch (type) {
    case Metric::RTC_MIC_BITRATE:
      return Rule{&R::audioSendBitrateBps, kMaxBitrate, Combine::kSum};
    case Metric::RTC_MIC_FRACTION_PACKET_LOST_PERCENT:
      return Rule{&R::audioSendLossPercent, 100, Combine::kMax};
    case Metric::RTC_MIC_JITTER_MS:
      return Rule{&R::audioSendJitterMs, kMaxMs, Combine::kMax};
    case Metric::RTC_MIC_RTT_MS:
      return Rule{&R::audioSendRttMs, kMaxMs, Combine::kMax};
    case Metric::RTC_MIC_AUDIO_LEVEL:
      return Rule{&R::audioInputLevel, 1, Combine::kMax};
    case Metric::VIDEO_SENT_BITRATE:
      return Rule{&R::videoSendBitrateBps, kMaxBitrate, Combine::kSum};
    case Metric::VIDEO_ENCODE_FPS:
      return Rule{&R::videoSendFps, kMaxFps, Combine::kMax};
    case Metric::VIDEO_ENCODE_WIDTH:
      return Rule{&R::videoSendWidth, kMaxDimension, Combine::kMax};
    case Metric::VIDEO_ENCODE_HEIGHT:
      return Rule{&R::videoSendHeight, kMaxDimension, Combine::kMax};
    case Metric::VIDEO_SENT_FRACTION_PACKET_LOST_PERCENT:
      return Rule{&R::videoSendLossPercent, 100, Combine::kMax};
    case Metric::VIDEO_SENT_RTT_MS:
      return Rule{&R::videoSendRttMs, kMaxMs, Combine::kMax};
    case Metric::VIDEO_NACKS_RECEIVED:
      return Rule{&R::videoNacksReceived, kMaxPerSecond, Combine::kSum};
    case Metric::VIDEO_PLIS_RECEIVED:
      return Rule{&R::videoPlisReceived, kMaxPerSecond, Combine::kSum};
    case Metric::RTC_SPK_BITRATE:
      return Rule{&R::audioReceiveBitrateBps, kMaxBitrate, Combine::kSum};
    case Metric::RTC_SPK_FRACTION_PACKET_LOST_PERCENT:
      return Rule{&R::audioReceiveLossPercent, 100, Combine::kMax};
    case Metric::RTC_SPK_JITTER_MS:
      return Rule{&R::audioReceiveJitterMs, kMaxMs, Combine::kMax};
    case Metric::VIDEO_RECEIVED_BITRATE:
      return Rule{&R::videoReceiveBitrateBps, kMaxBitrate, Combine::kSum};
    case Metric::VIDEO_DECODE_FPS:
      return Rule{&R::videoReceiveFps, kMaxFps, Combine::kMin};
    case Metric::VIDEO_DECODE_WIDTH:
      return Rule{&R::videoReceiveWidth, kMaxDimension, Combine::kMax};
    case Metric::VIDEO_DECODE_HEIGHT:
      return Rule{&R::videoReceiveHeight, kMaxDimension, Combine::kMax};
    case Metric::VIDEO_RECEIVED_FRACTION_PACKET_LOST_PERCENT:
      return Rule{&R::videoReceiveLossPercent, 100, Combine::kMax};
    case Metric::VIDEO_FREEZE_COUNT:
      return Rule{&R::videoFreezes, kMaxPerSecond, Combine::kSum};
    case Metric::STUN_RTT_MS:
      return Rule{&R::stunRttMs, kMaxMs, Combine::kMax};
    default:
      return std::nullopt;
  }
}

bool Fail(std::string* why, std::string reason) {
  if (why) *why = std::move(reason);
  return false;
}

bool Apply(const google::protobuf::RepeatedPtrField<Metric>& metrics, ClientMetricReport& report,
           std::string* why) {
  if (metrics.size() > ClientMetricParser::kMaxMetrics) return Fail(why, "too many metrics");
  for (const Metric& m : metrics) {
    if (!m.has_type() || !m.has_value()) continue;
    const auto rule = RuleFor(m.type());
    if (!rule) continue;
    const double v = m.value();
    if (!std::isfinite(v) || v < 0 || v > rule->maxValue)
      return Fail(why, "metric " + std::to_string(m.type()) + " out of range");
    auto& field = report.*(rule->field);
    if (!field) {
      field = v;
      continue;
    }
    switch (rule->combine) {
      case Combine::kLast:
        field = v;
        break;
      case Combine::kSum:
        field = *field + v;
        break;
      case Combine::kMin:
        field = std::min(*field, v);
        break;
      case Combine::kMax:
        field = std::max(*field, v);
        break;
    }
  }
  return true;
}

}  // namespace

std::optional<ClientMetricReport> ClientMetricParser::Parse(
    const signaling::proto::SdkClientMetricFrame& frame, std::string* why) {
  if (frame.stream_metric_frames_size() > kMaxStreams) {
    Fail(why, "too many streams");
    return std::nullopt;
  }
  ClientMetricReport report;
  if (!Apply(frame.global_metrics(), report, why)) return std::nullopt;
  for (const auto& stream : frame.stream_metric_frames())
    if (!Apply(stream.metrics(), report, why)) return std::nullopt;
  return report;
}

}  // namespace medicall::quality
