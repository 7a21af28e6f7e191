#include "media/meeting/MeetingMedia.hpp"

#include <exception>
#include <stdexcept>

#include "common/Logger.hpp"
#include "webrtc/rtp/RtpPacket.hpp"

namespace medicall::media::meeting {

MeetingMedia::MeetingMedia(boost::asio::io_context& worker, Options options, Report report)
    : report_(std::move(report)), clock_(*options.clock), metrics_(options.metrics) {
  if (!options.makeRouter) throw std::invalid_argument("MeetingMedia needs a router factory");
  router_ = options.makeRouter(*this);
  audio_ = std::make_unique<audio::MeetingAudio>(worker, options.audio, *this);
  for (const auto& attendeeId : options.hostMuted) audio_->SetHostMuted(attendeeId, true);
  router_->SetAudioSink(this);
  audio_->Start();
  if (metrics_ != nullptr)
    metricsId_ = metrics_->Register([this](quality::MediaMetrics::Counts& c) { AddMediaCounts(c); });
}

MeetingMedia::~MeetingMedia() {
  if (metrics_ != nullptr) metrics_->Unregister(metricsId_);
  if (audio_) audio_->Stop();
  // The mixer sends through the router: it goes first. reset() empties each pointer before its
  // object is destroyed, so a callback during the destruction finds it gone.
  audio_.reset();
  router_.reset();
}

router::SubscribeAnswer MeetingMedia::Subscribe(const router::SubscribeParams& params) {
  router::SubscribeAnswer answer;
  try {
    answer = router_->Subscribe(params);
    if (answer.status == 200) UpdateAudio(params.attendeeId, params.audioMuted);
  } catch (const std::exception& e) {
    log::Error("signaling", "subscribe failed: {}", e.what());
    answer = {};
    answer.status = 500;
    answer.description = "internal error";
  }
  return answer;
}

void MeetingMedia::UpdateAudio(const std::string& attendeeId, bool muted) {
  ParticipantFor(attendeeId);
  const auto p = router_->GetAudioParams(attendeeId);
  if (!p) return;
  audio_->AddAttendee(attendeeId,
                      {p->ssrc, p->payloadType, p->audioLevelExtensionId, p->midExtensionId, p->mid});
  audio_->SetMuted(attendeeId, muted);
}

MeetingParticipant& MeetingMedia::ParticipantFor(const std::string& attendeeId) {
  auto it = participants_.find(attendeeId);
  if (it == participants_.end()) it = participants_.emplace(attendeeId, MeetingParticipant(attendeeId)).first;
  return it->second;
}

const MeetingParticipant* MeetingMedia::Participant(const std::string& attendeeId) const {
  auto it = participants_.find(attendeeId);
  return it == participants_.end() ? nullptr : &it->second;
}

void MeetingMedia::RemoveAttendee(const std::string& attendeeId) {
  participants_.erase(attendeeId);
  audio_->RemoveAttendee(attendeeId);
  router_->RemoveAttendee(attendeeId);
}

void MeetingMedia::SetMuted(const std::string& attendeeId, bool muted) {
  audio_->SetMuted(attendeeId, muted);
}

void MeetingMedia::SetHostMuted(const std::string& attendeeId, bool muted) {
  audio_->SetHostMuted(attendeeId, muted);
}

void MeetingMedia::SetPaused(const std::string& attendeeId, const std::vector<uint32_t>& streamIds,
                             bool paused) {
  router_->SetPaused(attendeeId, streamIds, paused);
}

void MeetingMedia::UpdateSubscriptions(const std::string& attendeeId,
                                       const std::vector<std::pair<std::string, uint32_t>>& updates) {
  for (const auto& [mid, streamId] : updates) router_->UpdateSubscription(attendeeId, mid, streamId);
}

void MeetingMedia::SetVideoPreferences(const std::string& attendeeId,
                                       const std::vector<router::VideoPreference>& preferences) {
  for (const auto& preference : preferences) router_->SetVideoPreference(attendeeId, preference);
}

void MeetingMedia::RequestKeyframes(const std::set<std::string>& attendeeIds) {
  for (const auto& id : attendeeIds) router_->RequestKeyframeFrom(id);
}

void MeetingMedia::AddMediaCounts(quality::MediaMetrics::Counts& c) const {
  using M = quality::MediaMetrics;
  if (router_) {
    const auto r = router_->GetStats();
    c[M::kVideoIn] += r.videoIn;
    c[M::kVideoOut] += r.forwarded;
    c[M::kRtxSent] += r.retransmitted;
    c[M::kNackNotCached] += r.nackMisses;
    c[M::kNackSuppressed] += r.nackSuppressed;
    c[M::kNackOverBudget] += r.nackOverBudget;
    c[M::kNacksSent] += r.upstreamNacks;
    c[M::kPlisSent] += r.keyframeRequests;
    c[M::kPlisReceived] += r.keyframeAsks;
    c[M::kDropUnknownStream] += r.dropped;
    c[M::kDropForeignSsrc] += r.foreignSsrc;
  }
  if (audio_) {
    const auto& a = audio_->GetStats();
    c[M::kAudioIn] += a.rtpIn;
    c[M::kAudioOut] += a.rtpSent;
    c[M::kDropAudioRejected] += a.rtpDropped;
    c[M::kMixerTicks] += a.ticks;
    c[M::kMixerTicksDropped] += a.ticksDropped;
    c[M::kMixerBusyUs] += a.tickBusyUs;
  }
}

// --- Router::Listener

void MeetingMedia::OnSourcesChanged() {
  auto sources = router_ ? router_->Sources() : std::vector<router::VideoSource>{};
  auto codecs = router_ ? router_->ReceiveCodecIntersection()
                        : std::vector<webrtc::rtp::VideoCodec>{webrtc::rtp::VideoCodec::kVp8};
  report_([sources = std::move(sources), codecs = std::move(codecs)](MeetingMediaListener& l) mutable {
    l.OnSourcesChanged(std::move(sources), std::move(codecs));
  });
}

void MeetingMedia::OnAttendeeDropped(const std::string& attendeeId) {
  report_([attendeeId](MeetingMediaListener& l) { l.OnAttendeeDropped(attendeeId); });
}

void MeetingMedia::OnBitrates(const std::string& attendeeId, const std::vector<StreamBitrate>& streams,
                              uint32_t availableKbps) {
  report_([attendeeId, streams, availableKbps](MeetingMediaListener& l) {
    l.OnBitrates(attendeeId, streams, availableKbps);
  });
}

// --- Router::AudioSink and MeetingAudio::Sink

void MeetingMedia::OnAudioRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet,
                              int64_t queuedUs) {
  const int64_t arrivalUs = clock_.NowUs() - queuedUs;  // MeetingAudio's NowUs() clock in the server
  ParticipantFor(attendeeId)
      .OnAudioPacket(packet.SequenceNumber(), packet.Timestamp(), packet.Size(), arrivalUs);
  if (audio_) audio_->OnRtp(attendeeId, packet, arrivalUs);
}

void MeetingMedia::SendAudioRtp(const std::string& attendeeId, std::span<uint8_t> buffer,
                                std::size_t length) {
  if (router_) router_->SendRtpTo(attendeeId, buffer, length);
}

void MeetingMedia::SendAudioRtcp(const std::string& attendeeId, std::span<uint8_t> buffer,
                                 std::size_t length) {
  if (router_) router_->SendRtcpTo(attendeeId, buffer, length);
}

// About 5 times a second: the mixer's levels, named by attendee, become AUDIO_METADATA on the
// signaling thread.
void MeetingMedia::OnAudioLevels(std::span<const audio::AttendeeLevel> levels) {
  if (!audio_) return;
  MeetingMediaListener::AudioReport report;
  report.levels.reserve(levels.size());
  for (const auto& level : levels) {
    if (const std::string* attendeeId = audio_->AttendeeOf(level.id))
      report.levels.emplace_back(*attendeeId, level);
  }
  if (report.levels.empty()) return;
  // Signal strength from the server's view of each attendee's uplink; about once a second that
  // view goes to the call-quality recorder too, with the downlink views (from each attendee's RTCP).
  const int64_t nowUs = clock_.NowUs();
  for (auto& [attendeeId, level] : report.levels) {
    const MeetingParticipant* p = Participant(attendeeId);
    level.signalStrength = p != nullptr ? p->SignalStrength(nowUs) : 0;
  }
  if (++levelReports_ % 5 == 0) {
    constexpr int kWindowSeconds = 5;
    for (const auto& [attendeeId, p] : participants_) {
      if (p.HasUplink())
        report.uplinks.push_back({attendeeId, p.UplinkView(nowUs, kWindowSeconds), p.SignalStrength(nowUs)});
    }
    if (router_) report.downlinks = router_->DownlinkViews();
    // The listeners' loss on the mixed audio sets FEC and bitrate of the mix each one hears.
    for (const auto& d : report.downlinks) {
      for (const auto& stream : d.streams) {
        if (stream.audio)
          audio_->OnReceiverReport(d.attendeeId, stream.fractionLost, nowUs - stream.reportAgeMs * 1000);
      }
    }
  }
  report_([report = std::move(report)](MeetingMediaListener& l) { l.OnAudioReport(report); });
}

}  // namespace medicall::media::meeting
