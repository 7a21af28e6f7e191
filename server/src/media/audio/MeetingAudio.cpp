#include "media/audio/MeetingAudio.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/Clock.hpp"
#include "common/Logger.hpp"
#include "common/Ntp.hpp"
#include "common/Random.hpp"
#include "webrtc/rtcp/Sdes.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"

namespace medicall::media::audio {

namespace {

constexpr std::size_t kMaxCname = 255;  // one SDES item (RFC 3550 section 6.5)
// SDES with one chunk of one CNAME item: header 4 + SSRC 4 + type/length 2 + text + END, padded to 32 bits.
constexpr std::size_t kMaxSdesSize = (4 + 4 + 2 + kMaxCname + 1 + 3) / 4 * 4;

}  // namespace

struct MeetingAudio::Attendee {
  std::string id;
  uint32_t streamId = 0;
  ListenerParams params;
  bool muted = false;
  bool inMixer = false;
  bool removed = false;
  // Source side: the SSRC the attendee sends on (a change restarts its jitter buffer).
  bool haveRemoteSsrc = false;
  uint32_t remoteSsrc = 0;
  // Listener side.
  bool newStream = true;  // the next packet starts an RTP stream: marker bit and a sender report
  uint32_t packetBase = 0, octetBase = 0;            // mixer counts when the current SSRC started
  uint32_t lastPacketCount = 0, lastOctetCount = 0;  // mixer counts of the last packet sent
  std::array<uint8_t, kMaxSdesSize> sdes{};          // SDES CNAME of our SSRC, serialized once
  std::size_t sdesSize = 0;
  std::array<uint8_t, kRtpBufferSize> rtp{};
  std::array<uint8_t, kRtcpBufferSize> rtcp{};
};

MeetingAudio::MeetingAudio(boost::asio::io_context& worker, const Options& options, Sink& sink)
    : sink_(sink),
      options_(options),
      mixer_([&options] {
        AudioMixerConfig config = options.mixer;
        config.maxTalkers = options.talkers;
        config.forwardSingleTalker = options.forwardSingleTalker;
        return config;
      }()),
      clock_(0, kFrameDurationUs, std::max<uint32_t>(options.maxCatchUpTicks, 1)),
      timer_(worker),
      nextStreamId_(std::max<uint32_t>(options.firstStreamId, 1)) {
  if (options_.cname.size() > kMaxCname) options_.cname.resize(kMaxCname);
  if (options_.cname.empty()) options_.cname = "medicall";
  options_.maxCatchUpTicks = std::max<uint32_t>(options_.maxCatchUpTicks, 1);
}

MeetingAudio::~MeetingAudio() {
  // timer_'s destructor cancels a pending wait; its handler then finds alive_ gone and does nothing.
  running_ = false;
  alive_.Kill();
}

int64_t MeetingAudio::NowUs() { return MonotonicNowUs(); }

// ---- attendees ----

uint32_t MeetingAudio::AddAttendee(const std::string& attendeeId, const ListenerParams& params) {
  if (params.ssrc == 0) return 0;
  if (auto it = attendees_.find(attendeeId); it != attendees_.end()) {
    ApplyParams(*it->second, params);
    return it->second->streamId;
  }
  while (nextStreamId_ == 0 || byStreamId_.contains(nextStreamId_)) ++nextStreamId_;
  auto attendee = std::make_unique<Attendee>();
  Attendee& a = *attendee;
  a.id = attendeeId;
  a.streamId = nextStreamId_++;
  ApplyParams(a, params);
  byStreamId_.emplace(a.streamId, &a);
  attendees_.emplace(attendeeId, std::move(attendee));
  if (inTick_) {
    pendingAdd_.push_back(a.streamId);
  } else {
    AddToMixer(a);
  }
  log::Info("audio", "attendee {} joined the mix as audio stream {}", attendeeId, a.streamId);
  return a.streamId;
}

void MeetingAudio::AddToMixer(Attendee& a) {
  // Random initial sequence number and timestamp (RFC 3550 section 5.1).
  const RtpStart start{.sequence = random::Value<uint16_t>(), .timestamp = random::Value<uint32_t>()};
  a.inMixer = mixer_.AddParticipant(a.streamId, start);
  if (a.inMixer) mixer_.SetMuted(a.streamId, a.muted || hostMuted_.contains(a.id));
}

bool MeetingAudio::RemoveAttendee(const std::string& attendeeId) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return false;
  Attendee& a = *it->second;
  a.removed = true;
  byStreamId_.erase(a.streamId);
  if (inTick_) {
    if (a.inMixer) pendingRemove_.push_back(a.streamId);
    graveyard_.push_back(std::move(it->second));  // a Sink call may still be using it
  } else if (a.inMixer) {
    mixer_.RemoveParticipant(a.streamId);
  }
  log::Info("audio", "attendee {} (audio stream {}) left the mix", attendeeId, a.streamId);
  attendees_.erase(it);
  return true;
}

bool MeetingAudio::SetMuted(const std::string& attendeeId, bool muted) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return false;
  Attendee& a = *it->second;
  a.muted = muted;
  if (a.inMixer) mixer_.SetMuted(a.streamId, muted || hostMuted_.contains(attendeeId));
  return true;
}

void MeetingAudio::SetHostMuted(const std::string& attendeeId, bool hostMuted) {
  if (hostMuted) {
    hostMuted_.insert(attendeeId);
  } else {
    hostMuted_.erase(attendeeId);
  }
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return;
  Attendee& a = *it->second;
  if (a.inMixer) mixer_.SetMuted(a.streamId, a.muted || hostMuted);
}

bool MeetingAudio::UpdateParams(const std::string& attendeeId, const ListenerParams& params) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || params.ssrc == 0) return false;
  ApplyParams(*it->second, params);
  return true;
}

void MeetingAudio::ApplyParams(Attendee& a, const ListenerParams& params) {
  const bool newSsrc = a.params.ssrc != params.ssrc;
  a.params = params;
  if (a.params.mid.size() > 255) a.params.mid.clear();  // not a valid mid (RFC 8843 section 15.2)
  if (!newSsrc) return;
  // A new RTP stream for the receiver: RTCP counts restart (RFC 3550 section 6.4.1), and it gets a
  // marker bit and a sender report with its first packet.
  a.newStream = true;
  a.packetBase = a.lastPacketCount;
  a.octetBase = a.lastOctetCount;
  webrtc::rtcp::Sdes sdes;
  sdes.AddCname(params.ssrc, options_.cname);
  a.sdesSize = sdes.Serialize(a.sdes);
}

// ---- receive ----

bool MeetingAudio::OnRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet,
                         int64_t arrivalUs) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second->inMixer) {
    ++stats_.rtpDropped;
    return false;
  }
  Attendee& a = *it->second;
  const uint32_t ssrc = packet.Ssrc();
  if (a.haveRemoteSsrc && a.remoteSsrc != ssrc) {
    mixer_.ResetSource(a.streamId);
    ++stats_.ssrcChanges;
  }
  a.haveRemoteSsrc = true;
  a.remoteSsrc = ssrc;
  std::optional<uint8_t> level;
  if (a.params.audioLevelExtId != 0) {
    if (auto l = packet.GetAudioLevel(a.params.audioLevelExtId)) level = l->level;
  }
  const bool accepted = mixer_.OnRtp(a.streamId, packet.SequenceNumber(), packet.Timestamp(), arrivalUs,
                                     packet.Payload(), level);
  ++(accepted ? stats_.rtpIn : stats_.rtpDropped);
  return accepted;
}

bool MeetingAudio::OnReceiverReport(const std::string& attendeeId, double fractionLost, int64_t atUs) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second->inMixer) return false;
  const uint32_t streamId = it->second->streamId;
  const LossProtection* protection = mixer_.Protection(streamId);
  const bool wasOn = protection != nullptr && protection->FecOn();
  if (!mixer_.OnReceiverReport(streamId, fractionLost, atUs)) return false;
  if (protection != nullptr && protection->FecOn() != wasOn) {
    log::Info("audio", "attendee {} loses {:.1f}% of the mix (smoothed): in-band FEC {} for its mix",
              attendeeId, protection->SmoothedLoss() * 100.0, wasOn ? "off" : "on");
  }
  return true;
}

// ---- ticks ----

void MeetingAudio::Start() {
  if (running_) return;
  running_ = true;
  const int64_t now = NowUs();
  if (stoppedAtUs_ >= 0 && now > stoppedAtUs_) {
    // Resumed: the pause shows as a timestamp jump, as after a stall (RFC 3550 section 5.1: the
    // timestamp follows the sampling clock).
    const int64_t paused = (now - stoppedAtUs_) / kFrameDurationUs;
    mixer_.SkipTicks(static_cast<uint32_t>(std::min<int64_t>(paused, INT32_MAX)));
  }
  clock_ = MixerClock(now + kFrameDurationUs, kFrameDurationUs, options_.maxCatchUpTicks);
  ArmTimer();
}

void MeetingAudio::Stop() {
  if (!running_) return;
  running_ = false;
  stoppedAtUs_ = NowUs();
  ++generation_;
  timer_.cancel();
}

void MeetingAudio::ArmTimer() {
  timer_.expires_at(
      std::chrono::steady_clock::time_point(std::chrono::microseconds(clock_.NextDeadlineUs())));
  timer_.async_wait(
      [this, watch = alive_.Observe(), generation = generation_](const boost::system::error_code& ec) {
        if (ec) return;  // cancelled
        if (!watch.Alive()) return;
        if (!running_ || generation_ != generation) return;  // stopped (and maybe restarted)
        OnTimer();
      });
}

void MeetingAudio::OnTimer() {
  const uint64_t generation = generation_;
  const MixerClock::Due due = clock_.Advance(NowUs());
  if (due.dropped > 0) {
    // A stall longer than maxCatchUpTicks: the lost time shows as a timestamp jump, not as delay.
    mixer_.SkipTicks(due.dropped);
    stats_.ticksDropped += due.dropped;
  }
  // The due ticks are the last `ticks` points of the 20 ms grid before the next deadline.
  const int64_t next = clock_.NextDeadlineUs();
  for (uint32_t i = 0; i < due.ticks; ++i) {
    TickAt(next - static_cast<int64_t>(due.ticks - i) * kFrameDurationUs);
    if (!running_ || generation_ != generation) return;  // a Sink callback stopped us
  }
  ArmTimer();
}

void MeetingAudio::TickAt(int64_t nowUs) {
  // The wall-clock time of this tick, for sender reports: the tick's time on the monotonic clock
  // shifted by the current offset between the two clocks.
  const int64_t tickWallUs = WallNowUs() + (nowUs - NowUs());
  const int64_t busySinceUs = MonotonicNowUs();
  inTick_ = true;
  const TickResult result = mixer_.Tick(nowUs);
  ++stats_.ticks;
  for (const ListenerOutput& out : result.outputs) {
    auto it = byStreamId_.find(out.id);
    if (it == byStreamId_.end()) continue;
    SendOutput(*it->second, out, tickWallUs);
  }
  if (!result.levels.empty()) sink_.OnAudioLevels(result.levels);
  inTick_ = false;
  FinishDeferred();
  stats_.tickBusyUs += static_cast<uint64_t>(std::max<int64_t>(MonotonicNowUs() - busySinceUs, 0));
}

void MeetingAudio::FinishDeferred() {
  if (pendingRemove_.empty() && pendingAdd_.empty() && graveyard_.empty()) return;
  for (uint32_t streamId : pendingRemove_) mixer_.RemoveParticipant(streamId);
  pendingRemove_.clear();
  for (uint32_t streamId : pendingAdd_) {
    if (auto it = byStreamId_.find(streamId); it != byStreamId_.end()) AddToMixer(*it->second);
  }
  pendingAdd_.clear();
  graveyard_.clear();
}

void MeetingAudio::SendOutput(Attendee& a, const ListenerOutput& out, int64_t tickWallUs) {
  // RTP, RFC 3550 section 5.1, with the mid extension (RFC 8843 section 15) when negotiated.
  webrtc::rtp::RtpPacketBuilder builder;
  builder.SetPayloadType(a.params.payloadType)
      .SetSequenceNumber(out.sequence)
      .SetTimestamp(out.timestamp)
      .SetSsrc(a.params.ssrc)
      .SetMarker(out.marker || a.newStream);
  if (a.params.midExtId != 0 && !a.params.mid.empty()) builder.AddMid(a.params.midExtId, a.params.mid);
  const std::size_t length =
      builder.Build(out.payload, std::span<uint8_t>(a.rtp).first(kRtpBufferSize - kTrailerRoom));
  const bool sendReport = out.sendSenderReport || a.newStream;
  const uint32_t ssrc = a.params.ssrc;
  a.lastPacketCount = out.packetCount;
  a.lastOctetCount = out.octetCount;
  if (length == 0) {
    ++stats_.oversized;
    return;
  }
  a.newStream = false;
  ++stats_.rtpSent;
  sink_.SendAudioRtp(a.id, a.rtp, length);
  if (!sendReport || a.removed || a.params.ssrc != ssrc) return;

  // Sender report (RFC 3550 section 6.4.1) + SDES CNAME (section 6.5): a compound (section 6.1). The
  // RTP timestamp is the packet's; the NTP time is when its content reached us: the wall-clock time
  // of its tick minus the jitter-buffer delay of the mixed talkers. Forwarded video maps its
  // timestamps to their arrival too (SendStream), so the receiver's A/V sync sees both streams on one
  // clock and does not play the audio late by our jitter buffer.
  webrtc::rtcp::SenderReport sr;
  sr.senderSsrc = ssrc;
  sr.ntpTimestamp = ntp::FromUnixUs(tickWallUs - out.contentDelayUs);
  sr.rtpTimestamp = out.timestamp;
  sr.packetCount = out.packetCount - a.packetBase;
  sr.octetCount = out.octetCount - a.octetBase;
  const std::span<uint8_t> room = std::span<uint8_t>(a.rtcp).first(kRtcpBufferSize - kTrailerRoom);
  const std::size_t srSize = sr.Serialize(room);
  if (srSize == 0 || a.sdesSize == 0 || srSize + a.sdesSize > room.size()) return;
  std::memcpy(room.data() + srSize, a.sdes.data(), a.sdesSize);
  ++stats_.rtcpSent;
  sink_.SendAudioRtcp(a.id, a.rtcp, srSize + a.sdesSize);
}

// ---- lookups ----

std::optional<uint32_t> MeetingAudio::StreamIdOf(const std::string& attendeeId) const {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return std::nullopt;
  return it->second->streamId;
}

const std::string* MeetingAudio::AttendeeOf(uint32_t streamId) const {
  auto it = byStreamId_.find(streamId);
  return it == byStreamId_.end() ? nullptr : &it->second->id;
}

}  // namespace medicall::media::audio
