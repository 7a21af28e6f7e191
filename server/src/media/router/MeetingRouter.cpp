#include "media/router/MeetingRouter.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/Logger.hpp"
#include "common/Ntp.hpp"
#include "common/Random.hpp"
#include "media/bwe/BitrateAllocator.hpp"
#include "media/router/SubscribeNegotiator.hpp"
#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/sdp/LocalCandidates.hpp"
#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::media::router {

using webrtc::rtp::RtpPacket;
using webrtc::transport::WebRtcTransport;
namespace sdp = webrtc::sdp;
namespace rtcp = webrtc::rtcp;

namespace {

SubscribeAnswer Fail(uint32_t status, std::string description) {
  SubscribeAnswer a;
  a.status = status;
  a.description = std::move(description);
  return a;
}

}  // namespace

MeetingRouter::MeetingRouter(const Config& config, webrtc::transport::MediaDemuxer& demuxer,
                             std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate,
                             Listener& listener, const Clock& clock)
    : config_(config),
      demuxer_(demuxer),
      certificate_(std::move(certificate)),
      listener_(listener),
      clock_(clock),
      context_(clock),
      receiveCodecs_(MeetingCodecs()),
      timer_(demuxer.Worker().Context()) {}

MeetingRouter::~MeetingRouter() {
  alive_.Kill();
  try {
    timer_.cancel();
    for (auto& [id, peer] : peers_) {
      for (auto& [mid, s] : peer->subscriptions) s->SetSource(nullptr);
    }
    for (auto& [id, peer] : peers_) peer->Shutdown();
    peers_.clear();
    graveyard_.clear();
  } catch (...) {
    // Nothing sensible to do in a destructor; the transports close when they are destroyed.
  }
}

std::unique_ptr<RouterPeer> MeetingRouter::CreatePeer(const std::string& attendeeId,
                                                      const sdp::MediaSection& section) {
  WebRtcTransport::Options options;
  options.role = WebRtcTransport::Role::Server;
  options.localUfrag = random::AlphanumericToken(8);
  options.localPwd = random::AlphanumericToken(24);
  options.remoteUfrag = section.iceUfrag;
  options.remotePwd = section.icePwd;
  options.remoteFingerprintAlgorithm = section.fingerprint->algorithm;
  options.remoteFingerprint = section.fingerprint->value;
  auto peer =
      std::make_unique<RouterPeer>(*this, context_, attendeeId, std::move(options), certificate_, demuxer_);
  peer->sessionId = std::to_string(random::Value<uint64_t>() & 0x7FFFFFFFFFFFFFFFULL);
  return peer;
}

uint32_t MeetingRouter::NewSsrc(const RouterPeer& peer) const {
  uint32_t v = random::NonZero32();
  while (peer.UsesSsrc(v)) v = random::NonZero32();
  return v;
}

Publisher* MeetingRouter::FindPublisher(uint32_t streamId) const {
  for (const auto& [id, peer] : peers_) {
    if (peer->publisher && peer->publisher->LayerOfStream(streamId) >= 0) return peer->publisher.get();
  }
  return nullptr;
}

void MeetingRouter::Attach(Subscription& subscription, Publisher* publisher, uint32_t streamId,
                           int64_t nowMs) {
  if (streamId != subscription.StreamId())
    log::Info("rtp", "router: {} mid {} shows stream {}", subscription.Peer().AttendeeId(),
              subscription.Mid(), streamId);
  const bool newCamera = subscription.SetSource(publisher, streamId);
  if (publisher == nullptr) return;
  RecvStream* target = subscription.UpdateTarget(0, nowMs);
  if (newCamera || target != nullptr) {
    if (RecvStream* stream = subscription.TargetStream()) stream->RequestKeyframe(nowMs);
  }
}

SubscribeAnswer MeetingRouter::Subscribe(const SubscribeParams& params) {
  if (!ticking_) {
    ticking_ = true;
    ScheduleTick();
  }
  std::string error;
  auto offer = sdp::SdpParser::Parse(params.sdpOffer, &error);
  if (!offer) return Fail(400, "bad SDP offer: " + error);
  const sdp::MediaSection* transportSection = nullptr;
  for (const auto& m : offer->media) {
    if (!m.Rejected() && !m.iceUfrag.empty() && m.fingerprint) {
      transportSection = &m;
      break;
    }
  }
  if (transportSection == nullptr)
    return Fail(400, "the offer has no section with ICE credentials and a fingerprint");
  if (params.attendeeId.empty()) return Fail(400, "no attendee id");

  // One transport per attendee; a new peer connection (other ufrag or certificate) replaces it.
  std::unique_ptr<RouterPeer> fresh;
  RouterPeer* peer = nullptr;
  if (auto it = peers_.find(params.attendeeId); it != peers_.end()) {
    RouterPeer& existing = *it->second;
    const bool samePeerConnection =
        existing.RemoteUfrag() == transportSection->iceUfrag && !existing.Transport().IsClosed();
    if (samePeerConnection) {
      peer = &existing;
    } else {
      log::Info("rtp", "router: {} has a new peer connection, replacing its transport", params.attendeeId);
      RemovePeer(params.attendeeId);
    }
  }
  if (peer == nullptr) {
    fresh = CreatePeer(params.attendeeId, *transportSection);
    peer = fresh.get();
  }

  SubscribeNegotiator::State state;
  sdp::AnswerOptions& answerOptions = state.answerOptions;
  answerOptions.iceUfrag = peer->LocalUfrag();
  answerOptions.icePwd = peer->LocalPwd();
  answerOptions.fingerprintSha256 = certificate_->Fingerprint();
  answerOptions.candidateIp = config_.PrimaryMediaAddress();
  answerOptions.candidates =
      sdp::LocalCandidates::Build(config_.MediaAddresses(), demuxer_.LocalPort(), demuxer_.LocalTcpPort());
  answerOptions.candidatePort = demuxer_.LocalPort();
  answerOptions.sessionId = peer->sessionId;
  answerOptions.sessionVersion = std::to_string(peer->sessionVersion + 1);
  // Answered where offered when the meeting may run it; the camera's order and INDEX decide.
  answerOptions.enableH264 = config_.videoH264;
  state.audioSsrc = peer->audioSsrc;
  state.audioStream = peer->audioStream;
  for (const auto& [mid, s] : peer->subscriptions) state.sendSsrcs[mid] = {s->Ssrc(), s->RtxSsrc()};
  for (const auto& [id, other] : peers_) {
    if (!other->publisher) continue;
    for (size_t i = 0; i < other->publisher->LayerCount(); ++i)
      state.streamOwners[other->publisher->LayerAt(i).streamId] = id;
  }
  state.attendeeId = params.attendeeId;
  state.newSsrc = [this, peer] { return NewSsrc(*peer); };
  SubscribeNegotiator::Request request{params.sendsVideo, params.receiveStreamIds};
  auto plan = SubscribeNegotiator::Negotiate(*offer, request, state, &error);
  if (!plan) return Fail(400, "cannot answer the offer: " + error);

  if (fresh) {
    RouterPeer& started = *fresh;
    peers_.emplace(params.attendeeId, std::move(fresh));
    if (!started.Start()) {
      RemovePeer(params.attendeeId);
      return Fail(400, "unusable DTLS fingerprint in the offer");
    }
    log::Info("rtp", "router: {} joined media (ufrag {})", params.attendeeId, started.LocalUfrag());
  }

  const int64_t nowMs = clock_.NowMs();
  ++peer->sessionVersion;
  peer->externalUserId = params.externalUserId;
  peer->audioMuted = params.audioMuted;
  peer->extensions = plan->extensions;
  peer->decodes = plan->decodes;
  peer->audioSsrc = plan->audioSsrc;
  peer->audioStream = plan->audioStream;

  // Audio: what we send on and what the attendee sends.
  peer->audioMid = plan->audio ? plan->audio->mid : std::string();
  peer->audioPayloadType = plan->audio ? plan->audio->payloadType : -1;
  if (plan->audio) peer->remoteAudioSsrc = plan->audio->remoteSsrc;

  // The attendee's own video: a publisher while SUBSCRIBE says it sends video.
  bool sourcesChanged = false;
  const uint32_t maxKbps =
      params.videoMaxBitrateKbps != 0 ? params.videoMaxBitrateKbps : kDefaultMaxBitrateKbps;
  if (plan->camera) {
    const SubscribeNegotiator::Plan::Camera& camera = *plan->camera;
    if (!peer->publisher) {
      peer->publisher = std::make_unique<Publisher>(*peer, context_, nextGroupId_++);
      sourcesChanged = true;
    }
    Publisher& publisher = *peer->publisher;
    if (publisher.SetLayers(camera.rids, nextStreamId_)) {
      sourcesChanged = true;
      log::Info("rtp", "router: {} publishes video group {}: {} layer(s) from stream {}", peer->AttendeeId(),
                publisher.GroupId(), publisher.LayerCount(), publisher.StreamId());
    }
    std::vector<uint32_t> before;
    for (size_t i = 0; i < publisher.LayerCount(); ++i) before.push_back(publisher.LayerAt(i).maxBitrateKbps);
    std::vector<uint32_t> layerKbps = params.videoLayerMaxBitrateKbps;
    if (layerKbps.empty() && params.videoMaxBitrateKbps != 0) layerKbps.push_back(params.videoMaxBitrateKbps);
    publisher.SetMaxBitrates(layerKbps, maxKbps);
    for (size_t i = 0; i < publisher.LayerCount(); ++i)
      sourcesChanged = sourcesChanged || before[i] != publisher.LayerAt(i).maxBitrateKbps;
    peer->publisherMid = camera.mid;
    publisher.SetStream(camera.mediaSsrc, camera.rtxSsrc, camera.payloads, nowMs);
  } else if (peer->publisher) {
    StopPublisher(*peer);
    sourcesChanged = true;
  }

  // Subscriptions: attach to their publishers; the rest of the mids stop sending.
  SubscribeAnswer out;
  std::set<std::string> active;
  for (const SubscribeNegotiator::Plan::Receive& r : plan->receives) {
    Publisher* publisher = FindPublisher(r.streamId);
    if (publisher == nullptr) continue;
    auto& slot = peer->subscriptions[r.mid];
    if (!slot) slot = std::make_unique<Subscription>(*peer, r.mid, r.ssrc, r.rtxSsrc);
    Subscription& subscription = *slot;
    subscription.SetPayloads(r.payloads);
    Attach(subscription, publisher, r.streamId, nowMs);
    active.insert(r.mid);
    out.tracks.push_back(SubscribeAnswer::Track{r.streamId, subscription.Ssrc(), subscription.TrackLabel()});
  }
  for (auto& [mid, subscription] : peer->subscriptions) {
    if (active.count(mid) == 0) subscription->SetSource(nullptr);
  }
  for (const VideoPreference& preference : params.videoPreferences) ApplyPreference(*peer, preference);

  out.sdpAnswer = std::move(plan->sdpAnswer);
  if (peer->publisher) {
    // One allocation per video send stream of SUBSCRIBE, in order (at least one).
    const size_t wanted = std::max<size_t>(1, params.videoLayerMaxBitrateKbps.size());
    const Publisher& publisher = *peer->publisher;
    for (size_t i = 0; i < std::min(wanted, publisher.LayerCount()); ++i) {
      out.videoAllocations.push_back(SubscribeAnswer::Allocation{
          kVideoAllocationLabel, publisher.LayerAt(i).streamId, publisher.GroupId()});
    }
  }
  if (sourcesChanged) NotifySourcesChanged();
  UpdateReceiveCodecs();
  return out;
}

ReceiveCodecs MeetingRouter::MeetingCodecs() const {
  return config_.videoH264 ? ReceiveCodecs::All() : ReceiveCodecs::Vp8Only();
}

void MeetingRouter::UpdateReceiveCodecs() {
  // Nobody in media: nobody to be in doubt about (the first joiner's INDEX then says what a Chromium
  // offer will, and its SDK does not switch codecs twice on joining).
  ReceiveCodecs codecs = MeetingCodecs();
  for (const auto& [id, peer] : peers_) codecs.IntersectWith(peer->decodes);
  if (codecs == receiveCodecs_) return;
  receiveCodecs_ = codecs;
  log::Info("rtp", "router: every attendee decodes {}",
            codecs.Decodes(webrtc::rtp::VideoCodec::kH264) ? "VP8 and H.264" : "VP8 (not all H.264)");
  NotifySourcesChanged();
}

void MeetingRouter::StopPublisher(RouterPeer& peer) {
  if (!peer.publisher) return;
  log::Info("rtp", "router: {} stops video group {}", peer.AttendeeId(), peer.publisher->GroupId());
  const std::vector<Subscription*> subscribers = peer.publisher->Subscribers();
  for (Subscription* s : subscribers) s->SetSource(nullptr);
  peer.publisher.reset();
  NotifySourcesChanged();
}

void MeetingRouter::RemovePeer(const std::string& attendeeId) {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end()) return;
  std::unique_ptr<RouterPeer> peer = std::move(it->second);
  peers_.erase(it);
  StopPublisher(*peer);
  for (auto& [mid, s] : peer->subscriptions) s->SetSource(nullptr);
  peer->Shutdown();
  Bury(std::move(peer));
  UpdateReceiveCodecs();
}

void MeetingRouter::RemoveAttendee(const std::string& attendeeId) {
  if (peers_.count(attendeeId) == 0) return;
  log::Info("rtp", "router: {} leaves media", attendeeId);
  RemovePeer(attendeeId);
}

void MeetingRouter::Bury(std::unique_ptr<RouterPeer> peer) {
  // Not from inside a transport callback: destroy on a later turn of the loop.
  graveyard_.push_back(std::move(peer));
  demuxer_.Worker().Post([this, watch = alive_.Observe()] {
    if (watch.Alive()) graveyard_.clear();
  });
}

void MeetingRouter::NotifySourcesChanged() {
  if (sourcesPending_) return;
  sourcesPending_ = true;
  demuxer_.Worker().Post([this, watch = alive_.Observe()] {
    if (!watch.Alive()) return;
    sourcesPending_ = false;
    listener_.OnSourcesChanged();
  });
}

bool MeetingRouter::Listed(const Publisher& publisher, size_t layer, int64_t nowMs) const {
  const Publisher::Layer& l = publisher.LayerAt(layer);
  // Without simulcast the camera is listed from its SUBSCRIBE on (as before simulcast). A simulcast
  // layer only while the sender enables it and it arrives: the SDK's priority policy would otherwise
  // pick a dead layer and freeze (chime-protocol-2.md section 3.4).
  if (!publisher.Simulcast()) return true;
  return l.maxBitrateKbps > 0 && l.stream->Live(nowMs);
}

std::vector<VideoSource> MeetingRouter::Sources() const {
  const int64_t nowMs = clock_.NowMs();
  std::vector<VideoSource> sources;
  for (const auto& [id, peer] : peers_) {
    if (!peer->publisher) continue;
    const Publisher& p = *peer->publisher;
    for (size_t i = 0; i < p.LayerCount(); ++i) {
      if (!Listed(p, i, nowMs)) continue;
      const Publisher::Layer& layer = p.LayerAt(i);
      VideoSource s;
      s.streamId = layer.streamId;
      s.groupId = p.GroupId();
      s.attendeeId = peer->AttendeeId();
      s.externalUserId = peer->externalUserId;
      s.maxBitrateKbps = layer.maxBitrateKbps;
      s.avgBitrateBps = layer.stream->AvgBitrateBps();
      s.width = layer.stream->Width();
      s.height = layer.stream->Height();
      s.framerate = layer.stream->Framerate();
      sources.push_back(std::move(s));
    }
  }
  std::sort(sources.begin(), sources.end(),
            [](const VideoSource& a, const VideoSource& b) { return a.streamId < b.streamId; });
  return sources;
}

void MeetingRouter::SetAudioMuted(const std::string& attendeeId, bool muted) {
  if (auto it = peers_.find(attendeeId); it != peers_.end()) it->second->audioMuted = muted;
}

bool MeetingRouter::RequestKeyframeFrom(const std::string& attendeeId) {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end() || !it->second->publisher) return false;
  // Every layer: a content share is one layer; a simulcast camera's receivers may be on any of them.
  const int64_t nowMs = clock_.NowMs();
  Publisher& publisher = *it->second->publisher;
  for (size_t i = 0; i < publisher.LayerCount(); ++i) publisher.LayerAt(i).stream->RequestKeyframe(nowMs);
  return true;
}

void MeetingRouter::SetPaused(const std::string& attendeeId, const std::vector<uint32_t>& streamIds,
                              bool paused) {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end()) return;
  const int64_t nowMs = clock_.NowMs();
  for (auto& [mid, s] : it->second->subscriptions) {
    Publisher* source = s->Source();
    if (source == nullptr) continue;
    const bool named = std::any_of(streamIds.begin(), streamIds.end(),
                                   [&](uint32_t id) { return source->LayerOfStream(id) >= 0; });
    if (!named || s->Paused() == paused) continue;
    s->SetPaused(paused);
    log::Debug("rtp", "router: {} {} mid {}", attendeeId, paused ? "pauses" : "resumes", mid);
    if (!paused) {
      if (RecvStream* stream = s->TargetStream()) stream->RequestKeyframe(nowMs);
    }
  }
}

void MeetingRouter::UpdateSubscription(const std::string& attendeeId, const std::string& mid,
                                       uint32_t streamId) {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end()) return;
  auto sub = it->second->subscriptions.find(mid);
  Publisher* publisher = FindPublisher(streamId);
  if (sub == it->second->subscriptions.end() || publisher == nullptr ||
      &publisher->Owner() == it->second.get())
    return;
  log::Info("rtp", "router: {} mid {} asks for stream {}", attendeeId, mid, streamId);
  Attach(*sub->second, publisher, streamId, clock_.NowMs());
}

void MeetingRouter::SetTargetBitrate(const std::string& attendeeId, uint64_t bps) {
  if (auto it = peers_.find(attendeeId); it != peers_.end()) it->second->SetTargetBitrate(bps);
}

void MeetingRouter::SetVideoPreference(const std::string& attendeeId, const VideoPreference& preference) {
  if (auto it = peers_.find(attendeeId); it != peers_.end()) ApplyPreference(*it->second, preference);
}

void MeetingRouter::ApplyPreference(RouterPeer& peer, const VideoPreference& preference) {
  auto it = peer.subscriptions.find(preference.mid);
  if (it == peer.subscriptions.end()) return;
  it->second->SetPreference(preference.priority, uint64_t{preference.targetBitrateKbps} * 1000);
}

std::optional<Router::AudioParams> MeetingRouter::GetAudioParams(const std::string& attendeeId) const {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end() || it->second->audioPayloadType < 0 || it->second->audioSsrc == 0)
    return std::nullopt;
  const RouterPeer& peer = *it->second;
  AudioParams p;
  p.ssrc = peer.audioSsrc;
  p.payloadType = static_cast<uint8_t>(peer.audioPayloadType);
  p.midExtensionId = peer.extensions.mid;
  p.audioLevelExtensionId = peer.extensions.audioLevel;
  p.mid = peer.audioMid;
  return p;
}

bool MeetingRouter::SendRtpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end() || !it->second->Transport().IsConnected() ||
      !it->second->Transport().SendRtp(buffer, length))
    return false;
  it->second->pacer.OnAudioSent(length, clock_.NowUs());  // audio never waits, but spends the budget
  return true;
}

bool MeetingRouter::SendRtcpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) {
  auto it = peers_.find(attendeeId);
  return it != peers_.end() && it->second->Transport().IsConnected() &&
         it->second->Transport().SendRtcp(buffer, length);
}

// ---- packet path ----

void MeetingRouter::OnPeerRtp(RouterPeer& peer, std::span<uint8_t> data, int64_t queuedUs) {
  Router::Stats& stats = context_.stats;
  auto rtp = RtpPacket::Parse(data);
  if (!rtp) {
    ++stats.dropped;
    return;
  }
  const int64_t arrivalUs = clock_.NowUs() - queuedUs;
  RecordTransportSequence(peer, *rtp, arrivalUs);
  const uint8_t pt = rtp->PayloadType();
  if (static_cast<int>(pt) == peer.audioPayloadType) {
    ++stats.audioIn;
    if (audioSink_ != nullptr) audioSink_->OnAudioRtp(peer.AttendeeId(), *rtp, queuedUs);
    return;
  }
  Publisher* publisher = peer.publisher.get();
  if (publisher == nullptr || !publisher->Receiving()) {
    ++stats.dropped;
    return;
  }
  const webrtc::rtp::ExtensionIds& ids = peer.extensions;
  if (const VideoPayload* repaired = publisher->Payloads().ByRtxPayloadType(pt)) {
    // A retransmission we asked for (RFC 4588): back to the original packet, in place. RTX without
    // an OSN is a bandwidth probe (padding only); RTX of another stream repairs nothing we forward.
    const int layer = publisher->ResolveRtx(
        rtp->Ssrc(), ids.repairedRtpStreamId != 0 ? rtp->GetRid(ids.repairedRtpStreamId) : std::nullopt);
    if (layer < 0) {
      ++stats.dropped;
      return;
    }
    const RecvStream& stream = *publisher->LayerAt(static_cast<size_t>(layer)).stream;
    auto original = webrtc::rtp::Rtx::DecapsulateInPlace(*rtp, repaired->payloadType, stream.MediaSsrc());
    if (!original) {
      ++stats.dropped;
      return;
    }
    ForwardVideo(peer, *publisher, layer, *original, repaired->codec, true, arrivalUs);
    return;
  }
  const VideoPayload* media = publisher->Payloads().ByPayloadType(pt);
  if (media == nullptr) {
    ++stats.dropped;
    return;
  }
  const int64_t nowMs = clock_.NowMs();
  const auto rid = ids.rtpStreamId != 0 ? rtp->GetRid(ids.rtpStreamId) : std::nullopt;
  // The layer whose SSRC this is (or becomes): note a change of SSRC on it.
  const uint32_t before = publisher->Simulcast() ? 0 : publisher->LayerAt(0).stream->MediaSsrc();
  const int layer = publisher->ResolveMedia(rtp->Ssrc(), rid, nowMs);
  if (layer < 0) {
    ++stats.foreignSsrc;  // another encoding or stream: never interleaved into a forwarded one
    return;
  }
  RecvStream& stream = *publisher->LayerAt(static_cast<size_t>(layer)).stream;
  if (before != 0 && stream.MediaSsrc() != before) {
    // A new stream from the same sender: its decoder state starts again with a key frame.
    log::Info("rtp", "router: group {} silent on ssrc {}, now on ssrc {}", publisher->GroupId(), before,
              stream.MediaSsrc());
    for (Subscription* s : publisher->Subscribers()) s->WaitForKeyframe();
    stream.RequestKeyframe(nowMs);
  }
  ForwardVideo(peer, *publisher, layer, *rtp, media->codec, false, arrivalUs);
}

void MeetingRouter::ForwardVideo(RouterPeer& peer, Publisher& publisher, int layer, const RtpPacket& rtp,
                                 webrtc::rtp::VideoCodec codec, bool retransmitted, int64_t arrivalUs) {
  const int64_t nowUs = clock_.NowUs();
  const int64_t nowMs = nowUs / 1000;
  RecvStream& stream = *publisher.LayerAt(static_cast<size_t>(layer)).stream;
  // Its arrival (not when the worker got to it) drives the interarrival jitter we report.
  if (!stream.OnPacket(rtp.SequenceNumber(), rtp.Timestamp(), arrivalUs / 1000, retransmitted)) {
    ++context_.stats.dropped;  // a duplicate (late retransmission)
    return;
  }
  ++context_.stats.videoIn;
  // Key frames by the codec of this packet's payload type (the publisher may switch codecs).
  const bool keyframe = webrtc::rtp::KeyframeDetector::IsKeyframe(codec, rtp.Payload());
  stream.Store(rtp.SequenceNumber(), rtp.Data(), rtp.Timestamp(), rtp.Payload(), codec, keyframe, nowMs);
  for (Subscription* s : publisher.Subscribers()) {
    if (!s->Receives(codec)) {
      ++context_.stats.codecMismatch;  // its browser cannot decode it: INDEX makes the sender switch
      continue;
    }
    if (s->Forward(rtp, layer, codec, keyframe, peer.extensions, nowUs, context_.sendBuffer))
      ++context_.stats.forwarded;
  }
}

void MeetingRouter::OnPeerConnected(RouterPeer& peer) {
  log::Info("rtp", "router: {} media connected", peer.AttendeeId());
  const int64_t nowMs = clock_.NowMs();
  for (auto& [mid, s] : peer.subscriptions) {
    if (s->Source() == nullptr) continue;
    s->WaitForKeyframe();
    if (RecvStream* stream = s->TargetStream()) stream->RequestKeyframe(nowMs);
  }
  // Requests made before the publisher could be reached go out now.
  if (peer.publisher) {
    for (size_t i = 0; i < peer.publisher->LayerCount(); ++i)
      peer.publisher->LayerAt(i).stream->SendFeedback(nowMs);
  }
}

void MeetingRouter::OnPeerClosed(RouterPeer& peer, WebRtcTransport::CloseReason reason) {
  if (reason == WebRtcTransport::CloseReason::Local) return;
  log::Info("rtp", "router: {} media closed ({})", peer.AttendeeId(),
            WebRtcTransport::CloseReasonName(reason));
  demuxer_.Worker().Post([this, watch = alive_.Observe(), id = peer.AttendeeId(), ptr = &peer] {
    if (!watch.Alive()) return;
    auto it = peers_.find(id);
    if (it == peers_.end() || it->second.get() != ptr) return;  // already removed or replaced
    RemovePeer(id);
    listener_.OnAttendeeDropped(id);
  });
}

// ---- layers and feedback ----

void MeetingRouter::AllocateLayers(RouterPeer& peer, int64_t nowMs) {
  // The bandwidth toward the peer is split across its video streams by bwe::BitrateAllocator (the
  // SDK's priorities first, equal shares within a priority, each up to what it asks for: its layer,
  // or less when the SDK's tile size calls for less); while everything asked for fits nothing is
  // limited but the tile sizes. Our own estimate (transport-wide feedback about what we send) is held
  // to what it measures: a stream limited by it gets padding up to the estimate (the pacer's,
  // PacedSender) and probes above it (bwe::ProbeController: at the first media, then at most every 5 s
  // while limited), so the estimate climbs as far as the path carries and the layer goes up only once
  // it fits. A receiver's
  // REMB hovers around what it gets (it cannot probe): there everything fits with a margin, and the
  // LayerSelector tries the asked-for layer again after a hold.
  const bool ownEstimate = peer.sendEstimator.FeedbackCount() != 0 && peer.extensions.transportWideCc != 0;
  const uint64_t kFitPercent = ownEstimate ? 100 : 60;
  const uint64_t available = peer.AvailableBitrateBps(nowMs);
  std::array<bwe::BitrateAllocator::Demand, kMaxAllocatedStreams> demands{};
  std::array<Subscription*, kMaxAllocatedStreams> subscriptions{};
  std::array<uint64_t, kMaxAllocatedStreams> budgets{};
  size_t count = 0;
  uint64_t asked = 0;
  for (auto& [mid, s] : peer.subscriptions) {
    Publisher* source = s->Source();
    if (source == nullptr || s->Paused() || count == demands.size()) continue;
    const int layer = std::max(0, source->LayerOfStream(s->StreamId()));
    uint64_t want = source->LayerDemandBps(static_cast<size_t>(layer), nowMs);
    if (s->TargetBps() != 0) want = std::min(want, s->TargetBps());
    if (source->LayerOfStream(s->StreamId()) >= 0) asked += want;
    demands[count].priority = s->Priority();
    demands[count].maxBps = std::max<uint64_t>(want, 1);
    subscriptions[count++] = s.get();
  }
  const bool limited = available != 0 && asked * kFitPercent / 100 > available;
  if (limited) bwe::BitrateAllocator::Allocate(available, std::span(demands).first(count), budgets);
  const int64_t nowUs = nowMs * 1000;
  peer.askedBps = asked;
  peer.UpdatePacing(nowUs);
  peer.pacer.SetPaddingBitrate(limited && ownEstimate ? available : 0);
  if (asked != 0 && peer.CanPad()) {
    const uint64_t estimate = peer.sendEstimator.EstimateBps();
    peer.StartProbes(peer.probeController.OnStart(estimate, asked, nowUs), nowUs);
    if (limited && ownEstimate)
      peer.StartProbes(peer.probeController.OnAllocationLimited(estimate, asked, nowUs,
                                                                peer.sendEstimator.LastOveruseUs()),
                       nowUs);
  }
  for (size_t i = 0; i < count; ++i) {
    Subscription& s = *subscriptions[i];
    s.SetLayerProbes(!ownEstimate);
    // 0 means "unknown" to the selector: a limited stream gets at least 1 bit/s.
    const uint64_t share = limited ? std::max<uint64_t>(1, budgets[i]) : s.TargetBps();
    if (RecvStream* target = s.UpdateTarget(share, nowMs)) {
      log::Info("rtp", "router: {} stream {} now layer {} (available {} bps, share {} bps)",
                peer.AttendeeId(), s.StreamId(), s.Layers().Target(), available, share);
      target->RequestKeyframe(nowMs);
    }
  }
}

uint64_t MeetingRouter::EstimateFor(const Publisher& publisher, int64_t nowMs) const {
  uint64_t estimate = static_cast<uint64_t>(publisher.MaxBitrateKbps()) * 1000;
  size_t enabled = 0;
  for (size_t i = 0; i < publisher.LayerCount(); ++i)
    enabled += publisher.LayerAt(i).maxBitrateKbps > 0 ? 1 : 0;
  // Several layers serve receivers of every bandwidth: the sender keeps all of them. One stream is
  // held to what its slowest receiver takes (its REMB split across its video streams).
  if (enabled <= 1) {
    for (const Subscription* s : publisher.Subscribers()) {
      const RouterPeer& peer = s->Peer();
      const uint64_t remb = peer.AvailableBitrateBps(nowMs);
      if (remb == 0) continue;
      size_t streams = 0;
      for (const auto& [mid, other] : peer.subscriptions) streams += other->Source() != nullptr ? 1 : 0;
      estimate = std::min(estimate, remb / std::max<size_t>(1, streams));
    }
  }
  return std::max(estimate, kMinRembBps);
}

void MeetingRouter::SendReports(RouterPeer& peer, int64_t nowMs) {
  Publisher& publisher = *peer.publisher;
  if (!peer.Transport().IsConnected()) return;
  const std::span<uint8_t> out = context_.RtcpOut();
  rtcp::ReceiverReport rr;
  rr.senderSsrc = peer.audioSsrc;
  rtcp::Remb remb;
  remb.senderSsrc = peer.audioSsrc;
  remb.bitrate = EstimateFor(publisher, nowMs);
  for (size_t i = 0; i < publisher.LayerCount(); ++i) {
    RecvStream& stream = *publisher.LayerAt(i).stream;
    if (stream.MediaSsrc() == 0) continue;
    if (stream.HasReport()) rr.AddBlock(stream.MakeReportBlock(nowMs));
    remb.AddSsrc(stream.MediaSsrc());
  }
  if (remb.ssrcCount == 0) return;
  size_t n = rr.Serialize(out);
  if (n == 0) return;
  // With transport-cc the publisher estimates its uplink itself from our transport-wide feedback (its
  // GCC ramps up): the REMB then carries only its SUBSCRIBE maximum, not its receivers' estimates (which
  // only see what it sends, and would hold it down). Firefox's sender starts from a REMB's value.
  if (peer.extensions.transportWideCc != 0)
    remb.bitrate = std::max<uint64_t>(uint64_t{publisher.MaxBitrateKbps()} * 1000, kMinRembBps);
  n += remb.Serialize(out.subspan(n));
  peer.Transport().SendRtcp(context_.rtcpBuffer, n);
}

// RFC 3550 section 6.4.1: one SR per stream we send the subscriber, with the NTP time of now and
// the RTP timestamp that corresponds to it (the last one sent, advanced by the time since).
void MeetingRouter::SendSenderReports(RouterPeer& peer, int64_t nowUs) {
  if (!peer.Transport().IsConnected()) return;
  const std::span<uint8_t> out = context_.RtcpOut();
  const uint64_t ntpNow = ntp::FromUnixUs(clock_.WallNowUs());
  size_t n = 0;
  for (auto& [mid, s] : peer.subscriptions) {
    rtcp::SenderReport sr;
    if (s->Source() == nullptr || !s->Send().MakeSenderReport(ntpNow, nowUs, sr)) continue;
    if (n + sr.SerializedSize() > out.size()) break;
    n += sr.Serialize(out.subspan(n));
  }
  if (n > 0) peer.Transport().SendRtcp(context_.rtcpBuffer, n);
}

void MeetingRouter::ReportBitrates() {
  std::vector<Listener::StreamBitrate> all;
  std::vector<std::string> owners;
  const int64_t nowMs = clock_.NowMs();
  for (const auto& [id, peer] : peers_) {
    if (!peer->publisher) continue;
    for (size_t i = 0; i < peer->publisher->LayerCount(); ++i) {
      if (!Listed(*peer->publisher, i, nowMs)) continue;
      const Publisher::Layer& l = peer->publisher->LayerAt(i);
      all.push_back({l.streamId, l.stream->AvgBitrateBps()});
      owners.push_back(id);
    }
  }
  for (const auto& [id, peer] : peers_) {
    if (peer->subscriptions.empty() && all.empty()) continue;
    std::vector<Listener::StreamBitrate> streams;
    for (size_t i = 0; i < all.size(); ++i) {
      if (owners[i] != id) streams.push_back(all[i]);
    }
    listener_.OnBitrates(id, streams, static_cast<uint32_t>(peer->OutgoingEstimateBps() / 1000));
  }
}

// ---- transport-wide congestion control (media/bwe) ----

void MeetingRouter::RecordTransportSequence(RouterPeer& peer, const RtpPacket& rtp, int64_t arrivalUs) {
  if (peer.extensions.transportWideCc == 0) return;
  const auto value = rtp.FindExtension(peer.extensions.transportWideCc);
  if (!value || value->size() < 2) return;
  peer.feedbackGenerator.OnPacket(ReadU16(value->data()), arrivalUs);
}

void MeetingRouter::SendTransportFeedback(RouterPeer& peer) {
  if (!peer.feedbackGenerator.HasPending() || !peer.Transport().IsConnected()) return;
  const std::span<uint8_t> out = context_.RtcpOut();
  const uint32_t mediaSsrc = peer.publisher && peer.publisher->LayerCount() > 0
                                 ? peer.publisher->LayerAt(0).stream->MediaSsrc()
                                 : peer.remoteAudioSsrc;
  while (size_t n = peer.feedbackGenerator.Build(peer.audioSsrc, mediaSsrc, out)) {
    if (!peer.Transport().SendRtcp(context_.rtcpBuffer, n)) break;
    ++context_.stats.transportFeedbackSent;
  }
}

std::optional<uint64_t> MeetingRouter::AvailableOutgoingBitrate(const std::string& attendeeId) const {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end() || it->second->sendEstimator.FeedbackCount() == 0) return std::nullopt;
  return it->second->sendEstimator.EstimateBps();
}

std::vector<DownlinkView> MeetingRouter::DownlinkViews() const {
  std::vector<DownlinkView> views;
  views.reserve(peers_.size());
  const int64_t nowMs = clock_.NowMs();
  for (const auto& [id, peer] : peers_) views.push_back(peer->Downlink(nowMs));
  return views;
}

void MeetingRouter::ScheduleTick() {
  timer_.expires_after(std::chrono::milliseconds(kTickMs));
  timer_.async_wait([this, watch = alive_.Observe()](const boost::system::error_code& ec) {
    if (ec) return;
    if (!watch.Alive()) return;
    ScheduleTick();  // first: a tick that throws is counted by the worker and the next one still runs
    demuxer_.Worker().Guard("router tick", [this] { Tick(); });
  });
}

void MeetingRouter::Tick() {
  const int64_t nowUs = clock_.NowUs();
  const int64_t nowMs = nowUs / 1000;
  const bool report = nowMs - lastReportMs_ >= kReportIntervalMs;
  const int64_t elapsed = nowMs - lastReportMs_;
  if (report) lastReportMs_ = nowMs;
  for (auto& [id, peer] : peers_) {
    SendTransportFeedback(*peer);
    if (report) SendSenderReports(*peer, nowUs);
    AllocateLayers(*peer, nowMs);
    if (!peer->publisher) continue;
    Publisher& publisher = *peer->publisher;
    for (size_t i = 0; i < publisher.LayerCount(); ++i) {
      RecvStream& stream = *publisher.LayerAt(i).stream;
      stream.SendFeedback(nowMs);
      if (report) stream.CloseInterval(elapsed);
    }
    if (report) SendReports(*peer, nowMs);
  }
  // Simulcast layers come and go with the sender's uplink policy: INDEX follows.
  std::vector<uint32_t> listed;
  for (const auto& [id, peer] : peers_) {
    if (!peer->publisher) continue;
    for (size_t i = 0; i < peer->publisher->LayerCount(); ++i) {
      if (Listed(*peer->publisher, i, nowMs)) listed.push_back(peer->publisher->LayerAt(i).streamId);
    }
  }
  std::sort(listed.begin(), listed.end());
  if (listed != listed_) {
    listed_ = std::move(listed);
    NotifySourcesChanged();
  }
  if (nowMs - lastBitratesMs_ >= kBitratesIntervalMs) {
    lastBitratesMs_ = nowMs;
    ReportBitrates();
  }
}

}  // namespace medicall::media::router
