#include "signaling/SignalingSession.hpp"

#include <algorithm>

#include "common/Logger.hpp"
#include "signaling/DataMessageValidator.hpp"
#include "signaling/SignalingStatus.hpp"

namespace medicall::signaling {

namespace {

using Type = proto::SdkSignalFrame;

// RFC 6455 section 5.5: a control frame payload is at most 125 bytes (2 for the code).
constexpr size_t kMaxCloseReason = 123;

}  // namespace

std::string_view SignalingSession::ToString(EndReason reason) {
  switch (reason) {
    case EndReason::kLeft:
      return "left";
    case EndReason::kDropped:
      return "dropped";
    case EndReason::kProtocolError:
      return "protocol error";
    case EndReason::kReplaced:
      return "replaced";
    case EndReason::kReconnected:
      return "reconnected";
    case EndReason::kTimedOut:
      return "timed out";
    case EndReason::kServerShutdown:
      return "server shutdown";
    case EndReason::kMeetingEnded:
      return "meeting ended";
    case EndReason::kAttendeeRemoved:
      return "attendee removed";
    case EndReason::kAtCapacity:
      return "at capacity";
  }
  return "unknown";
}

SignalingSession::SignalingSession(SessionIdentity identity, Transport transport, Listener& listener,
                                   Options options, const Clock& clock)
    : identity_(std::move(identity)),
      transport_(std::move(transport)),
      listener_(&listener),
      options_(std::move(options)),
      clock_(clock),
      dataMessageBucket_(options_.dataMessagesPerSecond, options_.dataMessageBurst, clock.NowUs()),
      subscribeBucket_(options_.subscribes.perSecond, options_.subscribes.burst, clock.NowUs()),
      muteBucket_(options_.muteChanges.perSecond, options_.muteChanges.burst, clock.NowUs()),
      self_(std::make_shared<SignalingSession*>(this)) {
  lastHeardUs_ = clock.NowUs();
  if (options_.silenceTimeoutUs > 0) ArmSilenceTimer(options_.silenceTimeoutUs);
}

SignalingSession::~SignalingSession() = default;

// ---- input ----------------------------------------------------------------------------------------

void SignalingSession::OnBinaryMessage(std::string_view bytes) {
  if (Ended()) return;
  lastHeardUs_ = clock_.NowUs();
  auto keepAlive = weak_from_this().lock();  // a listener may drop its last reference meanwhile
  DecodedFrame decoded = FrameCodec::Decode(bytes);
  if (decoded) {
    OnFrame(*decoded.frame);
    return;
  }
  if (decoded.error == FrameError::kUnknownType) return;  // a newer client's frame: accepted, ignored
  log::Info("signaling", "attendee {}: {}, closing", identity_.attendeeId,
            signaling::ToString(decoded.error));
  CloseTransport(decoded.error == FrameError::kTooLarge ? kCloseMessageTooBig : kCloseInvalidPayload,
                 signaling::ToString(decoded.error));
  Finish(EndReason::kProtocolError, true);
}

void SignalingSession::OnTextMessage(std::string_view text) {
  if (Ended()) return;
  auto keepAlive = weak_from_this().lock();
  CloseTransport(kCloseUnsupportedData, "signaling frames are binary");
  Finish(EndReason::kProtocolError, true);
}

void SignalingSession::OnTransportClosed(uint16_t code) {
  transportClosed_ = true;
  if (Ended()) return;
  peerCloseCode_ = code;
  auto keepAlive = weak_from_this().lock();
  log::Info("signaling", "attendee {}: transport closed ({}) without LEAVE", identity_.attendeeId, code);
  Finish(EndReason::kDropped, true);
}

void SignalingSession::OnFrame(const proto::SdkSignalFrame& frame) {
  if (Ended()) return;
  auto keepAlive = weak_from_this().lock();
  if (!transport_.runAfter) {
    // No timer: work held back by a rate limit gets its next chance now.
    PumpSubscribe();
    FlushMute();
    if (Ended()) return;
  }
  switch (frame.type()) {
    case Type::JOIN:
    case Type::SUBSCRIBE:
    case Type::LEAVE:
    case Type::AUDIO_CONTROL:
    case Type::DATA_MESSAGE:
      break;  // their own limits (JOIN and LEAVE happen once)
    default:
      if (!AdmitFrame(frame.type())) return;
  }
  switch (frame.type()) {
    case Type::JOIN:
      HandleJoin(frame);
      return;
    case Type::SUBSCRIBE:
      HandleSubscribe(frame);
      return;
    case Type::PING_PONG:
      HandlePingPong(frame);
      return;
    case Type::LEAVE:
      HandleLeave();
      return;
    case Type::AUDIO_CONTROL:
      HandleAudioControl(frame);
      return;
    case Type::DATA_MESSAGE:
      HandleDataMessage(frame);
      return;
    case Type::CLIENT_METRIC:
      if (frame.has_client_metric() && listener_) listener_->OnClientMetric(*this, frame.client_metric());
      return;
    case Type::PAUSE:
    case Type::RESUME:
      if (Joined() && frame.has_pause())
        listener_->OnPauseResume(*this, frame.type() == Type::PAUSE, frame.pause());
      return;
    case Type::REMOTE_VIDEO_UPDATE:
      if (Joined() && frame.has_remote_video_update())
        listener_->OnRemoteVideoUpdate(*this, frame.remote_video_update());
      return;
    case Type::PRIMARY_MEETING_JOIN:
      // Promotion to a primary meeting (replica meetings) is not offered: the client's
      // PromoteToPrimaryMeetingTask reports SignalingBadRequest to the application; the session lives on.
      SendError(Type::PRIMARY_MEETING_JOIN_ACK, kErrorBadRequest, "primary meeting promotion not supported");
      return;
    default:
      // PRIMARY_MEETING_LEAVE, MEETING_SESSION_TIMING, and server-to-client types echoed back by
      // a confused client: accepted and ignored.
      log::Debug("signaling", "attendee {}: ignoring frame type {}", identity_.attendeeId,
                 static_cast<int>(frame.type()));
      return;
  }
}

void SignalingSession::HandleJoin(const proto::SdkSignalFrame& frame) {
  if (state_ != State::kAwaitingJoin) return FailProtocol(Type::JOIN_ACK, "duplicate JOIN");
  if (!frame.has_join()) return FailProtocol(Type::JOIN_ACK, "JOIN without join frame");
  if (frame.join().has_audio_session_id()) audioSessionId_ = frame.join().audio_session_id();
  std::optional<proto::SdkIndexFrame> index = listener_->OnJoin(*this, frame.join());
  if (Ended()) return;
  if (!index) {
    End(EndReason::kAtCapacity);
    listener_->OnEnded(*this, EndReason::kAtCapacity);  // End() alone leaves the listener uninformed
    return;
  }
  state_ = State::kJoined;
  reportedMuted_ = muted_;  // the presence entry carries the state remembered before JOIN

  proto::SdkSignalFrame ack;
  ack.set_type(Type::JOIN_ACK);
  auto* joinAck = ack.mutable_joinack();
  joinAck->set_video_subscription_limit(options_.videoSubscriptionLimit);
  // No SDP compression, so there is no compression dictionary to reset on a reconnect's JOIN: every
  // JOIN_ACK says so, and the client (which resets its own state on each JOIN) sends plain offers.
  joinAck->set_wants_compressed_sdp(false);
  // Field 4 absent: the SDK reads DEFAULT and adapts its downlink itself (client-side mode,
  // chime-protocol-2.md section 3.6), subscribing per layer and sending PAUSE/RESUME.
  if (options_.turnCredentials) {
    auto* turn = joinAck->mutable_turn_credentials();
    turn->set_username(options_.turnCredentials->username);
    turn->set_password(options_.turnCredentials->password);
    turn->set_ttl(options_.turnCredentials->ttlSeconds);
    for (const auto& uri : options_.turnCredentials->uris) turn->add_uris(uri);
  }
  Send(ack);
  SendIndex(*index);
  log::Info("signaling", "attendee {} joined", identity_.attendeeId);
  listener_->OnJoined(*this);
}

void SignalingSession::SendIndex(const proto::SdkIndexFrame& index) {
  if (!Joined()) return;
  proto::SdkSignalFrame frame;
  frame.set_type(Type::INDEX);
  *frame.mutable_index() = index;
  Send(frame);
}

void SignalingSession::HandleSubscribe(const proto::SdkSignalFrame& frame) {
  if (!Joined()) return FailProtocol(Type::SUBSCRIBE_ACK, "SUBSCRIBE before JOIN");
  if (!frame.has_sub()) return FailProtocol(Type::SUBSCRIBE_ACK, "SUBSCRIBE without subscribe frame");
  const auto& sub = frame.sub();
  if (sub.sdp_offer().empty()) {
    // JOIN_ACK said wants_compressed_sdp=false, so a compressed-only offer is a protocol error too.
    return FailProtocol(Type::SUBSCRIBE_ACK, sub.has_compressed_sdp_offer() ? "compressed SDP not supported"
                                                                            : "SUBSCRIBE without SDP offer");
  }
  SubscribeRequest request;
  request.duplex = sub.duplex();
  request.sdpOffer = sub.sdp_offer();
  request.sendStreams.assign(sub.send_streams().begin(), sub.send_streams().end());
  request.receiveStreamIds.assign(sub.receive_stream_ids().begin(), sub.receive_stream_ids().end());
  request.videoSubscriptions.assign(sub.video_subscription_configuration().begin(),
                                    sub.video_subscription_configuration().end());
  request.audioHost = sub.audio_host();
  request.audioMuted = sub.audio_muted();
  request.audioCheckin = sub.audio_checkin();
  request.sequence = ++subscribeSequence_;

  if (sub.has_audio_muted()) {
    SetMuted(sub.audio_muted());
    if (Ended()) return;
  }
  if (pendingSubscribe_) {
    ++supersededSubscribes_;
    log::Debug("signaling", "attendee {}: SUBSCRIBE {} superseded by {} before it ran", identity_.attendeeId,
               pendingSubscribe_->sequence, request.sequence);
  }
  pendingSubscribe_ = std::move(request);
  PumpSubscribe();
}

void SignalingSession::PumpSubscribe() {
  if (!Joined() || subscribeInFlight_ || !pendingSubscribe_ || subscribePumpArmed_) return;
  const int64_t now = clock_.NowUs();
  if (!subscribeBucket_.TryTake(now)) {
    ++deferredSubscribes_;
    RetryWhenRefilled(subscribeBucket_, &SignalingSession::subscribePumpArmed_,
                      &SignalingSession::PumpSubscribe);
    return;
  }
  SubscribeRequest request = std::move(*pendingSubscribe_);
  pendingSubscribe_.reset();
  subscribeInFlight_ = true;
  const uint32_t sequence = request.sequence;
  const proto::SdkStreamServiceType duplex = request.duplex;
  std::weak_ptr<SignalingSession*> weak = self_;
  listener_->OnSubscribe(*this, std::move(request), [weak, sequence, duplex](SubscribeResult result) {
    if (auto self = weak.lock()) (*self)->CompleteSubscribe(sequence, duplex, std::move(result));
  });
}

void SignalingSession::CompleteSubscribe(uint32_t sequence, proto::SdkStreamServiceType duplex,
                                         SubscribeResult result) {
  if (!Joined()) return;
  auto keepAlive = weak_from_this().lock();
  subscribeInFlight_ = false;
  if (sequence != subscribeSequence_) {
    // A newer SUBSCRIBE arrived while this one ran: it renegotiates, and only it gets an answer.
    log::Debug("signaling", "attendee {}: dropping answer to superseded SUBSCRIBE {} (now {})",
               identity_.attendeeId, sequence, subscribeSequence_);
    PumpSubscribe();
    return;
  }
  if (result.status != 200) {
    log::Warn("signaling", "attendee {}: SUBSCRIBE {} failed: {} {}", identity_.attendeeId, sequence,
              result.status, result.description);
    SendError(Type::SUBSCRIBE_ACK, result.status, result.description);
    return;
  }
  proto::SdkSignalFrame frame;
  frame.set_type(Type::SUBSCRIBE_ACK);
  auto* ack = frame.mutable_suback();
  ack->set_duplex(duplex);
  ack->set_sdp_answer(std::move(result.sdpAnswer));
  for (auto& track : result.tracks) *ack->add_tracks() = std::move(track);
  for (auto& allocation : result.allocations) *ack->add_allocations() = std::move(allocation);
  Send(frame);
  ++ackedSubscribes_;
  listener_->OnSubscribeAcked(*this, sequence);
}

void SignalingSession::SetMuted(bool muted) {
  const bool changed = muted != muted_;
  muted_ = muted;
  const uint64_t toldBefore = toldMuteChanges_;
  FlushMute();
  if (changed && Joined() && toldMuteChanges_ == toldBefore) ++deferredMuteChanges_;
}

void SignalingSession::FlushMute() {
  // Before JOIN the state is only remembered: the presence entry will carry it.
  if (!Joined() || muted_ == reportedMuted_ || muteFlushArmed_) return;
  const int64_t now = clock_.NowUs();
  if (!muteBucket_.TryTake(now)) {
    RetryWhenRefilled(muteBucket_, &SignalingSession::muteFlushArmed_, &SignalingSession::FlushMute);
    return;
  }
  reportedMuted_ = muted_;
  ++toldMuteChanges_;
  listener_->OnMuteChanged(*this, muted_);
}

bool SignalingSession::AdmitFrame(proto::SdkSignalFrame::Type type) {
  auto it = frameBuckets_.find(type);
  if (it == frameBuckets_.end()) {
    it = frameBuckets_
             .emplace(type,
                      TokenBucket(options_.otherFrames.perSecond, options_.otherFrames.burst, clock_.NowUs()))
             .first;
  }
  if (it->second.TryTake(clock_.NowUs())) return true;
  if (droppedFrames_++ == 0)
    log::Info("signaling", "attendee {}: frames of type {} over the rate limit, dropping",
              identity_.attendeeId, static_cast<int>(type));
  return false;
}

void SignalingSession::RetryWhenRefilled(TokenBucket& bucket, bool SignalingSession::*armed,
                                         void (SignalingSession::*method)()) {
  const int64_t wait = bucket.UsUntilAvailable(clock_.NowUs());
  if (wait <= 0 || !transport_.runAfter) return;  // never, or at the next frame received
  this->*armed = true;
  std::weak_ptr<SignalingSession*> weak = self_;
  transport_.runAfter(wait, [weak, armed, method] {
    auto self = weak.lock();
    if (!self) return;  // the session ended meanwhile
    SignalingSession& session = **self;
    auto keepAlive = session.weak_from_this().lock();
    session.*armed = false;
    (session.*method)();
  });
}

void SignalingSession::HandlePingPong(const proto::SdkSignalFrame& frame) {
  // Decode guarantees the nested required fields (type, ping_id) when ping_pong is present.
  if (!frame.has_ping_pong() || frame.ping_pong().type() != proto::PING) return;
  proto::SdkSignalFrame pong;
  pong.set_type(Type::PING_PONG);
  pong.mutable_ping_pong()->set_type(proto::PONG);
  pong.mutable_ping_pong()->set_ping_id(frame.ping_pong().ping_id());
  Send(pong);
}

void SignalingSession::HandleLeave() {
  proto::SdkSignalFrame ack;
  ack.set_type(Type::LEAVE_ACK);
  ack.mutable_leave_ack();
  Send(ack);
  log::Info("signaling", "attendee {} left", identity_.attendeeId);
  Finish(EndReason::kLeft, true);
}

void SignalingSession::HandleAudioControl(const proto::SdkSignalFrame& frame) {
  if (!frame.has_audio_control() || !frame.audio_control().has_muted()) return;
  // Before JOIN (the SDK sends mute as soon as the socket is open) the state is only remembered.
  SetMuted(frame.audio_control().muted());
}

void SignalingSession::HandleDataMessage(const proto::SdkSignalFrame& frame) {
  if (!frame.has_data_message()) return;
  if (!Joined()) {
    // The SDK sends data messages once the socket is open, which can be just before its JOIN.
    // Nobody would receive them under this identity yet: dropped, counted.
    droppedDataMessages_ += static_cast<uint64_t>(frame.data_message().messages_size());
    return;
  }
  proto::SdkDataMessageFrame accepted;
  proto::SdkDataMessageFrame throttled;
  int count = 0;
  for (const auto& in : frame.data_message().messages()) {
    if (++count > DataMessageValidator::kMaxPayloadsPerFrame) {
      ++droppedDataMessages_;
      continue;
    }
    if (auto why = DataMessageValidator::Check(in)) {
      ++droppedDataMessages_;
      log::Debug("signaling", "attendee {}: data message dropped: {}", identity_.attendeeId, *why);
      continue;
    }
    const bool admitted = dataMessageBucket_.TryTake(clock_.NowUs());
    auto* out = admitted ? accepted.add_messages() : throttled.add_messages();
    out->set_topic(in.topic());
    out->set_data(in.data());
    if (in.has_lifetime_ms()) out->set_lifetime_ms(in.lifetime_ms());
    // Identity from the session, never from the message.
    out->set_sender_attendee_id(identity_.attendeeId);
    out->set_sender_external_user_id(identity_.externalUserId);
    // ingest_time_ns 0 tells the client "throttled".
    out->set_ingest_time_ns(admitted ? std::max<int64_t>(1, clock_.WallNowUs() * 1000) : 0);
    if (!admitted) ++throttledDataMessages_;
  }
  if (throttled.messages_size() > 0) {
    proto::SdkSignalFrame echo;
    echo.set_type(Type::DATA_MESSAGE);
    *echo.mutable_data_message() = std::move(throttled);
    Send(echo);
  }
  if (accepted.messages_size() > 0) listener_->OnDataMessages(*this, accepted);
}

// ---- output ---------------------------------------------------------------------------------------

void SignalingSession::Send(proto::SdkSignalFrame& frame) {
  if (Ended() || transportClosed_) return;
  std::string bytes = FrameCodec::Encode(frame, clock_);
  if (!bytes.empty() && transport_.sendBinary) transport_.sendBinary(std::move(bytes));
}

void SignalingSession::SendEncoded(const std::string& bytes) {
  if (Ended() || transportClosed_ || bytes.empty()) return;
  if (transport_.sendBinary) transport_.sendBinary(bytes);
}

void SignalingSession::SendError(proto::SdkSignalFrame::Type type, uint32_t status,
                                 std::string_view description) {
  proto::SdkSignalFrame frame;
  frame.set_type(type);
  frame.mutable_error()->set_status(status);
  frame.mutable_error()->set_description(std::string(description));
  Send(frame);
}

void SignalingSession::FailProtocol(proto::SdkSignalFrame::Type type, std::string_view description) {
  log::Info("signaling", "attendee {}: protocol error: {}", identity_.attendeeId, description);
  SendError(type, kErrorBadRequest, description);
  CloseTransport(kClosePolicyViolation, description);
  Finish(EndReason::kProtocolError, true);
}

void SignalingSession::End(EndReason reason) {
  if (Ended()) return;
  auto keepAlive = weak_from_this().lock();
  std::optional<uint32_t> audioStatus;
  uint16_t closeCode = kCloseNormal;
  switch (reason) {
    case EndReason::kReplaced:
      audioStatus = kAudioStatusJoinedFromAnotherDevice;
      closeCode = kCloseReplaced;
      break;
    case EndReason::kMeetingEnded:
      audioStatus = kAudioStatusMeetingEnded;
      closeCode = kCloseMeetingEnded;
      break;
    case EndReason::kAttendeeRemoved:
      audioStatus = kAudioStatusAttendeeRemoved;
      closeCode = kCloseAttendeeRemoved;
      break;
    case EndReason::kAtCapacity:
      audioStatus = kAudioStatusAtCapacity;
      closeCode = kCloseAtCapacity;
      break;
    case EndReason::kDropped:
    case EndReason::kTimedOut:
    case EndReason::kServerShutdown:
      closeCode = kCloseServerError;
      break;  // the client reconnects
    case EndReason::kReconnected:
      closeCode = kCloseNormal;  // the client has moved to its new socket already
      break;
    case EndReason::kProtocolError:
      closeCode = kClosePolicyViolation;
      break;
    case EndReason::kLeft:
      closeCode = kCloseNormal;
      break;
  }
  if (audioStatus) {
    proto::SdkSignalFrame frame;
    frame.set_type(Type::AUDIO_STATUS);
    frame.mutable_audio_status()->set_audio_status(*audioStatus);
    Send(frame);
  }
  CloseTransport(closeCode, ToString(reason));
  Finish(reason, false);
}

bool SignalingSession::RunAfter(int64_t delayUs, std::function<void()> task) const {
  if (!transport_.runAfter) return false;
  transport_.runAfter(delayUs, std::move(task));
  return true;
}

void SignalingSession::ArmSilenceTimer(int64_t delayUs) {
  std::weak_ptr<SignalingSession*> weak = self_;
  RunAfter(delayUs, [weak] {
    if (auto self = weak.lock()) (*self)->CheckSilence();
  });
}

void SignalingSession::CheckSilence() {
  if (Ended()) return;
  auto keepAlive = weak_from_this().lock();
  const int64_t silentUs = clock_.NowUs() - lastHeardUs_;
  if (silentUs < options_.silenceTimeoutUs) {
    ArmSilenceTimer(options_.silenceTimeoutUs - silentUs);
    return;
  }
  log::Info("signaling", "attendee {}: nothing received for {} s, closing", identity_.attendeeId,
            silentUs / 1'000'000);
  CloseTransport(kCloseServerError, "no ping");
  Finish(EndReason::kTimedOut, true);
}

void SignalingSession::CloseTransport(uint16_t code, std::string_view reason) {
  if (transportClosed_) return;
  transportClosed_ = true;
  if (transport_.close) transport_.close(code, std::string(reason.substr(0, kMaxCloseReason)));
}

void SignalingSession::Finish(EndReason reason, bool notifyListener) {
  if (Ended()) return;
  state_ = State::kEnded;
  endReason_ = reason;
  self_.reset();  // pending SUBSCRIBE completions become no-ops
  if (notifyListener && listener_) listener_->OnEnded(*this, reason);
}

}  // namespace medicall::signaling
