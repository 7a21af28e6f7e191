#pragma once
// What a meeting's media (MeetingMedia, on its media worker) reports to the signaling side. Every
// call runs on the HTTP/signaling thread: MeetingMedia never calls it, it posts each report through
// its MeetingMediaHandle, which drops the reports still in flight once the handle is gone.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "media/audio/LevelReporter.hpp"
#include "media/router/Router.hpp"
#include "quality/UplinkMonitor.hpp"
#include "webrtc/rtp/KeyframeDetector.hpp"

namespace medicall::media::meeting {

class MeetingMediaListener {
 public:
  // The server's view of one attendee's audio uplink (its UplinkMonitor) with its signal strength.
  struct Uplink {
    std::string attendeeId;
    quality::UplinkView view;
    uint32_t signalStrength = 0;
  };
  // About five times a second, from the mixer: the level of each attendee (by attendee id, its
  // signal strength from its uplink); about once a second also every attendee's uplink and downlink.
  struct AudioReport {
    std::vector<std::pair<std::string, audio::AttendeeLevel>> levels;
    std::vector<Uplink> uplinks;                  // empty in four reports of five
    std::vector<router::DownlinkView> downlinks;  // idem
  };

  virtual ~MeetingMediaListener() = default;
  // The published video sources or the codecs every attendee decodes changed (INDEX must be re-sent):
  // the router's lists now (Router::Sources, Router::ReceiveCodecIntersection).
  virtual void OnSourcesChanged(std::vector<router::VideoSource> sources,
                                std::vector<webrtc::rtp::VideoCodec> receiveCodecs) = 0;
  // Every Router kBitratesIntervalMs, per attendee that receives video (BITRATES).
  virtual void OnBitrates(const std::string& attendeeId,
                          const std::vector<router::Router::Listener::StreamBitrate>& streams,
                          uint32_t availableKbps) = 0;
  // The attendee's transport lost ICE consent (or failed).
  virtual void OnAttendeeDropped(const std::string& attendeeId) = 0;
  virtual void OnAudioReport(const AudioReport& report) = 0;
};

}  // namespace medicall::media::meeting
