#include <utility>

#include "app/ChimeBridge.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <set>

#include "common/Clock.hpp"
#include "common/Logger.hpp"
#include "media/meeting/MeetingMedia.hpp"
#include "media/meeting/MeetingMediaHandle.hpp"
#include "media/meeting/MeetingMediaListener.hpp"
#include "media/router/Router.hpp"
#include "meetings/MeetingsService.hpp"
#include "app/MediaWorkerPool.hpp"
#include "net/MediaWorker.hpp"
#include "net/WebSocketConnection.hpp"
#include "signaling/ContentShare.hpp"
#include "quality/MediaMetrics.hpp"
#include "quality/MeetingQualityRecorder.hpp"
#include "signaling/MeetingSignaling.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

namespace medicall::app {

namespace asio = boost::asio;
using media::meeting::MeetingMediaHandle;
using media::meeting::MeetingMediaListener;
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

// One live meeting, on the HTTP thread: its signaling, its call-quality recorder, the content-share
// keyframe timer, and a handle to its media (media::meeting::MeetingMedia: router, mixer and
// participants on a media worker), which it reaches only by posting. The media's reports come back
// as MeetingMediaListener calls on this thread, and stop once the handle is gone.
struct ChimeBridge::Meeting final : MeetingSignaling::Delegate,
                                    MeetingMediaListener,
                                    std::enable_shared_from_this<ChimeBridge::Meeting> {
  Meeting(std::string meetingId, ChimeBridge& owner)
      : id(std::move(meetingId)),
        bridge(&owner),
        ioContext(owner.ioc_),
        signaling(std::make_unique<MeetingSignaling>(id, *this)) {
    if (owner.qualitySink_ != nullptr)
      quality = std::make_unique<quality::MeetingQualityRecorder>(id, *owner.qualitySink_);
  }

  // Places the meeting's media on the least loaded worker and starts it there (its router on that
  // worker's demuxer, so the answer's candidates carry that worker's port).
  void OpenMedia(ChimeBridge& owner, std::set<std::string> hostMuted) {
    workers = &owner.workers_;
    workerIndex = workers->Place();
    MediaWorkerPool::Worker& worker = workers->At(workerIndex);
    if (owner.countMedia_) mediaMetrics = &worker.metrics;
    media::meeting::MeetingMedia::Options options;
    options.makeRouter = [&config = owner.config_, &demuxer = worker.demuxer,
                          certificate = owner.certificate_](Router::Listener& listener) {
      return Router::Create(config, demuxer, certificate, listener);
    };
    options.hostMuted = std::move(hostMuted);
    options.metrics = mediaMetrics;
    media = std::make_unique<MeetingMediaHandle>(worker.worker, ioContext, *this, std::move(options));
    log::Info("signaling", "meeting {} placed on media worker {} (UDP {})", id, workerIndex,
              worker.demuxer.LocalPort());
  }

  // Tears the media down on the worker (the handle posts it); its reports in flight are dropped.
  void CloseMedia() {
    if (!media) return;
    media.reset();
    workers->Release(workerIndex);
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
    for (const auto& c : request.videoSubscriptions) {
      if (auto preference = PreferenceOf(c)) params.videoPreferences.push_back(std::move(*preference));
    }
    for (const auto& s : request.sendStreams) {
      if (s.media_type() == signaling::proto::VIDEO) {
        if (!params.sendsVideo) params.videoMaxBitrateKbps = s.max_bitrate_kbps();
        params.sendsVideo = true;
        params.videoLayerMaxBitrateKbps.push_back(s.max_bitrate_kbps());  // one per simulcast layer
      }
    }
    if (!media) return done(signaling::SubscribeResult::Failure(503, "meeting is closing"));
    media->Subscribe(std::move(params), [self = shared_from_this(), attendeeId = attendee.attendeeId,
                                         done = std::move(done)](media::router::SubscribeAnswer answer) {
      if (answer.status == 200 && self->quality) self->quality->OnJoined(attendeeId);
      done(ToSignaling(answer));
    });
  }

  void OnAttendeeLeft(const signaling::SessionIdentity& attendee,
                      SignalingSession::EndReason reason) override {
    // A replaced session's successor brings a new peer connection: drop the old transport too.
    if (reason != SignalingSession::EndReason::kReplaced && quality)
      quality->OnLeft(attendee.attendeeId, reason != SignalingSession::EndReason::kLeft);
    if (media) media->RemoveAttendee(attendee.attendeeId);
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
    if (streamIds.empty() || !media) return;
    media->SetPaused(attendee.attendeeId, std::move(streamIds), pause);
  }

  // A mid's priority and tile bitrate, when the SDK sent either (server-side adaptation only).
  static std::optional<media::router::VideoPreference> PreferenceOf(
      const signaling::proto::SdkVideoSubscriptionConfiguration& c) {
    if (!c.has_priority() && !c.has_target_bitrate_kbps()) return std::nullopt;
    return media::router::VideoPreference{c.mid(), c.priority(), c.target_bitrate_kbps()};
  }

  void OnRemoteVideoUpdate(const signaling::SessionIdentity& attendee,
                           const signaling::proto::SdkRemoteVideoUpdateFrame& frame) override {
    std::vector<std::pair<std::string, uint32_t>> updates;
    std::vector<media::router::VideoPreference> preferences;
    for (const auto& c : frame.added_or_updated_video_subscriptions()) {
      if (c.has_stream_id() && c.stream_id() != 0) updates.emplace_back(c.mid(), c.stream_id());
      if (auto preference = PreferenceOf(c)) preferences.push_back(std::move(*preference));
    }
    if (!media) return;
    if (!updates.empty()) media->UpdateSubscriptions(attendee.attendeeId, std::move(updates));
    if (!preferences.empty()) media->SetVideoPreferences(attendee.attendeeId, std::move(preferences));
  }

  void OnMuteChanged(const signaling::SessionIdentity& attendee, bool muted) override {
    if (media) media->SetMuted(attendee.attendeeId, muted);
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
      if (ec || !self || !self->keyframeTimer || !self->media) return;
      self->media->RequestKeyframes(self->keyframeContent);
      self->ArmContentKeyframes();
    });
  }

  void OnClientMetric(const signaling::SessionIdentity& attendee,
                      const signaling::proto::SdkClientMetricFrame& frame) override {
    if (!quality) return;
    const bool accepted = quality->OnClientMetricFrame(attendee.attendeeId, frame);
    if (mediaMetrics != nullptr) mediaMetrics->CountClientMetric(accepted);
  }

  // --- MeetingMediaListener (HTTP thread, posted by the media)
  void OnSourcesChanged(std::vector<media::router::VideoSource> snapshot,
                        std::vector<webrtc::rtp::VideoCodec> codecs) override {
    sources = std::move(snapshot);
    receiveCodecs = std::move(codecs);
    if (!signaling->Ended()) signaling->PublishIndex();
  }

  // Every 2 s per video receiver: BITRATES.
  void OnBitrates(const std::string& attendeeId, const std::vector<Router::Listener::StreamBitrate>& streams,
                  uint32_t availableKbps) override {
    if (signaling->Ended()) return;
    signaling::proto::SdkBitrateFrame frame;
    for (const auto& s : streams) {
      auto* b = frame.add_bitrates();
      b->set_source_stream_id(s.streamId);
      b->set_avg_bitrate_bps(s.avgBitrateBps);
    }
    if (availableKbps > 0) frame.set_server_available_outgoing_bitrate(availableKbps);
    signaling->SendBitrates(attendeeId, frame);
  }

  void OnAttendeeDropped(const std::string& attendeeId) override {
    if (!signaling->Ended()) signaling->DropAttendee(attendeeId);
  }

  // About 5 times a second: the mixer's levels become AUDIO_METADATA; about once a second the uplink
  // and downlink views go to the call-quality recorder.
  void OnAudioReport(const AudioReport& report) override {
    if (signaling->Ended()) return;
    if (quality) {
      for (const auto& v : report.uplinks) quality->OnServerView(v.attendeeId, v.view, v.signalStrength);
      for (const auto& d : report.downlinks) quality->OnServerDownlink(d.attendeeId, QualityDownlink(d));
      quality->Tick();
    }
    signaling::proto::SdkAudioMetadataFrame metadata;
    for (const auto& [attendeeId, level] : report.levels) {
      if (!signaling->IsPresent(attendeeId)) continue;
      const auto streamId = signaling->AudioStreamIdOf(attendeeId);
      if (!streamId) continue;
      auto* state = metadata.add_attendee_states();
      state->set_audio_stream_id(*streamId);
      state->set_volume(level.volume);
      state->set_signal_strength(level.signalStrength);
      state->set_muted(level.muted);
    }
    if (metadata.attendee_states_size() > 0) signaling->BroadcastAudioMetadata(metadata);
  }

  asio::io_context& IoContext() { return ioContext; }

  std::string id;
  ChimeBridge* bridge;  // null once the bridge forgot this meeting
  asio::io_context& ioContext;
  std::unique_ptr<MeetingSignaling> signaling;
  std::vector<media::router::VideoSource> sources;  // the router's sources, as last reported
  // and its codec intersection (Router::ReceiveCodecIntersection; the router's start: nobody in media)
  std::vector<webrtc::rtp::VideoCodec> receiveCodecs{webrtc::rtp::VideoCodec::kVp8,
                                                     webrtc::rtp::VideoCodec::kH264};
  std::set<std::string> keyframeContent;              // content senders to PLI
  std::unique_ptr<asio::steady_timer> keyframeTimer;  // runs while keyframeContent has one
  std::unique_ptr<quality::MeetingQualityRecorder> quality;
  quality::MediaMetrics* mediaMetrics = nullptr;  // its worker's; not owned, outlives the bridge
  MediaWorkerPool* workers = nullptr;             // not owned, outlives the bridge
  size_t workerIndex = 0;                         // the worker its media was placed on
  // The media on the worker, reached only by posting; null once released (the meeting is closing).
  std::unique_ptr<MeetingMediaHandle> media;
};

ChimeBridge::ChimeBridge(const Config& config, asio::io_context& ioc, meetings::MeetingsService& meetings,
                         MediaWorkerPool& workers,
                         std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate)
    : config_(config),
      ioc_(ioc),
      meetings_(meetings),
      workers_(workers),
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
  meeting->OpenMedia(*this, std::move(muted));
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
    if (it == live_.end() || !it->second->media) return;
    it->second->media->SetHostMuted(attendeeId, muted);
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
