#include <utility>

#include "app/ChimeBridge.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <set>

#include "common/Clock.hpp"
#include "common/Logger.hpp"
#include "media/audio/MeetingAudio.hpp"
#include "media/router/Router.hpp"
#include "meetings/MeetingsService.hpp"
#include "net/MediaWorker.hpp"
#include "net/WebSocketConnection.hpp"
#include "signaling/ContentShare.hpp"
#include "quality/MediaMetrics.hpp"
#include "quality/MeetingQualityRecorder.hpp"
#include "quality/UplinkMonitorSet.hpp"
#include "signaling/MeetingSignaling.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

namespace medicall::app {

namespace asio = boost::asio;
using media::router::Router;
using signaling::ContentShare;
using signaling::MeetingSignaling;
using signaling::SignalingSession;

namespace {

// "_aws_wt_session, <JoinToken>" -> the token; empty when the offer is not Chime's.
std::string JoinTokenFromSubprotocols(const std::string* header) {
  if (header == nullptr) return {};
  bool sawChime = false;
  std::string token;
  size_t start = 0;
  while (start <= header->size()) {
    size_t comma = header->find(',', start);
    if (comma == std::string::npos) comma = header->size();
    std::string item = header->substr(start, comma - start);
    const auto b = item.find_first_not_of(" \t");
    const auto e = item.find_last_not_of(" \t");
    item = b == std::string::npos ? std::string() : item.substr(b, e - b + 1);
    if (item == ChimeBridge::kSubprotocol)
      sawChime = true;
    else if (!item.empty())
      token = item;
    start = comma + 1;
  }
  return sawChime ? token : std::string();
}

// The router's view of an attendee's downlink, as the call-quality recorder takes it.
quality::DownlinkView QualityDownlink(const media::router::DownlinkView& d) {
  quality::DownlinkView v;
  v.lossPct = d.lossPct;
  v.jitterMs = d.jitterMs;
  v.rttMs = d.rttMs;
  v.nacksReceived = d.nacksReceived;
  v.keyframeRequestsReceived = d.keyframeRequestsReceived;
  v.retransmissionsSent = d.retransmissionsSent;
  if (d.estimateBps)
    v.estimateBps = static_cast<double>(*d.estimateBps);
  else if (d.rembBps != 0)
    v.estimateBps = static_cast<double>(d.rembBps);
  return v;
}

signaling::SubscribeResult ToSignaling(const media::router::SubscribeAnswer& answer) {
  signaling::SubscribeResult r;
  r.status = answer.status;
  r.description = answer.description;
  r.sdpAnswer = answer.sdpAnswer;
  for (const auto& t : answer.tracks) {
    signaling::proto::SdkTrackMapping m;
    m.set_stream_id(t.streamId);
    m.set_ssrc(t.ssrc);
    m.set_track_label(t.trackLabel);
    r.tracks.push_back(std::move(m));
  }
  for (const auto& allocation : answer.videoAllocations) {
    signaling::proto::SdkStreamAllocation a;
    a.set_track_label(allocation.trackLabel);
    a.set_stream_id(allocation.streamId);
    a.set_group_id(allocation.groupId);
    r.allocations.push_back(std::move(a));
  }
  return r;
}

}  // namespace

// One live meeting. Signaling state is used on the HTTP thread; `router` only on the media worker
// (created, used and destroyed there). Router callbacks come on the worker and are posted back.
struct ChimeBridge::Meeting final : MeetingSignaling::Delegate,
                                    Router::Listener,
                                    Router::AudioSink,
                                    media::audio::MeetingAudio::Sink,
                                    std::enable_shared_from_this<ChimeBridge::Meeting> {
  Meeting(std::string meetingId, ChimeBridge& owner)
      : id(std::move(meetingId)),
        bridge(&owner),
        worker(owner.demuxer_.Worker()),
        signaling(std::make_unique<MeetingSignaling>(id, *this)),
        mediaMetrics(owner.mediaMetrics_) {
    if (owner.qualitySink_ != nullptr)
      quality = std::make_unique<quality::MeetingQualityRecorder>(id, *owner.qualitySink_);
  }

  // Worker thread: the video router and the audio mixer of the meeting.
  void CreateRouter(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
                    std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                    const std::set<std::string>& hostMuted) {
    router = Router::Create(config, demuxer, std::move(certificate), *this);
    audio = std::make_unique<media::audio::MeetingAudio>(worker.Context(),
                                                         media::audio::MeetingAudio::Options{}, *this);
    for (const auto& attendeeId : hostMuted) audio->SetHostMuted(attendeeId, true);
    router->SetAudioSink(this);
    audio->Start();
    if (mediaMetrics != nullptr)
      mediaMetricsId =
          mediaMetrics->Register([this](quality::MediaMetrics::Counts& c) { AddMediaCounts(c); });
  }

  // Worker thread: this meeting's counters for /metrics.
  void AddMediaCounts(quality::MediaMetrics::Counts& c) const {
    using M = quality::MediaMetrics;
    if (router) {
      const auto r = router->GetStats();
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
    if (audio) {
      const auto& a = audio->GetStats();
      c[M::kAudioIn] += a.rtpIn;
      c[M::kAudioOut] += a.rtpSent;
      c[M::kDropAudioRejected] += a.rtpDropped;
      c[M::kMixerTicks] += a.ticks;
      c[M::kMixerTicksDropped] += a.ticksDropped;
      c[M::kMixerBusyUs] += a.tickBusyUs;
    }
  }

  // HTTP thread: tears the media down on the worker; the posted task keeps this object alive.
  void CloseMedia() {
    if (mediaClosed) return;
    mediaClosed = true;
    worker.Post([self = shared_from_this()] {
      if (self->mediaMetrics != nullptr) self->mediaMetrics->Unregister(self->mediaMetricsId);
      if (self->audio) self->audio->Stop();
      self->audio.reset();
      self->router.reset();
    });
  }

  // Worker thread: (re)registers the attendee's audio with the mixer after an answer.
  void UpdateAudio(const std::string& attendeeId, bool muted) {
    if (!router || !audio) return;
    const auto p = router->GetAudioParams(attendeeId);
    if (!p) return;
    audio->AddAttendee(attendeeId,
                       {p->ssrc, p->payloadType, p->audioLevelExtensionId, p->midExtensionId, p->mid});
    audio->SetMuted(attendeeId, muted);
  }

  // --- MeetingSignaling::Delegate (HTTP thread)
  signaling::proto::SdkIndexFrame IndexFor(const signaling::SessionIdentity& attendee) override {
    signaling::proto::SdkIndexFrame index;
    for (const auto& s : sources) {
      if (s.attendeeId == attendee.attendeeId) continue;
      auto* d = index.add_sources();
      d->set_stream_id(s.streamId);
      d->set_group_id(s.groupId);
      d->set_attendee_id(s.attendeeId);
      d->set_external_user_id(s.externalUserId);
      d->set_media_type(signaling::proto::VIDEO);
      d->set_max_bitrate_kbps(s.maxBitrateKbps);
      d->set_avg_bitrate_bps(s.avgBitrateBps);
      if (s.width) d->set_width(s.width);
      if (s.height) d->set_height(s.height);
      if (s.framerate) d->set_framerate(s.framerate);
    }
    index.set_num_participants(static_cast<uint32_t>(signaling->PresentPeopleCount()));
    // What every attendee decodes: the SDK sends the first of its preferences in it
    // (chime-protocol-2.md 6.5).
    for (const webrtc::rtp::VideoCodec codec : receiveCodecs) {
      if (codec == webrtc::rtp::VideoCodec::kVp8)
        index.add_supported_receive_codec_intersection(signaling::proto::VP8);
      if (codec == webrtc::rtp::VideoCodec::kH264)
        index.add_supported_receive_codec_intersection(signaling::proto::H264_CONSTRAINED_BASELINE_PROFILE);
    }
    return index;
  }

  void OnSubscribe(const signaling::SessionIdentity& attendee, signaling::SubscribeRequest request,
                   SignalingSession::SubscribeDone done) override {
    media::router::SubscribeParams params;
    params.attendeeId = attendee.attendeeId;
    params.externalUserId = attendee.externalUserId;
    params.sdpOffer = std::move(request.sdpOffer);
    params.receiveStreamIds = std::move(request.receiveStreamIds);
    params.audioMuted = request.audioMuted;
    for (const auto& s : request.sendStreams) {
      if (s.media_type() == signaling::proto::VIDEO) {
        if (!params.sendsVideo) params.videoMaxBitrateKbps = s.max_bitrate_kbps();
        params.sendsVideo = true;
        params.videoLayerMaxBitrateKbps.push_back(s.max_bitrate_kbps());  // one per simulcast layer
      }
    }
    if (mediaClosed) return done(signaling::SubscribeResult::Failure(503, "meeting is closing"));
    worker.Post([self = shared_from_this(), params = std::move(params), done = std::move(done)]() mutable {
      media::router::SubscribeAnswer answer;
      if (!self->router) {
        answer.status = 503;
        answer.description = "meeting media is gone";
      } else {
        try {
          answer = self->router->Subscribe(params);
          if (answer.status == 200) self->UpdateAudio(params.attendeeId, params.audioMuted);
        } catch (const std::exception& e) {
          log::Error("signaling", "subscribe failed: {}", e.what());
          answer.status = 500;
          answer.description = "internal error";
        }
      }
      asio::post(self->IoContext(), [self, attendeeId = params.attendeeId, answer = std::move(answer),
                                     done = std::move(done)]() mutable {
        if (answer.status == 200 && self->quality) self->quality->OnJoined(attendeeId);
        done(ToSignaling(answer));
      });
    });
  }

  void OnAttendeeLeft(const signaling::SessionIdentity& attendee,
                      SignalingSession::EndReason reason) override {
    // A replaced session's successor brings a new peer connection: drop the old transport too.
    if (reason != SignalingSession::EndReason::kReplaced && quality)
      quality->OnLeft(attendee.attendeeId, reason != SignalingSession::EndReason::kLeft);
    worker.Post([self = shared_from_this(), attendeeId = attendee.attendeeId] {
      self->uplinks.Remove(attendeeId);
      if (self->audio) self->audio->RemoveAttendee(attendeeId);
      if (self->router) self->router->RemoveAttendee(attendeeId);
    });
    if (ContentShare::IsContent(attendee.attendeeId)) StopContentKeyframes(attendee.attendeeId);
    if (reason != SignalingSession::EndReason::kReplaced && bridge != nullptr) {
      if (bridge->presence_) {
        bridge->presence_(id, attendee.attendeeId,
                          reason == SignalingSession::EndReason::kDropped ? "dropped" : "left");
      }
      try {
        // A content share is no person: the meetings service tracks its base attendee only.
        if (!ContentShare::IsContent(attendee.attendeeId))
          bridge->meetings_.AttendeeDisconnected(id, attendee.attendeeId,
                                                 reason == SignalingSession::EndReason::kLeft
                                                     ? meetings::MeetingsService::Departure::kLeft
                                                     : meetings::MeetingsService::Departure::kDropped);
      } catch (const std::exception& e) {
        log::Debug("signaling", "connection state not recorded: {}", e.what());
      }
      // Forget the meeting once nobody is connected (after the current call stack unwinds).
      asio::post(IoContext(), [self = shared_from_this()] {
        if (self->bridge != nullptr) self->bridge->ForgetIfEmpty(self->id);
      });
    }
  }

  // SDK downlink controls (chime-protocol-2.md section 3.6): to the router on the worker.
  void OnPauseResume(const signaling::SessionIdentity& attendee, bool pause,
                     const signaling::proto::SdkPauseResumeFrame& frame) override {
    std::vector<uint32_t> streamIds(frame.stream_ids().begin(), frame.stream_ids().end());
    if (streamIds.empty()) return;
    worker.Post([self = shared_from_this(), attendeeId = attendee.attendeeId,
                 streamIds = std::move(streamIds), pause] {
      if (self->router) self->router->SetPaused(attendeeId, streamIds, pause);
    });
  }

  void OnRemoteVideoUpdate(const signaling::SessionIdentity& attendee,
                           const signaling::proto::SdkRemoteVideoUpdateFrame& frame) override {
    std::vector<std::pair<std::string, uint32_t>> updates;
    for (const auto& c : frame.added_or_updated_video_subscriptions()) {
      if (c.has_stream_id() && c.stream_id() != 0) updates.emplace_back(c.mid(), c.stream_id());
    }
    if (updates.empty()) return;
    worker.Post([self = shared_from_this(), attendeeId = attendee.attendeeId, updates = std::move(updates)] {
      if (!self->router) return;
      for (const auto& [mid, streamId] : updates) self->router->UpdateSubscription(attendeeId, mid, streamId);
    });
  }

  void OnMuteChanged(const signaling::SessionIdentity& attendee, bool muted) override {
    worker.Post([self = shared_from_this(), attendeeId = attendee.attendeeId, muted] {
      if (self->audio) self->audio->SetMuted(attendeeId, muted);
    });
  }

  // A content sender gets a PLI every ContentShare::kKeyframeIntervalUs while it shares (unless its
  // JOIN disabled that), so that a static screen reaches late joiners and recovers from loss.
  void OnContentShareJoined(const signaling::SessionIdentity& content, bool periodicKeyframes) override {
    if (!periodicKeyframes) return StopContentKeyframes(content.attendeeId);
    keyframeContent.insert(content.attendeeId);
    if (keyframeTimer) return;
    keyframeTimer = std::make_unique<asio::steady_timer>(IoContext());
    ArmContentKeyframes();
  }
  void StopContentKeyframes(const std::string& contentId) {
    keyframeContent.erase(contentId);
    if (keyframeContent.empty() && keyframeTimer) {
      keyframeTimer->cancel();
      keyframeTimer.reset();
    }
  }
  void ArmContentKeyframes() {
    keyframeTimer->expires_after(std::chrono::microseconds(ContentShare::kKeyframeIntervalUs));
    keyframeTimer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || !self->keyframeTimer || self->mediaClosed) return;
      self->worker.Post([self, ids = self->keyframeContent] {
        if (!self->router) return;
        for (const auto& id : ids) self->router->RequestKeyframeFrom(id);
      });
      self->ArmContentKeyframes();
    });
  }

  // --- Router::AudioSink and MeetingAudio::Sink (media worker thread)
  void OnAudioRtp(const std::string& attendeeId, const webrtc::rtp::RtpPacket& packet,
                  int64_t queuedUs) override {
    const int64_t arrivalUs = MonotonicNowUs() - queuedUs;  // MeetingAudio's NowUs() clock
    uplinks.OnPacket(attendeeId, packet.SequenceNumber(), packet.Timestamp(), packet.Size(), arrivalUs);
    if (audio) audio->OnRtp(attendeeId, packet, arrivalUs);
  }
  void SendAudioRtp(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override {
    if (router) router->SendRtpTo(attendeeId, buffer, length);
  }
  void SendAudioRtcp(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) override {
    if (router) router->SendRtcpTo(attendeeId, buffer, length);
  }
  // About 5 times a second: the mixer's levels become AUDIO_METADATA on the signaling thread.
  void OnAudioLevels(std::span<const media::audio::AttendeeLevel> levels) override {
    if (!audio) return;
    std::vector<std::pair<std::string, media::audio::AttendeeLevel>> named;
    named.reserve(levels.size());
    for (const auto& level : levels) {
      if (const std::string* attendeeId = audio->AttendeeOf(level.id)) named.emplace_back(*attendeeId, level);
    }
    if (named.empty()) return;
    // Signal strength from the server's view of each attendee's uplink; about once a second that
    // view goes to the call-quality recorder too.
    const int64_t nowUs = MonotonicNowUs();
    for (auto& [attendeeId, level] : named) level.signalStrength = uplinks.SignalStrength(attendeeId, nowUs);
    // The downlink views (from each attendee's RTCP) go with them.
    std::vector<quality::UplinkMonitorSet::Entry> views;
    std::vector<media::router::DownlinkView> downlinks;
    if (++levelReports % 5 == 0) {
      views = uplinks.Views(nowUs, 5);
      if (router) downlinks = router->DownlinkViews();
    }
    asio::post(IoContext(), [self = shared_from_this(), named = std::move(named), views = std::move(views),
                             downlinks = std::move(downlinks)] {
      if (self->signaling->Ended()) return;
      if (self->quality) {
        for (const auto& v : views) self->quality->OnServerView(v.attendeeId, v.view, v.signalStrength);
        for (const auto& d : downlinks) self->quality->OnServerDownlink(d.attendeeId, QualityDownlink(d));
        self->quality->Tick();
      }
      signaling::proto::SdkAudioMetadataFrame metadata;
      for (const auto& [attendeeId, level] : named) {
        if (!self->signaling->IsPresent(attendeeId)) continue;
        const auto streamId = self->signaling->AudioStreamIdOf(attendeeId);
        if (!streamId) continue;
        auto* state = metadata.add_attendee_states();
        state->set_audio_stream_id(*streamId);
        state->set_volume(level.volume);
        state->set_signal_strength(level.signalStrength);
        state->set_muted(level.muted);
      }
      if (metadata.attendee_states_size() > 0) self->signaling->BroadcastAudioMetadata(metadata);
    });
  }

  void OnClientMetric(const signaling::SessionIdentity& attendee,
                      const signaling::proto::SdkClientMetricFrame& frame) override {
    if (!quality) return;
    const bool accepted = quality->OnClientMetricFrame(attendee.attendeeId, frame);
    if (mediaMetrics != nullptr) mediaMetrics->CountClientMetric(accepted);
  }

  // --- Router::Listener (media worker thread)
  void OnSourcesChanged() override {
    auto snapshot = router ? router->Sources() : std::vector<media::router::VideoSource>{};
    auto codecs = router ? router->ReceiveCodecIntersection()
                         : std::vector<webrtc::rtp::VideoCodec>{webrtc::rtp::VideoCodec::kVp8};
    asio::post(IoContext(), [self = shared_from_this(), snapshot = std::move(snapshot),
                             codecs = std::move(codecs)]() mutable {
      self->sources = std::move(snapshot);
      self->receiveCodecs = std::move(codecs);
      if (!self->signaling->Ended()) self->signaling->PublishIndex();
    });
  }

  // Every 2 s per video receiver: BITRATES on the signaling thread.
  void OnBitrates(const std::string& attendeeId, const std::vector<Router::Listener::StreamBitrate>& streams,
                  uint32_t availableKbps) override {
    signaling::proto::SdkBitrateFrame frame;
    for (const auto& s : streams) {
      auto* b = frame.add_bitrates();
      b->set_source_stream_id(s.streamId);
      b->set_avg_bitrate_bps(s.avgBitrateBps);
    }
    if (availableKbps > 0) frame.set_server_available_outgoing_bitrate(availableKbps);
    asio::post(IoContext(), [self = shared_from_this(), attendeeId, frame = std::move(frame)] {
      if (!self->signaling->Ended()) self->signaling->SendBitrates(attendeeId, frame);
    });
  }

  void OnAttendeeDropped(const std::string& attendeeId) override {
    asio::post(IoContext(), [self = shared_from_this(), attendeeId] {
      if (!self->signaling->Ended()) self->signaling->DropAttendee(attendeeId);
    });
  }

  asio::io_context& IoContext() { return ioContext; }

  std::string id;
  ChimeBridge* bridge;  // null once the bridge forgot this meeting
  net::MediaWorker& worker;
  asio::io_context& ioContext = bridge->ioc_;
  std::unique_ptr<MeetingSignaling> signaling;      // HTTP thread
  std::vector<media::router::VideoSource> sources;  // HTTP thread copy of the router's sources
  // and its codec intersection (Router::ReceiveCodecIntersection; the router's start: nobody in media)
  std::vector<webrtc::rtp::VideoCodec> receiveCodecs{webrtc::rtp::VideoCodec::kVp8,
                                                     webrtc::rtp::VideoCodec::kH264};
  bool mediaClosed = false;                           // HTTP thread
  std::set<std::string> keyframeContent;              // HTTP thread: content senders to PLI
  std::unique_ptr<asio::steady_timer> keyframeTimer;  // HTTP thread: runs while keyframeContent has one
  std::unique_ptr<Router> router;                     // worker thread only
  std::unique_ptr<media::audio::MeetingAudio> audio;  // worker thread only
  // Call quality: the recorder on the HTTP thread, the uplink monitors and metrics id on the worker.
  std::unique_ptr<quality::MeetingQualityRecorder> quality;
  quality::MediaMetrics* mediaMetrics = nullptr;  // not owned; outlives the bridge
  uint64_t mediaMetricsId = 0;
  quality::UplinkMonitorSet uplinks;
  uint64_t levelReports = 0;
};

ChimeBridge::ChimeBridge(const Config& config, asio::io_context& ioc, meetings::MeetingsService& meetings,
                         webrtc::transport::MediaDemuxer& demuxer,
                         std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate)
    : config_(config),
      ioc_(ioc),
      meetings_(meetings),
      demuxer_(demuxer),
      certificate_(std::move(certificate)) {
  const auto uris = config.TurnUris();
  if (uris.empty()) return;
  for (const std::string& uri : uris) {
    if (auto why = signaling::TurnCredentialIssuer::Validate(uri); !why.empty())
      throw std::runtime_error("MEDICALL_TURN_URIS: \"" + uri + "\": " + why);
  }
  if (config.turnSecret.empty())
    throw std::runtime_error("MEDICALL_TURN_URIS is set but MEDICALL_TURN_SECRET is empty");
  turn_.emplace(uris, config.turnSecret, static_cast<uint32_t>(config.turnTtlSeconds));
}

ChimeBridge::~ChimeBridge() { Shutdown(); }

std::shared_ptr<ChimeBridge::Meeting> ChimeBridge::GetOrCreateMeeting(const std::string& meetingId) {
  auto it = live_.find(meetingId);
  if (it != live_.end()) return it->second;
  auto meeting = std::make_shared<Meeting>(meetingId, *this);
  std::set<std::string> muted;
  if (auto it = hostMuted_.find(meetingId); it != hostMuted_.end()) muted = it->second;
  demuxer_.Worker().Post([meeting, this, muted = std::move(muted)] {
    meeting->CreateRouter(config_, demuxer_, certificate_, muted);
  });
  live_.emplace(meetingId, meeting);
  log::Info("signaling", "meeting {} is live", meetingId);
  return meeting;
}

void ChimeBridge::ForgetIfEmpty(const std::string& meetingId) {
  auto it = live_.find(meetingId);
  if (it == live_.end() || it->second->signaling->ConnectedCount() > 0) return;
  auto meeting = it->second;
  live_.erase(it);
  meeting->bridge = nullptr;
  meeting->CloseMedia();
  log::Info("signaling", "meeting {} has nobody connected; media released", meetingId);
}

net::WebSocketDecision ChimeBridge::AcceptWebSocket(const HttpRequest& request) {
  static const std::string kPrefix = "/control/";
  if (request.path.rfind(kPrefix, 0) != 0) return {404, "not found", {}, {}};
  const std::string meetingId = request.path.substr(kPrefix.size());
  if (meetingId.empty() || meetingId.find('/') != std::string::npos) return {404, "not found", {}, {}};
  const std::string token = JoinTokenFromSubprotocols(request.Header("Sec-WebSocket-Protocol"));
  if (token.empty()) return {400, "missing _aws_wt_session subprotocol or join token", {}, {}};

  bool meetingExists = true;
  try {
    meetings_.GetMeeting(meetingId);
  } catch (const NotFound&) {
    meetingExists = false;
  } catch (const BadRequest&) {
    return {404, "not found", {}, {}};
  }
  if (!meetingExists) {
    // The meeting ended (or never was): the client stops on close code 4410.
    return {0, {}, kSubprotocol, [](std::shared_ptr<net::WebSocketConnection> conn) {
              conn->Start({});
              conn->Close(4410, "meeting ended");
            }};
  }
  const auto admitted = IdentityForToken(meetingId, token);
  if (!admitted) return {403, "unknown or removed attendee", {}, {}};

  signaling::SessionIdentity identity = *admitted;
  return {0, {}, kSubprotocol, [this, meetingId, identity](std::shared_ptr<net::WebSocketConnection> conn) {
            auto meeting = GetOrCreateMeeting(meetingId);
            std::weak_ptr<net::WebSocketConnection> weak = conn;
            SignalingSession::Transport transport{
                [weak](std::string bytes) {
                  if (auto c = weak.lock()) c->Send(std::move(bytes), true);
                },
                [weak](uint16_t code, std::string reason) {
                  if (auto c = weak.lock()) c->Close(code, std::move(reason));
                },
                [&ioc = ioc_](int64_t delayUs, std::function<void()> task) {
                  // Work a rate limit held back; the task checks that its session still exists.
                  auto timer = std::make_shared<asio::steady_timer>(ioc, std::chrono::microseconds(delayUs));
                  timer->async_wait([timer, task = std::move(task)](const boost::system::error_code& ec) {
                    if (!ec) task();
                  });
                }};
            // Fresh TURN credentials on every connection (the SDK clears them on each reconnect).
            std::optional<signaling::TurnCredentials> turn;
            if (turn_) turn = turn_->Issue(identity.attendeeId);
            auto session = meeting->signaling->Connect(identity, std::move(transport), std::move(turn));
            if (presence_) presence_(meetingId, identity.attendeeId, "joined");
            try {
              if (!ContentShare::IsContent(identity.attendeeId))
                meetings_.AttendeeConnected(meetingId, identity.attendeeId);
            } catch (const std::exception& e) {
              log::Debug("signaling", "connection state not recorded: {}", e.what());
            }
            conn->Start({[session](std::string_view data, bool binary) {
                           if (binary)
                             session->OnBinaryMessage(data);
                           else
                             session->OnTextMessage(data);
                         },
                         [session](uint16_t code, std::string) { session->OnTransportClosed(code); }});
          }};
}

std::optional<signaling::SessionIdentity> ChimeBridge::IdentityForToken(const std::string& meetingId,
                                                                        const std::string& token) {
  // "<JoinToken>#content": the content share of the token's attendee (chime-protocol-2.md 1.1).
  const auto base = ContentShare::BaseOf(token);
  const auto attendee = meetings_.FindAttendeeByJoinToken(meetingId, base ? std::string(*base) : token);
  if (!attendee) return std::nullopt;
  if (!base) return signaling::SessionIdentity{attendee->attendeeId, attendee->externalUserId};
  if (!ContentShare::MayShare(attendee->content)) {
    log::Info("signaling", "meeting {}: attendee {} may not share content (Content capability {})", meetingId,
              attendee->attendeeId, attendee->content);
    return std::nullopt;
  }
  return signaling::SessionIdentity{ContentShare::ContentIdOf(attendee->attendeeId),
                                    attendee->externalUserId};
}

void ChimeBridge::SetHostMuted(const std::string& meetingId, const std::string& attendeeId, bool muted) {
  asio::post(ioc_, [this, meetingId, attendeeId, muted] {
    if (muted) {
      hostMuted_[meetingId].insert(attendeeId);
    } else if (auto it = hostMuted_.find(meetingId); it != hostMuted_.end()) {
      it->second.erase(attendeeId);
      if (it->second.empty()) hostMuted_.erase(it);
    }
    auto it = live_.find(meetingId);
    if (it == live_.end()) return;
    it->second->worker.Post([meeting = it->second, attendeeId, muted] {
      if (meeting->audio) meeting->audio->SetHostMuted(attendeeId, muted);
    });
  });
}

void ChimeBridge::SendDataMessage(const std::string& meetingId, const std::string& topic,
                                  const std::string& data, const std::string& senderAttendeeId,
                                  const std::string& senderExternalUserId) {
  asio::post(ioc_, [this, meetingId, topic, data, senderAttendeeId, senderExternalUserId] {
    auto it = live_.find(meetingId);
    if (it == live_.end()) return;
    signaling::proto::SdkDataMessagePayload payload;
    payload.set_topic(topic);
    payload.set_data(data);
    payload.set_lifetime_ms(0);
    payload.set_sender_attendee_id(senderAttendeeId);
    payload.set_sender_external_user_id(senderExternalUserId);
    payload.set_ingest_time_ns(WallNowUs() * 1000);
    it->second->signaling->SendServerDataMessage(payload);
  });
}

void ChimeBridge::OnMeetingEnded(const std::string& meetingId, meetings::MeetingEndReason reason) {
  asio::post(ioc_, [this, meetingId, reason] {
    hostMuted_.erase(meetingId);
    auto it = live_.find(meetingId);
    if (it == live_.end()) return;
    auto meeting = it->second;
    live_.erase(it);
    log::Info("signaling", "meeting {} ended ({})", meetingId, meetings::ToString(reason));
    meeting->bridge = nullptr;
    meeting->signaling->EndMeeting();
    meeting->CloseMedia();
  });
}

void ChimeBridge::OnAttendeeDeleted(const std::string& meetingId, const std::string& attendeeId) {
  asio::post(ioc_, [this, meetingId, attendeeId] {
    auto it = live_.find(meetingId);
    if (it != live_.end()) it->second->signaling->RemoveAttendee(attendeeId);
  });
}

void ChimeBridge::Shutdown() {
  // The meetings are stored and outlive the process: close with 4500 so that the clients reconnect
  // (to this server once it is back), never with AUDIO_STATUS 410, which would stop them for good.
  for (auto& [id, meeting] : live_) {
    meeting->bridge = nullptr;
    meeting->signaling->Drain();
    meeting->CloseMedia();
  }
  live_.clear();
}

size_t ChimeBridge::LiveMeetings() const { return live_.size(); }

size_t ChimeBridge::ConnectedAttendees() const {
  size_t n = 0;
  for (const auto& [id, meeting] : live_) n += meeting->signaling->ConnectedCount();
  return n;
}

}  // namespace medicall::app
