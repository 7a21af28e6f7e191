#include "media/router/MeetingRouter.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "common/Logger.hpp"
#include "common/Ntp.hpp"
#include "common/Random.hpp"
#include "media/bwe/BitrateAllocator.hpp"
#include "webrtc/rtcp/Fir.hpp"
#include "webrtc/rtcp/Nack.hpp"
#include "webrtc/rtcp/Pli.hpp"
#include "webrtc/rtcp/ReceiverReport.hpp"
#include "webrtc/rtcp/Remb.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/SenderReport.hpp"
#include "webrtc/rtcp/TransportFeedback.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/rtp/KeyframeDetector.hpp"
#include "webrtc/rtp/Rtx.hpp"
#include "webrtc/sdp/LocalCandidates.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"

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

// The primary video codec of an answered section, its payload type and its RTX payload type (-1: none).
struct VideoPayload {
  uint8_t payloadType = 0;
  int rtxPayloadType = -1;
  webrtc::rtp::VideoCodec codec = webrtc::rtp::VideoCodec::kUnknown;
};
VideoPayload VideoPayloadTypes(const sdp::MediaSection& answered) {
  for (const sdp::Codec& c : answered.codecs) {
    if (c.name == "rtx" || c.name == "RTX") continue;
    const sdp::Codec* rtx = answered.FindRtxFor(c.payloadType);
    return {c.payloadType, rtx != nullptr ? rtx->payloadType : -1,
            webrtc::rtp::KeyframeDetector::CodecFromName(c.name)};
  }
  return {};
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
  auto peer = std::make_unique<RouterPeer>(*this, attendeeId, std::move(options), certificate_, demuxer_);
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
    if (peer->publisher && peer->publisher->StreamId() == streamId) return peer->publisher.get();
  }
  return nullptr;
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

  sdp::AnswerOptions answerOptions;
  answerOptions.iceUfrag = peer->LocalUfrag();
  answerOptions.icePwd = peer->LocalPwd();
  answerOptions.fingerprintSha256 = certificate_->Fingerprint();
  answerOptions.candidateIp = config_.PrimaryMediaAddress();
  answerOptions.candidates =
      sdp::LocalCandidates::Build(config_.MediaAddresses(), demuxer_.LocalPort(), demuxer_.LocalTcpPort());
  answerOptions.candidatePort = demuxer_.LocalPort();
  answerOptions.sessionId = peer->sessionId;
  answerOptions.sessionVersion = std::to_string(peer->sessionVersion + 1);
  sdp::AnswerBuilder builder(answerOptions);

  if (peer->audioSsrc == 0) peer->audioSsrc = NewSsrc(*peer);
  struct Planned {
    std::string mid;
    uint32_t streamId;
    Publisher* publisher;
  };
  std::vector<Planned> planned;
  std::string publisherMid;
  bool audioTaken = false;
  size_t videoIndex = 0;
  for (const sdp::MediaSection& m : offer->media) {
    if (m.kind == sdp::MediaKind::Audio) {
      if (!audioTaken && !m.Rejected()) {
        audioTaken = true;
        sdp::SendParameters send{kAudioStreamId, kAudioTrackId, kCname, peer->audioSsrc, 0};
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::SendRecv, send});
      } else {
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::Inactive, std::nullopt});
      }
      continue;
    }
    if (m.kind != sdp::MediaKind::Video) continue;
    const uint32_t streamId =
        videoIndex < params.receiveStreamIds.size() ? params.receiveStreamIds[videoIndex] : 0;
    ++videoIndex;
    if (m.Rejected()) continue;
    if (streamId == 0) {
      // The attendee's own camera section (receive_stream_ids has 0 for it), or an idle one.
      if (params.sendsVideo && publisherMid.empty() && sdp::Sends(m.direction)) {
        publisherMid = m.mid;
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::RecvOnly, std::nullopt});
      } else {
        builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::Inactive, std::nullopt});
      }
      continue;
    }
    Publisher* publisher = FindPublisher(streamId);
    if (publisher == nullptr || &publisher->Owner() == peer || !sdp::Receives(m.direction)) {
      builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::Inactive, std::nullopt});
      continue;
    }
    if (peer->subscriptions.count(m.mid) == 0) {
      const uint32_t ssrc = NewSsrc(*peer);
      uint32_t rtxSsrc = NewSsrc(*peer);
      while (rtxSsrc == ssrc) rtxSsrc = NewSsrc(*peer);
      peer->subscriptions.emplace(m.mid, std::make_unique<Subscription>(*peer, m.mid, ssrc, rtxSsrc));
    }
    const auto& subscription = peer->subscriptions.at(m.mid);
    sdp::SendParameters send{subscription->TrackLabel(), subscription->TrackLabel() + "_track", kCname,
                             subscription->Ssrc(), subscription->RtxSsrc()};
    builder.SetSection(m.mid, sdp::SectionOptions{sdp::Direction::SendOnly, send});
    planned.push_back(Planned{m.mid, streamId, publisher});
  }

  auto result = builder.Build(*offer, &error);
  if (!result) return Fail(400, "cannot answer the offer: " + error);

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
  peer->extensions = result->extensions;

  // Audio: what we send on and what the attendee sends.
  peer->audioMid.clear();
  peer->audioPayloadType = -1;
  for (const sdp::MediaSection& a : result->answer.media) {
    if (a.kind != sdp::MediaKind::Audio || a.Rejected() || a.codecs.empty()) continue;
    peer->audioMid = a.mid;
    peer->audioPayloadType = a.codecs.front().payloadType;
    const sdp::MediaSection* o = offer->FindMid(a.mid);
    peer->remoteAudioSsrc = o != nullptr && !o->ssrcs.empty() ? o->ssrcs.front().ssrc : 0;
    break;
  }

  // The attendee's own video: a publisher while SUBSCRIBE says it sends video.
  bool sourcesChanged = false;
  const uint32_t maxKbps =
      params.videoMaxBitrateKbps != 0 ? params.videoMaxBitrateKbps : kDefaultMaxBitrateKbps;
  if (params.sendsVideo) {
    if (!peer->publisher) {
      peer->publisher = std::make_unique<Publisher>(*peer, nextStreamId_++, nextGroupId_++, maxKbps);
      sourcesChanged = true;
      log::Info("rtp", "router: {} publishes video stream {} group {}", peer->AttendeeId(),
                peer->publisher->StreamId(), peer->publisher->GroupId());
    }
    Publisher& publisher = *peer->publisher;
    publisher.SetMaxBitrateKbps(maxKbps);
    peer->publisherMid = publisherMid;
    const sdp::MediaSection* a = publisherMid.empty() ? nullptr : result->answer.FindMid(publisherMid);
    const sdp::MediaSection* o = publisherMid.empty() ? nullptr : offer->FindMid(publisherMid);
    if (a != nullptr && o != nullptr && !a->Rejected() && sdp::Receives(a->direction)) {
      const VideoPayload payload = VideoPayloadTypes(*a);
      uint32_t mediaSsrc = 0, rtxSsrc = 0;
      if (const sdp::SsrcGroup* fid = o->FindSsrcGroup("FID"); fid != nullptr && fid->ssrcs.size() >= 2) {
        mediaSsrc = fid->ssrcs[0];
        rtxSsrc = fid->ssrcs[1];
      } else if (!o->ssrcs.empty()) {
        mediaSsrc = o->ssrcs.front().ssrc;
      }
      publisher.SetStream(mediaSsrc, rtxSsrc, payload.payloadType, payload.rtxPayloadType, payload.codec,
                          nowMs);
    } else {
      publisher.SetStream(0, 0, 0, -1, webrtc::rtp::VideoCodec::kUnknown, nowMs);
    }
  } else if (peer->publisher) {
    StopPublisher(*peer);
    sourcesChanged = true;
  }

  // Subscriptions: attach to their publishers; the rest of the mids stop sending.
  SubscribeAnswer out;
  std::set<std::string> active;
  for (const Planned& p : planned) {
    const sdp::MediaSection* a = result->answer.FindMid(p.mid);
    Subscription& subscription = *peer->subscriptions[p.mid];
    if (a == nullptr || a->Rejected() || !sdp::Sends(a->direction)) continue;
    const VideoPayload payload = VideoPayloadTypes(*a);
    if (payload.payloadType == 0) continue;
    subscription.SetPayloadTypes(payload.payloadType, payload.rtxPayloadType);
    if (subscription.SetSource(p.publisher)) RequestKeyframe(*p.publisher, nowMs);
    active.insert(p.mid);
    out.tracks.push_back(SubscribeAnswer::Track{p.streamId, subscription.Ssrc(), subscription.TrackLabel()});
  }
  for (auto& [mid, subscription] : peer->subscriptions) {
    if (active.count(mid) == 0) subscription->SetSource(nullptr);
  }

  out.sdpAnswer = sdp::SdpWriter::Write(result->answer);
  if (peer->publisher) {
    out.videoAllocation = SubscribeAnswer::Allocation{kVideoAllocationLabel, peer->publisher->StreamId(),
                                                      peer->publisher->GroupId()};
  }
  if (sourcesChanged) NotifySourcesChanged();
  return out;
}

void MeetingRouter::StopPublisher(RouterPeer& peer) {
  if (!peer.publisher) return;
  log::Info("rtp", "router: {} stops video stream {}", peer.AttendeeId(), peer.publisher->StreamId());
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

std::vector<VideoSource> MeetingRouter::Sources() const {
  std::vector<VideoSource> sources;
  for (const auto& [id, peer] : peers_) {
    if (!peer->publisher) continue;
    const Publisher& p = *peer->publisher;
    VideoSource s;
    s.streamId = p.StreamId();
    s.groupId = p.GroupId();
    s.attendeeId = peer->AttendeeId();
    s.externalUserId = peer->externalUserId;
    s.maxBitrateKbps = p.MaxBitrateKbps();
    s.avgBitrateBps = p.AvgBitrateBps();
    sources.push_back(std::move(s));
  }
  std::sort(sources.begin(), sources.end(),
            [](const VideoSource& a, const VideoSource& b) { return a.streamId < b.streamId; });
  return sources;
}

void MeetingRouter::SetAudioMuted(const std::string& attendeeId, bool muted) {
  if (auto it = peers_.find(attendeeId); it != peers_.end()) it->second->audioMuted = muted;
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
  return it != peers_.end() && it->second->Transport().IsConnected() &&
         it->second->Transport().SendRtp(buffer, length);
}

bool MeetingRouter::SendRtcpTo(const std::string& attendeeId, std::span<uint8_t> buffer, size_t length) {
  auto it = peers_.find(attendeeId);
  return it != peers_.end() && it->second->Transport().IsConnected() &&
         it->second->Transport().SendRtcp(buffer, length);
}

std::optional<uint64_t> MeetingRouter::AvailableOutgoingBitrate(const std::string& attendeeId) const {
  auto it = peers_.find(attendeeId);
  if (it == peers_.end() || it->second->sendEstimator.FeedbackCount() == 0) return std::nullopt;
  return it->second->sendEstimator.EstimateBps();
}

// ---- packet path ----

void MeetingRouter::OnPeerRtp(RouterPeer& peer, std::span<uint8_t> data) {
  auto rtp = RtpPacket::Parse(data);
  if (!rtp) {
    ++stats_.dropped;
    return;
  }
  RecordTransportSequence(peer, *rtp);
  const uint8_t pt = rtp->PayloadType();
  if (static_cast<int>(pt) == peer.audioPayloadType) {
    ++stats_.audioIn;
    if (audioSink_ != nullptr) audioSink_->OnAudioRtp(peer.AttendeeId(), *rtp);
    return;
  }
  Publisher* publisher = peer.publisher.get();
  if (publisher == nullptr || !publisher->Receiving()) {
    ++stats_.dropped;
    return;
  }
  if (static_cast<int>(pt) == publisher->RtxPayloadType()) {
    // A retransmission we asked for (RFC 4588): back to the original packet, in place. RTX without
    // an OSN is a bandwidth probe (padding only); RTX of another stream repairs nothing we forward.
    if (!publisher->AcceptRtxSsrc(rtp->Ssrc())) {
      ++stats_.dropped;
      return;
    }
    auto original =
        webrtc::rtp::Rtx::DecapsulateInPlace(*rtp, publisher->PayloadType(), publisher->MediaSsrc());
    if (!original) {
      ++stats_.dropped;
      return;
    }
    ForwardVideo(peer, *publisher, *original, true);
    return;
  }
  if (pt != publisher->PayloadType()) {
    ++stats_.dropped;
    return;
  }
  const uint32_t before = publisher->MediaSsrc();
  if (!publisher->AcceptMediaSsrc(rtp->Ssrc(), clock_.NowMs())) {
    ++stats_.foreignSsrc;  // another encoding or stream: never interleaved into the forwarded one
    return;
  }
  if (before != 0 && publisher->MediaSsrc() != before) {
    // A new stream from the same sender: its decoder state starts again with a key frame.
    log::Info("rtp", "router: stream {} silent on ssrc {}, now on ssrc {}", publisher->StreamId(), before,
              publisher->MediaSsrc());
    for (Subscription* s : publisher->Subscribers()) s->WaitForKeyframe();
    RequestKeyframe(*publisher, clock_.NowMs());
  }
  ForwardVideo(peer, *publisher, *rtp, false);
}

void MeetingRouter::ForwardVideo(RouterPeer& peer, Publisher& publisher, const RtpPacket& rtp,
                                 bool retransmitted) {
  const int64_t nowUs = clock_.NowUs();
  const int64_t nowMs = nowUs / 1000;
  if (!publisher.OnPacket(rtp.SequenceNumber(), rtp.Timestamp(), nowMs, retransmitted)) {
    ++stats_.dropped;  // a duplicate (late retransmission)
    return;
  }
  ++stats_.videoIn;
  publisher.CountOctets(rtp.Size());
  const bool keyframe = publisher.IsKeyframe(rtp.Payload());
  if (keyframe) {
    publisher.Keyframes().OnKeyframe();
    publisher.CountKeyframe();
  }
  publisher.Cache().Store(rtp.SequenceNumber(), rtp.Data(), nowMs);
  for (Subscription* s : publisher.Subscribers()) {
    if (s->Forward(rtp, keyframe, peer.extensions, nowUs, sendBuffer_)) ++stats_.forwarded;
  }
}

void MeetingRouter::SendNacks(Publisher& publisher, int64_t nowMs) {
  RouterPeer& owner = publisher.Owner();
  if (publisher.MediaSsrc() == 0 || !owner.Transport().IsConnected()) return;
  const size_t count = publisher.CollectNacks(nowMs, nackList_);
  if (count == 0) return;
  const std::span<uint8_t> out =
      std::span(rtcpBuffer_).first(rtcpBuffer_.size() - webrtc::srtp::kSrtpMaxTrailerLength);
  const size_t n = rtcp::Nack::Serialize(owner.audioSsrc, publisher.MediaSsrc(),
                                         std::span<const uint16_t>(nackList_.data(), count), out);
  if (n > 0 && owner.Transport().SendRtcp(rtcpBuffer_, n)) stats_.upstreamNacks += count;
}

void MeetingRouter::OnPeerRtcp(RouterPeer& peer, std::span<uint8_t> data) {
  rtcp::RtcpCompound compound(data);
  if (!compound.Validate()) return;
  const int64_t nowUs = clock_.NowUs();
  const int64_t nowMs = nowUs / 1000;
  const uint32_t arrivalCompact = ntp::Compact(ntp::FromUnixUs(clock_.WallNowUs()));
  auto keyframeFor = [&](uint32_t ourSsrc) {
    ++stats_.keyframeAsks;
    Subscription* s = peer.FindSubscriptionBySsrc(ourSsrc);
    // Keep forwarding meanwhile: holding packets back would open a sequence gap in the stream.
    if (s != nullptr && s->Source() != nullptr) RequestKeyframe(*s->Source(), nowMs);
  };
  compound.ForEach([&](const rtcp::RtcpCompound::Packet& p) {
    const uint8_t type = p.header.packetType;
    const uint8_t fmt = p.header.count;
    if (type == static_cast<uint8_t>(rtcp::PacketType::kSr)) {
      auto sr = rtcp::SenderReport::Parse(p.data);
      if (!sr) return;
      if (peer.publisher && sr->senderSsrc == peer.publisher->MediaSsrc()) {
        peer.publisher->Stats().OnSenderReport(sr->ntpTimestamp, nowMs);
      }
      OnReportBlocks(peer, std::span(sr->blocks).first(sr->blockCount), arrivalCompact);
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRr)) {
      if (auto rr = rtcp::ReceiverReport::Parse(p.data)) {
        OnReportBlocks(peer, std::span(rr->blocks).first(rr->blockCount), arrivalCompact);
      }
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtPli) {
      if (auto pli = rtcp::Pli::Parse(p.data)) keyframeFor(pli->mediaSsrc);
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtFir) {
      if (auto fir = rtcp::Fir::Parse(p.data)) {
        for (size_t i = 0; i < fir->entryCount; ++i) keyframeFor(fir->entries[i].ssrc);
      }
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kPsfb) && fmt == rtcp::kFmtAfb) {
      if (auto remb = rtcp::Remb::Parse(p.data)) {
        for (size_t i = 0; i < remb->ssrcCount; ++i) {
          if (Subscription* s = peer.FindSubscriptionBySsrc(remb->ssrcs[i])) s->OnRemb(remb->bitrate, nowMs);
        }
      }
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRtpfb) && fmt == rtcp::kFmtTransportFeedback) {
      OnTransportFeedback(peer, p.data, nowUs);
    } else if (type == static_cast<uint8_t>(rtcp::PacketType::kRtpfb) && fmt == rtcp::kFmtNack) {
      auto nack = rtcp::Nack::Parse(p.data);
      if (!nack) return;
      Subscription* s = peer.FindSubscriptionBySsrc(nack->MediaSsrc());
      if (s == nullptr || s->Source() == nullptr) return;
      const Subscription::NackOutcome outcome =
          s->OnNack(*nack, s->Source()->Owner().extensions, nowUs, sendBuffer_, rtxBuffer_, peer.rtxBudget);
      stats_.retransmitted += outcome.sent;
      stats_.nackMisses += outcome.misses;
      stats_.nackSuppressed += outcome.suppressed;
      stats_.nackOverBudget += outcome.overBudget;
    }
  });
}

void MeetingRouter::OnReportBlocks(RouterPeer& peer, std::span<const rtcp::ReportBlock> blocks,
                                   uint32_t arrivalCompact) {
  for (const rtcp::ReportBlock& block : blocks) {
    Subscription* s = peer.FindSubscriptionBySsrc(block.ssrc);
    if (s != nullptr && s->Ssrc() == block.ssrc) {
      s->OnReportBlock(block.lastSr, block.delaySinceLastSr, arrivalCompact);
      peer.sendEstimator.SetRttMs(s->Retransmissions().RttUs() / 1000);
    }
  }
}

void MeetingRouter::OnPeerConnected(RouterPeer& peer) {
  log::Info("rtp", "router: {} media connected", peer.AttendeeId());
  const int64_t nowMs = clock_.NowMs();
  for (auto& [mid, s] : peer.subscriptions) {
    if (s->Source() == nullptr) continue;
    s->WaitForKeyframe();
    RequestKeyframe(*s->Source(), nowMs);
  }
  // Requests made before the publisher could be reached go out now.
  if (peer.publisher) MaybeSendPli(*peer.publisher, nowMs);
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

// ---- feedback to publishers ----

void MeetingRouter::RequestKeyframe(Publisher& publisher, int64_t nowMs) {
  publisher.Keyframes().Request(nowMs);
  MaybeSendPli(publisher, nowMs);
}

void MeetingRouter::MaybeSendPli(Publisher& publisher, int64_t nowMs) {
  if (publisher.Keyframes().Due(nowMs) && SendPli(publisher)) publisher.Keyframes().Sent(nowMs);
}

bool MeetingRouter::SendPli(Publisher& publisher) {
  RouterPeer& owner = publisher.Owner();
  if (publisher.MediaSsrc() == 0 || !owner.Transport().IsConnected()) return false;
  const rtcp::Pli pli{owner.audioSsrc, publisher.MediaSsrc()};
  const size_t n =
      pli.Serialize(std::span(rtcpBuffer_).first(rtcpBuffer_.size() - webrtc::srtp::kSrtpMaxTrailerLength));
  if (n == 0 || !owner.Transport().SendRtcp(rtcpBuffer_, n)) return false;
  ++stats_.keyframeRequests;
  return true;
}

uint64_t MeetingRouter::EstimateFor(const Publisher& publisher, int64_t nowMs) const {
  uint64_t estimate = static_cast<uint64_t>(publisher.MaxBitrateKbps()) * 1000;
  for (const Subscription* s : publisher.Subscribers()) {
    if (const uint64_t share = RembShare(*s, nowMs); share != 0) estimate = std::min(estimate, share);
  }
  return std::max(estimate, kMinRembBps);
}

// A subscriber's REMB is the total for everything we send it (all its streams, one number): each
// stream gets its share (bwe::BitrateAllocator, equal shares up to each source's maximum), not the total.
uint64_t MeetingRouter::RembShare(const Subscription& subscription, int64_t nowMs) const {
  const RouterPeer& peer = subscription.Peer();
  uint64_t total = 0;
  int64_t latestMs = 0;
  for (const auto& [mid, s] : peer.subscriptions) {
    if (s->RembBps() != 0 && nowMs - s->RembAtMs() <= kRembMaxAgeMs && s->RembAtMs() >= latestMs) {
      total = s->RembBps();
      latestMs = s->RembAtMs();
    }
  }
  if (total == 0) return 0;
  std::array<bwe::BitrateAllocator::Demand, kMaxAllocatedStreams> demands{};
  std::array<uint64_t, kMaxAllocatedStreams> budgets{};
  size_t count = 0;
  size_t index = 0;
  for (const auto& [mid, s] : peer.subscriptions) {
    if (s->Source() == nullptr || count == demands.size()) continue;
    if (s.get() == &subscription) index = count;
    demands[count++].maxBps = static_cast<uint64_t>(s->Source()->MaxBitrateKbps()) * 1000;
  }
  if (count == 0) return total;
  bwe::BitrateAllocator::Allocate(total, std::span(demands).first(count), budgets);
  return budgets[index];
}

void MeetingRouter::SendReports(RouterPeer& peer, int64_t nowMs) {
  Publisher& publisher = *peer.publisher;
  if (publisher.MediaSsrc() == 0 || !peer.Transport().IsConnected()) return;
  const std::span<uint8_t> out =
      std::span(rtcpBuffer_).first(rtcpBuffer_.size() - webrtc::srtp::kSrtpMaxTrailerLength);
  rtcp::ReceiverReport rr;
  rr.senderSsrc = peer.audioSsrc;
  if (publisher.Stats().HasData())
    rr.AddBlock(publisher.Stats().MakeReportBlock(publisher.MediaSsrc(), nowMs));
  size_t n = rr.Serialize(out);
  if (n == 0) return;
  if (peer.extensions.transportWideCc != 0) {
    // The publisher estimates its uplink itself from our transport-wide feedback (its GCC ramps up);
    // a REMB would only cap it.
    peer.Transport().SendRtcp(rtcpBuffer_, n);
    return;
  }
  rtcp::Remb remb;
  remb.senderSsrc = peer.audioSsrc;
  remb.bitrate = EstimateFor(publisher, nowMs);
  remb.AddSsrc(publisher.MediaSsrc());
  n += remb.Serialize(out.subspan(n));
  peer.Transport().SendRtcp(rtcpBuffer_, n);
}

// RFC 3550 section 6.4.1: one SR per stream we send the subscriber, with the NTP time of now and
// the RTP timestamp that corresponds to it (the last one sent, advanced by the time since).
void MeetingRouter::SendSenderReports(RouterPeer& peer, int64_t nowUs) {
  if (!peer.Transport().IsConnected()) return;
  const std::span<uint8_t> out =
      std::span(rtcpBuffer_).first(rtcpBuffer_.size() - webrtc::srtp::kSrtpMaxTrailerLength);
  const uint64_t ntpNow = ntp::FromUnixUs(clock_.WallNowUs());
  size_t n = 0;
  for (auto& [mid, s] : peer.subscriptions) {
    if (s->Source() == nullptr || s->LastSentUs() == 0) continue;
    rtcp::SenderReport sr;
    sr.senderSsrc = s->Ssrc();
    sr.ntpTimestamp = ntpNow;
    const auto& rw = s->Rewriter();
    sr.rtpTimestamp = rw.HighestTimestamp() + static_cast<uint32_t>((nowUs - s->LastSentUs()) * 90 / 1000);
    sr.packetCount = rw.PacketsSent();
    sr.octetCount = rw.OctetsSent();
    if (n + sr.SerializedSize() > out.size()) break;
    n += sr.Serialize(out.subspan(n));
  }
  if (n > 0) peer.Transport().SendRtcp(rtcpBuffer_, n);
}

// ---- transport-wide congestion control (media/bwe) ----

void MeetingRouter::RecordTransportSequence(RouterPeer& peer, const RtpPacket& rtp) {
  if (peer.extensions.transportWideCc == 0) return;
  const auto value = rtp.FindExtension(peer.extensions.transportWideCc);
  if (!value || value->size() < 2) return;
  peer.feedbackGenerator.OnPacket(ReadU16(value->data()), clock_.NowUs());
}

void MeetingRouter::OnTransportFeedback(RouterPeer& peer, std::span<const uint8_t> packet, int64_t nowUs) {
  auto feedback = rtcp::TransportFeedback::Parse(packet);
  if (!feedback) return;
  ++stats_.transportFeedbackReceived;
  peer.sendEstimator.OnTransportFeedback(*feedback, nowUs);
}

void MeetingRouter::SendTransportFeedback(RouterPeer& peer) {
  if (!peer.feedbackGenerator.HasPending() || !peer.Transport().IsConnected()) return;
  const std::span<uint8_t> out =
      std::span(rtcpBuffer_).first(rtcpBuffer_.size() - webrtc::srtp::kSrtpMaxTrailerLength);
  const uint32_t mediaSsrc = peer.publisher ? peer.publisher->MediaSsrc() : peer.remoteAudioSsrc;
  while (size_t n = peer.feedbackGenerator.Build(peer.audioSsrc, mediaSsrc, out)) {
    if (!peer.Transport().SendRtcp(rtcpBuffer_, n)) break;
    ++stats_.transportFeedbackSent;
  }
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
    if (!peer->publisher) continue;
    Publisher& publisher = *peer->publisher;
    MaybeSendPli(publisher, nowMs);
    SendNacks(publisher, nowMs);
    if (report) {
      publisher.CloseInterval(elapsed);
      SendReports(*peer, nowMs);
    }
  }
}

}  // namespace medicall::media::router
