#pragma once
// A MeetingMediaListener that keeps what it is told (MeetingMedia tests).
#include <string>
#include <thread>
#include <vector>

#include "media/meeting/MeetingMediaListener.hpp"

namespace medicall::media::meeting::testing {

class RecordingMediaListener final : public MeetingMediaListener {
 public:
  void OnSourcesChanged(std::vector<router::VideoSource> s, std::vector<webrtc::rtp::VideoCodec> c) override {
    Called();
    sources.push_back(std::move(s));
    receiveCodecs.push_back(std::move(c));
  }
  void OnBitrates(const std::string& attendeeId,
                  const std::vector<router::Router::Listener::StreamBitrate>& streams,
                  uint32_t availableKbps) override {
    Called();
    bitrates.push_back({attendeeId, streams, availableKbps});
  }
  void OnAttendeeDropped(const std::string& attendeeId) override {
    Called();
    dropped.push_back(attendeeId);
  }
  void OnAudioReport(const AudioReport& report) override {
    Called();
    audioReports.push_back(report);
  }

  struct Bitrates {
    std::string attendeeId;
    std::vector<router::Router::Listener::StreamBitrate> streams;
    uint32_t availableKbps = 0;
  };
  std::vector<std::vector<router::VideoSource>> sources;
  std::vector<std::vector<webrtc::rtp::VideoCodec>> receiveCodecs;
  std::vector<Bitrates> bitrates;
  std::vector<std::string> dropped;
  std::vector<AudioReport> audioReports;
  int calls = 0;
  std::thread::id lastThread;

 private:
  void Called() {
    ++calls;
    lastThread = std::this_thread::get_id();
  }
};

}  // namespace medicall::media::meeting::testing
