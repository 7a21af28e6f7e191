#pragma once
// Per-attendee call-quality samples of one live meeting: every `intervalMs` (about 5 s) one
// QualitySample per attendee that reported anything, combining
//   - the client's CLIENT_METRIC frames of the interval (averaged; freezes, NACKs, PLIs summed), and
//   - the server's own view of the attendee's uplink (UplinkMonitor over the interval), and
//   - the server's view of its downlink from the RTCP it sends as a receiver (DownlinkView, about once
//     a second: report-block loss, jitter and RTT averaged; NACKs, PLIs and resends counted over the
//     interval; the bandwidth estimate averaged),
// plus joined/left/dropped events. Rows go to a QualitySink.
//
// Threading: the signaling thread. Time from the Clock (wall time stamps the rows).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/Clock.hpp"
#include "quality/ClientMetricReport.hpp"
#include "quality/DownlinkView.hpp"
#include "quality/QualitySink.hpp"
#include "quality/UplinkMonitor.hpp"
#include "signaling/SignalingProtocol.pb.h"

namespace medicall::quality {

class MeetingQualityRecorder {
 public:
  MeetingQualityRecorder(std::string meetingId, QualitySink& sink, const Clock& clock = Clock::System(),
                         int64_t intervalMs = 5000);

  void OnJoined(const std::string& attendeeId);              // an event unless already present
  void OnLeft(const std::string& attendeeId, bool dropped);  // "left" or "dropped"
  void OnClientMetric(const std::string& attendeeId, const ClientMetricReport& report);
  // The frame as it came (ClientMetricParser checks it): false when it was dropped as invalid.
  bool OnClientMetricFrame(const std::string& attendeeId,
                           const signaling::proto::SdkClientMetricFrame& frame);
  // The server's latest view of the attendee's uplink audio and the signal strength it sent.
  void OnServerView(const std::string& attendeeId, const UplinkView& view, uint32_t signalStrength);
  // The server's latest view of the attendee's downlink (its counters are cumulative).
  void OnServerDownlink(const std::string& attendeeId, const DownlinkView& view);
  // Call often (every second or more): writes the samples once an interval is over.
  void Tick();
  int64_t IntervalMs() const { return intervalMs_; }

 private:
  // Sum and count of one figure over the interval.
  struct Mean {
    double sum = 0;
    int count = 0;
    void Add(const std::optional<double>& v) {
      if (!v) return;
      sum += *v;
      ++count;
    }
    std::optional<double> Value() const { return count ? std::optional<double>(sum / count) : std::nullopt; }
    std::optional<double> Total() const { return count ? std::optional<double>(sum) : std::nullopt; }
  };
  struct Interval {
    int reports = 0;
    Mean audioSend, videoSend, audioReceive, videoReceive, sendFps, receiveFps, audioSendLoss,
        audioSendJitter, audioSendRtt, audioReceiveLoss, videoReceiveLoss, stunRtt, freezes, nacks, plis,
        downLoss, downJitter, serverRtt, estimate;
    int downlinkViews = 0;
    std::optional<double> sendWidth, sendHeight, receiveWidth, receiveHeight, micLevel;
  };
  struct Attendee {
    bool present = false;
    Interval interval;
    std::optional<UplinkView> view;
    uint32_t signalStrength = 0;
    int64_t viewAtUs = 0;
    // The downlink counters at the latest view and at the end of the previous interval.
    DownlinkView downlink;
    DownlinkView downlinkBase;
  };

  std::optional<store::QualitySample> Sample(const std::string& attendeeId, const Attendee& a,
                                             int64_t nowUs) const;
  void Event(const std::string& attendeeId, const char* kind);

  std::string meetingId_;
  QualitySink& sink_;
  const Clock& clock_;
  int64_t intervalMs_;
  int64_t intervalStartUs_;
  std::map<std::string, Attendee> attendees_;
};

}  // namespace medicall::quality
