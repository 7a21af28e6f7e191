#include "quality/MeetingQualityRecorder.hpp"

#include <algorithm>

#include "common/Logger.hpp"
#include "quality/ClientMetricParser.hpp"

namespace medicall::quality {

using store::QualityColumn;

namespace {
void Max(std::optional<double>& into, const std::optional<double>& v) {
  if (v) into = into ? std::max(*into, *v) : *v;
}
// How much a cumulative counter moved since `base`; a smaller value means it started again (a new
// transport), from 0.
double CountSince(uint64_t now, uint64_t base) { return static_cast<double>(now >= base ? now - base : now); }
std::optional<double> SumKbps(const std::optional<double>& a, const std::optional<double>& b) {
  if (!a && !b) return std::nullopt;
  return (a.value_or(0) + b.value_or(0)) / 1000.0;
}
}  // namespace

MeetingQualityRecorder::MeetingQualityRecorder(std::string meetingId, QualitySink& sink, const Clock& clock,
                                               int64_t intervalMs)
    : meetingId_(std::move(meetingId)),
      sink_(sink),
      clock_(clock),
      intervalMs_(std::max<int64_t>(intervalMs, 1000)),
      intervalStartUs_(clock.NowUs()) {}

void MeetingQualityRecorder::Event(const std::string& attendeeId, const char* kind) {
  sink_.WriteEvent({meetingId_, attendeeId, clock_.WallNowUs() / 1000, kind});
}

void MeetingQualityRecorder::OnJoined(const std::string& attendeeId) {
  Attendee& a = attendees_[attendeeId];
  if (a.present) return;
  a.present = true;
  Event(attendeeId, "joined");
}

void MeetingQualityRecorder::OnLeft(const std::string& attendeeId, bool dropped) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second.present) return;
  // What it reported since the last sample is kept: its last seconds often tell why it dropped.
  if (auto sample = Sample(attendeeId, it->second, clock_.NowUs())) sink_.WriteSamples({std::move(*sample)});
  attendees_.erase(it);
  Event(attendeeId, dropped ? "dropped" : "left");
}

void MeetingQualityRecorder::OnClientMetric(const std::string& attendeeId, const ClientMetricReport& r) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second.present) return;
  Interval& i = it->second.interval;
  ++i.reports;
  i.audioSend.Add(r.audioSendBitrateBps);
  i.videoSend.Add(r.videoSendBitrateBps);
  i.audioReceive.Add(r.audioReceiveBitrateBps);
  i.videoReceive.Add(r.videoReceiveBitrateBps);
  i.sendFps.Add(r.videoSendFps);
  i.receiveFps.Add(r.videoReceiveFps);
  i.audioSendLoss.Add(r.audioSendLossPercent);
  i.audioSendJitter.Add(r.audioSendJitterMs);
  i.audioSendRtt.Add(r.audioSendRttMs);
  i.audioReceiveLoss.Add(r.audioReceiveLossPercent);
  i.videoReceiveLoss.Add(r.videoReceiveLossPercent);
  i.stunRtt.Add(r.stunRttMs);
  i.freezes.Add(r.videoFreezes);
  i.nacks.Add(r.videoNacksReceived);
  i.plis.Add(r.videoPlisReceived);
  if (r.videoSendWidth) i.sendWidth = r.videoSendWidth;
  if (r.videoSendHeight) i.sendHeight = r.videoSendHeight;
  if (r.videoReceiveWidth) i.receiveWidth = r.videoReceiveWidth;
  if (r.videoReceiveHeight) i.receiveHeight = r.videoReceiveHeight;
  Max(i.micLevel, r.audioInputLevel);
}

bool MeetingQualityRecorder::OnClientMetricFrame(const std::string& attendeeId,
                                                 const signaling::proto::SdkClientMetricFrame& frame) {
  std::string why;
  auto report = ClientMetricParser::Parse(frame, &why);
  if (!report) {
    log::Debug("signaling", "attendee {}: CLIENT_METRIC dropped: {}", attendeeId, why);
    return false;
  }
  OnClientMetric(attendeeId, *report);
  return true;
}

void MeetingQualityRecorder::OnServerView(const std::string& attendeeId, const UplinkView& view,
                                          uint32_t signalStrength) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second.present) return;
  it->second.view = view;
  it->second.signalStrength = signalStrength;
  it->second.viewAtUs = clock_.NowUs();
}

void MeetingQualityRecorder::OnServerDownlink(const std::string& attendeeId, const DownlinkView& view) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second.present) return;
  Interval& i = it->second.interval;
  ++i.downlinkViews;
  i.downLoss.Add(view.lossPct);
  i.downJitter.Add(view.jitterMs);
  i.serverRtt.Add(view.rttMs);
  i.estimate.Add(view.estimateBps);
  it->second.downlink = view;
}

std::optional<store::QualitySample> MeetingQualityRecorder::Sample(const std::string& attendeeId,
                                                                   const Attendee& a, int64_t nowUs) const {
  const Interval& i = a.interval;
  // A server view older than the interval says nothing about it.
  const bool viewFresh = a.view && nowUs - a.viewAtUs <= intervalMs_ * 1000;
  if (i.reports == 0 && !viewFresh && i.downlinkViews == 0) return std::nullopt;
  store::QualitySample s;
  s.meetingId = meetingId_;
  s.attendeeId = attendeeId;
  s.atMs = clock_.WallNowUs() / 1000;
  s[QualityColumn::kSendKbps] = SumKbps(i.audioSend.Value(), i.videoSend.Value());
  s[QualityColumn::kReceiveKbps] = SumKbps(i.audioReceive.Value(), i.videoReceive.Value());
  s[QualityColumn::kSendFps] = i.sendFps.Value();
  s[QualityColumn::kReceiveFps] = i.receiveFps.Value();
  s[QualityColumn::kSendWidth] = i.sendWidth;
  s[QualityColumn::kSendHeight] = i.sendHeight;
  s[QualityColumn::kReceiveWidth] = i.receiveWidth;
  s[QualityColumn::kReceiveHeight] = i.receiveHeight;
  std::optional<double> downlink = i.audioReceiveLoss.Value();
  Max(downlink, i.videoReceiveLoss.Value());
  s[QualityColumn::kDownlinkLossPct] = downlink;
  s[QualityColumn::kRttMs] = i.stunRtt.Value() ? i.stunRtt.Value() : i.audioSendRtt.Value();
  s[QualityColumn::kFreezes] = i.freezes.Total();
  s[QualityColumn::kMicLevel] = i.micLevel;
  s[QualityColumn::kNacks] = i.nacks.Total();
  s[QualityColumn::kPlis] = i.plis.Total();
  if (viewFresh && a.view->hasData) {
    // The server measured the uplink itself: that wins over what the client was told by our reports.
    s[QualityColumn::kUplinkLossPct] = a.view->lossRatio * 100.0;
    s[QualityColumn::kJitterMs] = a.view->jitterMs;
    s[QualityColumn::kAudioPacketsPerSecond] = a.view->packetsPerSecond;
    s[QualityColumn::kAudioPresent] = a.view->packetsPerSecond > 0 ? 1.0 : 0.0;
  } else {
    s[QualityColumn::kUplinkLossPct] = i.audioSendLoss.Value();
    s[QualityColumn::kJitterMs] = i.audioSendJitter.Value();
    if (viewFresh) s[QualityColumn::kAudioPresent] = 0.0;
  }
  if (viewFresh) s[QualityColumn::kSignalStrength] = a.signalStrength;
  if (i.downlinkViews > 0) {
    s[QualityColumn::kServerDownLossPct] = i.downLoss.Value();
    s[QualityColumn::kServerDownJitterMs] = i.downJitter.Value();
    s[QualityColumn::kServerRttMs] = i.serverRtt.Value();
    if (auto bps = i.estimate.Value()) s[QualityColumn::kEstimateKbps] = *bps / 1000.0;
    s[QualityColumn::kNacksIn] = CountSince(a.downlink.nacksReceived, a.downlinkBase.nacksReceived);
    s[QualityColumn::kPlisIn] =
        CountSince(a.downlink.keyframeRequestsReceived, a.downlinkBase.keyframeRequestsReceived);
    s[QualityColumn::kRtxOut] =
        CountSince(a.downlink.retransmissionsSent, a.downlinkBase.retransmissionsSent);
  }
  return s;
}

void MeetingQualityRecorder::Tick() {
  const int64_t nowUs = clock_.NowUs();
  if (nowUs - intervalStartUs_ < intervalMs_ * 1000) return;
  intervalStartUs_ = nowUs;
  std::vector<store::QualitySample> samples;
  for (auto& [id, a] : attendees_) {
    if (auto s = Sample(id, a, nowUs)) samples.push_back(std::move(*s));
    a.interval = Interval{};
    a.downlinkBase = a.downlink;
  }
  if (!samples.empty()) sink_.WriteSamples(std::move(samples));
}

}  // namespace medicall::quality
