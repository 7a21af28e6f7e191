#pragma once

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/AliveToken.hpp"
#include "media/audio/AudioMixer.hpp"
#include "media/audio/MixerClock.hpp"

namespace medicall::webrtc::rtp {
class RtpPacket;
}

namespace medicall::media::audio {

// The audio of one meeting on its media worker: takes every attendee's Opus RTP (after SRTP), runs
// the AudioMixer every 20 ms on a steady_timer paced by MixerClock, and hands back, per listener,
// a finished RTP packet (and now and then an RTCP SR + SDES compound) for the transport to encrypt
// and send, plus the AUDIO_METADATA levels about five times a second.
//
// The router owns it, implements Sink, and forwards each attendee's audio packets to OnRtp.
// Single-threaded: every method and every Sink callback runs on the worker thread. Sink callbacks
// must not destroy this object; they may call the other methods (an attendee added or removed
// during a tick joins or leaves the mixer at the end of the tick).
// No heap allocation per tick once the attendee set is stable: each listener owns fixed buffers.
class MeetingAudio {
 public:
  // Packet buffers handed to the Sink: the packet, then at least kTrailerRoom bytes of free space
  // for the SRTP/SRTCP trailer (auth tag, MKI, SRTCP index), so the transport protects in place.
  static constexpr std::size_t kRtpBufferSize = 1500;
  static constexpr std::size_t kRtcpBufferSize = 512;
  static constexpr std::size_t kTrailerRoom = 64;

  struct Options {
    std::size_t talkers = 3;           // K: only the K loudest talkers are mixed (AudioMixerConfig)
    bool forwardSingleTalker = false;  // one talker: relay its Opus without transcoding (see AudioMixer)
    std::string cname = "medicall";    // SDES CNAME of our streams: the a=ssrc cname of the answer
    // After a stall, up to this many due ticks run back to back (200 ms: a loaded worker's stall
    // costs the listeners no packet, their jitter buffers absorb the burst); older ones are dropped.
    uint32_t maxCatchUpTicks = 10;
    uint32_t firstStreamId = 1;  // audio stream ids are allocated upward from here
    // Further tuning; its maxTalkers and forwardSingleTalker are replaced by the two fields above.
    AudioMixerConfig mixer;
  };

  // What the attendee's current answer negotiated for the audio we send it, and its offer's ids for
  // what it sends us.
  struct ListenerParams {
    uint32_t ssrc = 0;            // our sending SSRC towards this attendee (a=ssrc of the answer)
    uint8_t payloadType = 111;    // Opus payload type of the answer
    uint8_t audioLevelExtId = 0;  // urn:ietf:params:rtp-hdrext:ssrc-audio-level id, 0 = not negotiated
    uint8_t midExtId = 0;         // urn:ietf:params:rtp-hdrext:sdes:mid id, 0 = not negotiated
    std::string mid;              // the audio m-section's mid, sent when midExtId != 0
  };

  // Implemented by the router (the attendee's WebRtcTransport sends).
  class Sink {
   public:
    virtual ~Sink() = default;
    // One RTP packet for `attendeeId`: bytes [0, length) of `buffer`; buffer.size() - length >=
    // kTrailerRoom. The buffer belongs to the listener and is reused at its next packet: encrypt in
    // place and send before returning.
    virtual void SendAudioRtp(const std::string& attendeeId, std::span<uint8_t> buffer,
                              std::size_t length) = 0;
    // One compound RTCP packet (SR + SDES CNAME), same buffer rules.
    virtual void SendAudioRtcp(const std::string& attendeeId, std::span<uint8_t> buffer,
                               std::size_t length) = 0;
    // AUDIO_METADATA attendee_states, about five times a second; ids are the audio stream ids from
    // AddAttendee. The span is valid during the call.
    virtual void OnAudioLevels(std::span<const AttendeeLevel> levels) = 0;
  };

  struct Stats {
    uint64_t rtpIn = 0;         // packets accepted by a jitter buffer
    uint64_t rtpDropped = 0;    // unknown attendee, or refused by the jitter buffer (late, duplicate, ...)
    uint64_t rtpSent = 0;       // packets handed to Sink::SendAudioRtp
    uint64_t rtcpSent = 0;      // compounds handed to Sink::SendAudioRtcp
    uint64_t oversized = 0;     // outputs that did not fit the listener's buffer (not sent)
    uint64_t ticks = 0;         // mixer ticks run
    uint64_t ticksDropped = 0;  // ticks dropped after a worker stall
    uint64_t tickBusyUs = 0;    // time spent in ticks (steady clock), for /metrics
    uint64_t ssrcChanges = 0;   // an attendee's sending SSRC changed: its jitter buffer restarted
  };

  MeetingAudio(boost::asio::io_context& worker, const Options& options, Sink& sink);
  ~MeetingAudio();
  MeetingAudio(const MeetingAudio&) = delete;
  MeetingAudio& operator=(const MeetingAudio&) = delete;

  // A new attendee: it is a source and a listener. Returns its audio stream id (for
  // AUDIO_STREAM_ID_INFO and AUDIO_METADATA). For an attendee already present, updates its params and
  // returns its existing id. Returns 0 when params.ssrc is 0.
  uint32_t AddAttendee(const std::string& attendeeId, const ListenerParams& params);
  bool RemoveAttendee(const std::string& attendeeId);
  // Muted: contributes nothing and is reported muted; still hears the others.
  bool SetMuted(const std::string& attendeeId, bool muted);
  // Muted by the host (a clinician): left out of the mix whatever its own mute state (AUDIO_CONTROL,
  // SUBSCRIBE) says, so a modified client cannot unmute itself. Kept by attendee id, also while the
  // attendee is not (or no longer, or not yet again) in the mix; false lets its own state apply.
  void SetHostMuted(const std::string& attendeeId, bool hostMuted);
  bool IsHostMuted(const std::string& attendeeId) const { return hostMuted_.contains(attendeeId); }
  // Renegotiation. A new SSRC starts a new RTP stream for RTCP (packet and octet counts restart, the
  // next packet has the marker bit); sequence numbers and timestamps continue.
  bool UpdateParams(const std::string& attendeeId, const ListenerParams& params);

  // One decrypted audio RTP packet (Opus) from the attendee. `arrivalUs` on the NowUs() clock.
  // Reads sequence number, timestamp, payload and the audio-level extension (params.audioLevelExtId).
  bool OnRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet, int64_t arrivalUs);
  bool OnRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet) {
    return OnRtp(attendeeId, packet, NowUs());
  }

  // The attendee's receiver report about the mixed audio we send it: fraction lost (0..1) since its
  // previous report, arrived at atUs (NowUs() clock). Drives FEC and bitrate of the mix it hears
  // (AudioMixerConfig::adaptProtection). A report already taken (LossProtection::kSameReportUs) is ignored.
  bool OnReceiverReport(const std::string& attendeeId, double fractionLost, int64_t atUs);

  // Starts the 20 ms ticks (first one 20 ms from now). Idempotent.
  void Start();
  // Cancels the timer; attendees and stream state are kept (Start resumes; the RTP timestamps jump
  // by the paused time, the sequence numbers continue).
  void Stop();
  bool Running() const { return running_; }

  // Runs one tick as the timer does, at `nowUs` (NowUs() clock): mixer tick, RTP and RTCP to the
  // Sink, levels. For tests and benchmarks that drive time themselves (without Start).
  void TickAt(int64_t nowUs);

  std::optional<uint32_t> StreamIdOf(const std::string& attendeeId) const;
  // The attendee of a stream id, nullptr if none.
  const std::string* AttendeeOf(uint32_t streamId) const;
  std::size_t AttendeeCount() const { return attendees_.size(); }
  const AudioMixer& Mixer() const { return mixer_; }
  const Stats& GetStats() const { return stats_; }

  // MonotonicNowUs() (steady_clock: the clock of the timer, of arrivalUs and of ticks).
  static int64_t NowUs();

 private:
  struct Attendee;

  void ArmTimer();
  void OnTimer();
  void ApplyParams(Attendee& a, const ListenerParams& params);
  void SendOutput(Attendee& a, const ListenerOutput& out, int64_t tickWallUs);
  void AddToMixer(Attendee& a);
  void FinishDeferred();

  Sink& sink_;
  Options options_;
  AudioMixer mixer_;
  MixerClock clock_;
  boost::asio::steady_timer timer_;
  bool running_ = false;
  uint64_t generation_ = 0;  // bumped by Stop: a handler of an earlier Start does nothing
  int64_t stoppedAtUs_ = -1;
  // Pending timer handlers observe this: they do nothing once the object is gone.
  AliveToken alive_;
  std::unordered_map<std::string, std::unique_ptr<Attendee>> attendees_;
  std::unordered_map<uint32_t, Attendee*> byStreamId_;
  std::unordered_set<std::string> hostMuted_;  // attendee ids muted by the host
  uint32_t nextStreamId_;
  // Attendees added or removed by a Sink callback during a tick join or leave the mixer after it,
  // so the mixer's output and level spans stay valid while they are being sent.
  bool inTick_ = false;
  std::vector<uint32_t> pendingAdd_;
  std::vector<uint32_t> pendingRemove_;
  std::vector<std::unique_ptr<Attendee>> graveyard_;
  Stats stats_;
};

}  // namespace medicall::media::audio
