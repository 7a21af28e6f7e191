#include "Leg.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "WorkerTestSupport.hpp"
#include "common/Bytes.hpp"
#include "signaling/FrameCodec.hpp"
#include "webrtc/rtcp/RtcpCompound.hpp"
#include "webrtc/rtcp/RtcpHeader.hpp"
#include "webrtc/rtp/RtpPacket.hpp"
#include "webrtc/rtp/RtpPacketBuilder.hpp"
#include "webrtc/sdp/OfferBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"
#include "webrtc/sdp/SdpWriter.hpp"

namespace medicall::bench::load {

namespace {

using Type = proto::SdkSignalFrame;
constexpr size_t kMaxVideoChunk = 1100;  // VP8 bytes per packet (descriptor and send time on top)
constexpr int64_t kFeedbackIntervalUs = 50'000;

int64_t SteadyUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int64_t SteadyMs() { return SteadyUs() / 1000; }

}  // namespace

Leg::Leg(std::string name, uint32_t index, net::MediaWorker& worker, const MediaSource& source, bool publish)
    : name_(std::move(name)),
      worker_(worker),
      source_(source),
      publish_(publish),
      audioSsrc_(0x20000000u + index * 4 + 1),
      videoSsrc_(0x20000000u + index * 4 + 2),
      rtxSsrc_(0x20000000u + index * 4 + 3) {
  ufrag_ = "ld" + std::to_string(index);
  pwd_ = "load-generator-password-" + std::to_string(index);
}

Leg::~Leg() {
  testing::OnWorker(worker_, [&] {
    if (transport_ && demux_) demux_->Remove(*transport_);
    transport_.reset();
    demux_.reset();
    return 0;
  });
}

bool Leg::Join(const HttpUrl& server, const std::string& room, const std::string& localIp) {
  counters_.joinStartUs = SteadyUs();  // before the transport exists: no race with the worker
  HttpUrl join = server;
  join.path = "/join";
  const HttpResponse r = HttpRequest(join, "POST", nlohmann::json{{"name", name_}, {"roomId", room}}.dump());
  if (r.status != 200) {
    error_ = "POST /join: " + (r.status ? std::to_string(r.status) + " " + r.body : r.error);
    return false;
  }
  std::string signalingUrl, token;
  try {
    const auto info = nlohmann::json::parse(r.body).at("JoinInfo");
    signalingUrl = info.at("Meeting").at("MediaPlacement").at("SignalingUrl").get<std::string>();
    audioHost_ = info.at("Meeting").at("MediaPlacement").at("AudioHostUrl").get<std::string>();
    attendeeId_ = info.at("Attendee").at("AttendeeId").get<std::string>();
    externalUserId_ = info.at("Attendee").at("ExternalUserId").get<std::string>();
    token = info.at("Attendee").at("JoinToken").get<std::string>();
  } catch (const std::exception& e) {
    error_ = std::string("POST /join answer: ") + e.what();
    return false;
  }
  const auto url = HttpUrl::Parse(signalingUrl);
  if (!url) {
    error_ = "unusable SignalingUrl " + signalingUrl;
    return false;
  }
  if (!ws_.Connect(url->host, url->port, url->path + "?X-Chime-Control-Protocol-Version=3",
                   {"_aws_wt_session", token})) {
    error_ = "signaling: " + ws_.Error();
    return false;
  }
  proto::SdkSignalFrame frame;
  frame.set_type(Type::JOIN);
  auto* j = frame.mutable_join();
  j->set_protocol_version(2);
  j->set_max_num_of_videos(25);
  j->set_flags(0);
  j->mutable_client_details()->set_app_name("medicall-load");
  j->mutable_client_details()->set_client_source("medicall-load");
  j->set_wants_compressed_sdp(false);
  if (!Send(frame) || !Await(Type::JOIN_ACK, 10000)) return false;
  const auto index = Await(Type::INDEX, 10000);
  if (!index) return false;
  Handle(*index);
  testing::OnWorker(worker_, [&] {
    demux_ = std::make_unique<webrtc::transport::MediaDemuxer>(worker_);
    demux_->Bind(localIp, 0);  // a socket of its own: the server tells the legs apart by address
    return 0;
  });
  if (!Subscribe()) return false;
  const auto ack = Await(Type::SUBSCRIBE_ACK, 10000);
  if (!ack) return false;
  if (!ack->has_suback() || !ack->suback().has_sdp_answer()) {
    error_ = "SUBSCRIBE_ACK without an answer";
    return false;
  }
  if (!testing::OnWorker(worker_, [&] { return StartTransport(ack->suback().sdp_answer()); })) {
    error_ = "the answer has no usable candidate";
    return false;
  }
  nextPingMs_ = SteadyMs() + 10000;
  return true;
}

bool Leg::Send(const proto::SdkSignalFrame& frame) {
  proto::SdkSignalFrame copy = frame;
  const std::string bytes = signaling::FrameCodec::Encode(copy);
  if (bytes.empty() || !ws_.SendBinary({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()})) {
    error_ = "signaling send failed";
    return false;
  }
  return true;
}

std::optional<proto::SdkSignalFrame> Leg::Await(proto::SdkSignalFrame::Type type, int timeoutMs) {
  const int64_t deadline = SteadyMs() + timeoutMs;
  for (;;) {
    while (auto message = ws_.Next()) {
      auto decoded = signaling::FrameCodec::Decode(*message);
      if (!decoded) continue;
      if (decoded.frame->type() == type) return std::move(decoded.frame);
      if (decoded.frame->has_error() &&
          (decoded.frame->type() == Type::JOIN_ACK || decoded.frame->type() == Type::SUBSCRIBE_ACK)) {
        error_ = "signaling error " + std::to_string(decoded.frame->error().status()) + ": " +
                 decoded.frame->error().description();
        return std::nullopt;
      }
      Handle(*decoded.frame);
    }
    const int64_t left = deadline - SteadyMs();
    if (!ws_.Open() || left <= 0) {
      error_ = "no " + Type::Type_Name(type) +
               (ws_.Open() ? " in time" : " (socket closed " + std::to_string(ws_.CloseCode()) + ")");
      return std::nullopt;
    }
    pollfd p{ws_.Fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) == 1) ws_.Read();
  }
}

void Leg::Handle(const proto::SdkSignalFrame& frame) {
  if (frame.type() == Type::INDEX && frame.has_index()) {
    std::set<uint32_t> sources;
    for (const auto& s : frame.index().sources()) {
      if (s.attendee_id() != attendeeId_ && s.media_type() == proto::VIDEO) sources.insert(s.stream_id());
    }
    if (sources != offeredSources_) {
      offeredSources_ = std::move(sources);
      resubscribe_ = true;
    }
  } else if (frame.type() == Type::PING_PONG && frame.has_ping_pong() &&
             frame.ping_pong().type() == proto::PING) {
    proto::SdkSignalFrame pong;
    pong.set_type(Type::PING_PONG);
    pong.mutable_ping_pong()->set_type(proto::PONG);
    pong.mutable_ping_pong()->set_ping_id(frame.ping_pong().ping_id());
    Send(pong);
  }
}

void Leg::PumpSignaling(int64_t nowMs) {
  if (ws_.Fd() < 0) return;
  ws_.Read();
  while (auto message = ws_.Next()) {
    auto decoded = signaling::FrameCodec::Decode(*message);
    if (decoded) Handle(*decoded.frame);
  }
  if (resubscribe_) Subscribe();
  if (nowMs >= nextPingMs_) {
    proto::SdkSignalFrame ping;
    ping.set_type(Type::PING_PONG);
    ping.mutable_ping_pong()->set_type(proto::PING);
    ping.mutable_ping_pong()->set_ping_id(++pingId_);
    Send(ping);
    nextPingMs_ = nowMs + 10000;
  }
}

bool Leg::Subscribe() {
  resubscribe_ = false;
  subscribed_.assign(offeredSources_.begin(), offeredSources_.end());
  proto::SdkSignalFrame frame;
  frame.set_type(Type::SUBSCRIBE);
  auto* sub = frame.mutable_sub();
  sub->set_duplex(publish_ ? proto::DUPLEX : proto::RX);
  // As the SDK announces them: audio stream 1 in group 1, the camera stream 2 in group 2.
  const auto announce = [&](uint32_t id, const char* label, proto::SdkStreamMediaType type) {
    auto* stream = sub->add_send_streams();
    stream->set_stream_id(id);
    stream->set_group_id(id);
    stream->set_track_label(label);
    stream->set_media_type(type);
    return stream;
  };
  announce(1, "AmazonChimeExpressAudio", proto::AUDIO);
  if (publish_) {
    auto* video = announce(2, "AmazonChimeExpressVideo", proto::VIDEO);
    video->set_max_bitrate_kbps(source_.Options().videoKbps * 2);
    video->set_framerate(source_.Options().fps);
    video->set_width(source_.Options().width);
    video->set_height(source_.Options().height);
  }
  sub->add_receive_stream_ids(0);  // our own camera section
  for (uint32_t id : subscribed_) sub->add_receive_stream_ids(id);
  sub->set_sdp_offer(Offer(subscribed_.size()));
  sub->set_audio_host(audioHost_);
  sub->set_audio_muted(!publish_);
  sub->set_audio_checkin(false);
  return Send(frame);
}

std::string Leg::Offer(size_t receiveSections) const {
  webrtc::sdp::OfferOptions o;
  o.iceUfrag = ufrag_;
  o.icePwd = pwd_;
  o.fingerprintSha256 = certificate_->Fingerprint();
  o.audioSsrc = audioSsrc_;
  o.videoSsrc = videoSsrc_;
  o.videoRtxSsrc = rtxSsrc_;
  o.msidStream = name_;
  o.cname = name_;
  o.recvOnlyVideoSections = receiveSections;
  o.sendVideo = publish_;
  return webrtc::sdp::SdpWriter::Write(webrtc::sdp::OfferBuilder::Build(o));
}

bool Leg::StartTransport(const std::string& answerSdp) {
  const auto answer = webrtc::sdp::SdpParser::Parse(answerSdp);
  if (!answer) return false;
  const webrtc::sdp::MediaSection* s = answer->TransportSection();
  if (s == nullptr) return false;
  for (const auto& m : answer->media) {
    if (m.Rejected()) continue;
    if (const auto* e = m.FindExtmap(webrtc::sdp::uri::kTransportWideCc))
      twccId_ = static_cast<uint8_t>(e->id);
    if (const auto* e = m.FindExtmap(webrtc::sdp::uri::kMid)) midId_ = static_cast<uint8_t>(e->id);
    if (m.kind != webrtc::sdp::MediaKind::Video) continue;
    for (const auto& c : m.codecs) {
      if (c.name == "VP8") vp8Pt_ = c.payloadType;
    }
  }
  webrtc::transport::WebRtcTransport::Options co;
  co.role = webrtc::transport::WebRtcTransport::Role::Client;
  co.localUfrag = ufrag_;
  co.localPwd = pwd_;
  co.remoteUfrag = s->iceUfrag;
  co.remotePwd = s->icePwd;
  co.remoteFingerprint = s->fingerprint->value;
  transport_ = std::make_unique<webrtc::transport::WebRtcTransport>(co, certificate_, *demux_, *this);
  demux_->Add(*transport_);
  return transport_->Start(
      webrtc::transport::WebRtcTransport::Clock::now(),
      webrtc::stun::TransportAddress::FromString(s->candidates[0].address, s->candidates[0].port));
}

void Leg::Leave() {
  if (!ws_.Open()) return;
  proto::SdkSignalFrame leave;
  leave.set_type(Type::LEAVE);
  leave.mutable_leave();
  Send(leave);
  ws_.Close();
}

// --- media (worker) ---

void Leg::MediaTick(int64_t nowUs) {
  if (!transport_ || !counters_.connected || counters_.closed) return;
  const int64_t frameUs = 1'000'000 / std::max(1u, source_.Options().fps);
  if (nextAudioUs_ == 0 || nowUs - nextAudioUs_ > 200'000) nextAudioUs_ = nowUs;  // start, or a stall
  if (nextVideoUs_ == 0 || nowUs - nextVideoUs_ > 200'000) nextVideoUs_ = nowUs;
  while (nowUs >= nextAudioUs_) {
    if (publish_) SendAudio(nowUs);
    nextAudioUs_ += 20'000;
  }
  while (nowUs >= nextVideoUs_) {
    if (publish_) SendVideoFrame(nowUs);
    nextVideoUs_ += frameUs;
  }
  if (nowUs >= nextFeedbackUs_) {
    SendFeedback();
    nextFeedbackUs_ = nowUs + kFeedbackIntervalUs;
  }
}

bool Leg::SendPacket(std::span<const uint8_t> payload, uint8_t pt, uint32_t ssrc, uint16_t seq, uint32_t ts,
                     bool marker, const char* mid) {
  webrtc::rtp::RtpPacketBuilder b;
  b.SetPayloadType(pt).SetSequenceNumber(seq).SetTimestamp(ts).SetSsrc(ssrc).SetMarker(marker);
  b.AddMid(midId_, mid);
  b.AddTransportSequenceNumber(twccId_, twccSeq_++);
  const size_t size = b.Build(payload, std::span<uint8_t>(buffer_).first(1400));
  return size > 0 && transport_->SendRtp(buffer_, size);
}

void Leg::SendAudio(int64_t /*nowUs*/) {
  const auto& frames = source_.Audio();
  if (frames.empty()) return;
  const EncodedFrame& f = frames[audioIndex_++ % frames.size()];
  if (SendPacket(f.data, webrtc::sdp::OfferBuilder::kOpusPt, audioSsrc_, audioSeq_++, audioTs_, false, "0"))
    ++counters_.audioSent;
  audioTs_ += 960;
}

void Leg::SendVideoFrame(int64_t nowUs) {
  const auto& frames = source_.Video();
  if (frames.empty()) return;
  if (videoIndex_ >= frames.size()) videoIndex_ = 0;  // the loop's start is its key frame
  const EncodedFrame& f = frames[videoIndex_++];
  std::array<uint8_t, kMaxVideoChunk + 16> payload{};
  const size_t chunks = (f.data.size() + kMaxVideoChunk - 1) / kMaxVideoChunk;
  for (size_t i = 0; i < chunks; ++i) {
    const size_t offset = i * kMaxVideoChunk;
    const size_t n = std::min(kMaxVideoChunk, f.data.size() - offset);
    // RFC 7741 section 4.2: X=1, S on the first packet, PID 0; I=1 with a 15-bit picture id (M=1).
    payload[0] = static_cast<uint8_t>(0x80 | (i == 0 ? 0x10 : 0x00));
    payload[1] = 0x80;
    payload[2] = static_cast<uint8_t>(0x80 | ((pictureId_ >> 8) & 0x7f));
    payload[3] = static_cast<uint8_t>(pictureId_ & 0xff);
    std::copy_n(f.data.begin() + static_cast<std::ptrdiff_t>(offset), n, payload.begin() + 4);
    const uint64_t sentUs = static_cast<uint64_t>(nowUs);
    for (int b = 0; b < 8; ++b) payload[4 + n + b] = static_cast<uint8_t>(sentUs >> (56 - 8 * b));
    if (SendPacket(std::span<const uint8_t>(payload).first(4 + n + 8), webrtc::sdp::OfferBuilder::kVp8Pt,
                   videoSsrc_, videoSeq_++, videoTs_, i + 1 == chunks, "1"))
      ++counters_.videoSent;
  }
  pictureId_ = static_cast<uint16_t>((pictureId_ + 1) & 0x7fff);
  videoTs_ += 90000 / std::max(1u, source_.Options().fps);
}

void Leg::SendFeedback() {
  while (feedback_.HasPending()) {
    const size_t n = feedback_.Build(audioSsrc_, lastRemoteSsrc_, std::span<uint8_t>(buffer_).first(1400));
    if (n == 0 || !transport_->SendRtcp(buffer_, n)) break;
  }
}

void Leg::OnTransportRtp(webrtc::transport::WebRtcTransport&, std::span<uint8_t> data, int64_t queuedUs) {
  const int64_t nowUs = SteadyUs();
  const auto packet = webrtc::rtp::RtpPacket::Parse(data);
  if (!packet) return;
  counters_.bytesReceived += data.size();
  if (const auto tw = packet->GetTransportSequenceNumber(twccId_)) feedback_.OnPacket(*tw, nowUs - queuedUs);
  lastRemoteSsrc_ = packet->Ssrc();
  const auto payload = packet->Payload();
  if (packet->PayloadType() == webrtc::sdp::OfferBuilder::kOpusPt) {
    ++counters_.audioReceived;
    if (counters_.firstAudioUs == 0) counters_.firstAudioUs = nowUs;
  } else if (packet->PayloadType() == vp8Pt_ && payload.size() > 12) {
    ++counters_.videoReceived;
    if (counters_.firstVideoUs == 0) counters_.firstVideoUs = nowUs;
    SourceSeq& s = videoSources_[packet->Ssrc()];
    const int64_t seq = s.unwrapper.Unwrap(packet->SequenceNumber());
    if (s.first < 0 || seq < s.first) s.first = seq;
    s.highest = std::max(s.highest, seq);
    uint64_t sentUs = 0;
    for (size_t b = payload.size() - 8; b < payload.size(); ++b) sentUs = (sentUs << 8) | payload[b];
    const int64_t latency = nowUs - queuedUs - static_cast<int64_t>(sentUs);
    if (latency >= 0 && latency < 10'000'000) latencies_.push_back(static_cast<int32_t>(latency));
  } else {
    ++counters_.otherReceived;
  }
}

void Leg::OnTransportRtcp(webrtc::transport::WebRtcTransport&, std::span<uint8_t> data) {
  bool wantsKeyframe = false;
  webrtc::rtcp::RtcpCompound(data).ForEach([&](const webrtc::rtcp::RtcpCompound::Packet& p) {
    if (p.header.packetType == static_cast<uint8_t>(webrtc::rtcp::PacketType::kPsfb) &&
        (p.header.count == webrtc::rtcp::kFmtPli || p.header.count == webrtc::rtcp::kFmtFir))
      wantsKeyframe = true;
  });
  if (wantsKeyframe) {
    // As a browser's encoder: the next frame is a key frame (requests before it are one request).
    ++counters_.keyframeRequests;
    videoIndex_ = 0;
  }
}

LegCounters Leg::CountersNow() const {
  LegCounters c = counters_;
  for (const auto& [ssrc, s] : videoSources_) {
    if (s.first >= 0) c.videoExpected += static_cast<uint64_t>(s.highest - s.first + 1);
  }
  return c;
}

std::vector<int32_t> Leg::TakeLatencies() {
  std::vector<int32_t> out;
  out.swap(latencies_);
  return out;
}

}  // namespace medicall::bench::load
