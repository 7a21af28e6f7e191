#pragma once
// The media of one live meeting, on its media worker: the video router (Router), the audio mixer
// (MeetingAudio) and one MeetingParticipant per attendee. It is the router's listener and audio
// sink and the mixer's sink, wires the two together (the mixer sends through the router's
// transports), counts the meeting for /metrics, and reports what the signaling side needs (INDEX
// sources, BITRATES, drops, AUDIO_METADATA levels with uplink and downlink views) through `report`,
// which posts each report to the HTTP/signaling thread.
//
// Threading: created, used and destroyed on the worker thread only. The signaling side never holds
// it: it holds a MeetingMediaHandle, whose methods post to it (MeetingMediaHandle.hpp).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/Clock.hpp"
#include "media/audio/MeetingAudio.hpp"
#include "media/meeting/MeetingMediaListener.hpp"
#include "media/meeting/MeetingParticipant.hpp"
#include "media/router/Router.hpp"
#include "quality/MediaMetrics.hpp"

namespace medicall::media::meeting {

class MeetingMedia final : public router::Router::Listener,
                           public router::Router::AudioSink,
                           public audio::MeetingAudio::Sink {
 public:
  // Makes the meeting's router with `listener` (Router::Create in the server, a fake in tests).
  using RouterFactory = std::function<std::unique_ptr<router::Router>(router::Router::Listener& listener)>;
  struct Options {
    RouterFactory makeRouter;                  // required
    audio::MeetingAudio::Options audio;        // the mixer's settings
    std::set<std::string> hostMuted;           // attendees the host muted before the media began
    quality::MediaMetrics* metrics = nullptr;  // not owned, outlives this; nullptr: not counted
    // Arrival and uplink times (MeetingAudio::NowUs()'s monotonic clock in the server).
    const Clock* clock = &Clock::System();
  };
  // Hands one report to the listener on the signaling thread (posts it; MeetingMediaHandle).
  using Report = std::function<void(std::function<void(MeetingMediaListener&)> event)>;

  // Makes the router and the mixer and starts the mixer's ticks on `worker` (this thread's loop).
  MeetingMedia(boost::asio::io_context& worker, Options options, Report report);
  ~MeetingMedia() override;
  MeetingMedia(const MeetingMedia&) = delete;
  MeetingMedia& operator=(const MeetingMedia&) = delete;

  // Offer/answer for the attendee; on success its audio joins the mixer (muted as `audioMuted` says).
  // Never throws: a failure is a 500 answer.
  router::SubscribeAnswer Subscribe(const router::SubscribeParams& params);
  // The attendee's session ended: its transport, streams, mix and participant go.
  void RemoveAttendee(const std::string& attendeeId);
  void SetMuted(const std::string& attendeeId, bool muted);
  void SetHostMuted(const std::string& attendeeId, bool muted);
  // SDK downlink controls (PAUSE / RESUME, REMOTE_VIDEO_UPDATE: mid -> stream id).
  void SetPaused(const std::string& attendeeId, const std::vector<uint32_t>& streamIds, bool paused);
  void UpdateSubscriptions(const std::string& attendeeId,
                           const std::vector<std::pair<std::string, uint32_t>>& updates);
  // REMOTE_VIDEO_UPDATE's priorities and tile bitrates, per mid.
  void SetVideoPreferences(const std::string& attendeeId,
                           const std::vector<router::VideoPreference>& preferences);
  // A PLI to each attendee's video publisher (content shares, periodically).
  void RequestKeyframes(const std::set<std::string>& attendeeIds);

  // This meeting's counters for /metrics (added into `c`).
  void AddMediaCounts(quality::MediaMetrics::Counts& c) const;
  // nullptr for an attendee not (or no longer) in the meeting's media.
  const MeetingParticipant* Participant(const std::string& attendeeId) const;
  std::size_t ParticipantCount() const { return participants_.size(); }
  const audio::MeetingAudio& Audio() const { return *audio_; }

  // --- Router::Listener
  void OnSourcesChanged() override;
  void OnAttendeeDropped(const std::string& attendeeId) override;
  void OnBitrates(const std::string& attendeeId, const std::vector<StreamBitrate>& streams,
                  uint32_t availableKbps) override;
  // --- Router::AudioSink
  void OnAudioRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet,
                  int64_t queuedUs) override;
  // --- MeetingAudio::Sink
  void SendAudioRtp(const std::string& attendeeId, std::span<uint8_t> buffer, std::size_t length) override;
  void SendAudioRtcp(const std::string& attendeeId, std::span<uint8_t> buffer, std::size_t length) override;
  void OnAudioLevels(std::span<const audio::AttendeeLevel> levels) override;

 private:
  // (Re)registers the attendee's audio with the mixer after an answer.
  void UpdateAudio(const std::string& attendeeId, bool muted);
  MeetingParticipant& ParticipantFor(const std::string& attendeeId);

  Report report_;
  const Clock& clock_;
  quality::MediaMetrics* metrics_;
  uint64_t metricsId_ = 0;
  std::unique_ptr<router::Router> router_;
  std::unique_ptr<audio::MeetingAudio> audio_;
  std::unordered_map<std::string, MeetingParticipant> participants_;
  uint64_t levelReports_ = 0;
};

}  // namespace medicall::media::meeting
