#include "signaling/MeetingSignaling.hpp"

#include <utility>

#include "common/Logger.hpp"
#include "signaling/FrameCodec.hpp"

namespace medicall::signaling {

namespace {

using EndReason = SignalingSession::EndReason;
using Type = proto::SdkSignalFrame;

// Late-joiner replay is split into frames of at most this many payloads.
constexpr int kReplayBatch = 64;

bool IsDropped(EndReason reason) {
  return reason == EndReason::kDropped || reason == EndReason::kProtocolError;
}

}  // namespace

MeetingSignaling::MeetingSignaling(std::string meetingId, Delegate& delegate, Options options,
                                   const Clock& clock)
    : meetingId_(std::move(meetingId)), delegate_(delegate), options_(std::move(options)), clock_(clock) {}

MeetingSignaling::MeetingSignaling(std::string meetingId, Delegate& delegate)
    : MeetingSignaling(std::move(meetingId), delegate, Options{}) {}

MeetingSignaling::~MeetingSignaling() {
  // The delegate may be (part of) the object being destroyed: close the sessions, tell no one.
  ended_ = true;
  for (auto& [id, attendee] : attendees_) attendee.session->End(EndReason::kMeetingEnded);
}

std::shared_ptr<SignalingSession> MeetingSignaling::Connect(SessionIdentity identity,
                                                            SignalingSession::Transport transport,
                                                            std::optional<TurnCredentials> turnCredentials) {
  SignalingSession::Options sessionOptions = options_.session;
  if (turnCredentials) sessionOptions.turnCredentials = std::move(turnCredentials);
  const std::string attendeeId = identity.attendeeId;
  auto session = std::make_shared<SignalingSession>(std::move(identity), std::move(transport),
                                                    static_cast<SignalingSession::Listener&>(*this),
                                                    std::move(sessionOptions), clock_);
  if (ended_) {
    session->End(EndReason::kMeetingEnded);
    return session;
  }

  std::vector<uint32_t> retired;
  if (auto it = attendees_.find(attendeeId); it != attendees_.end()) {
    Attendee old = std::move(it->second);
    attendees_.erase(it);
    log::Info("signaling", "meeting {}: attendee {} reconnected, replacing its session", meetingId_,
              attendeeId);
    old.session->End(EndReason::kReplaced);
    retired = std::move(old.retiredStreamIds);
    if (old.present) retired.push_back(old.audioStreamId);
    delegate_.OnAttendeeLeft(old.session->Identity(), EndReason::kReplaced);
  }
  Attendee& record = attendees_[attendeeId];
  record.session = session;
  record.retiredStreamIds = std::move(retired);
  return session;
}

// ---- SignalingSession::Listener ------------------------------------------------------------------

MeetingSignaling::Attendee* MeetingSignaling::Find(const SignalingSession& session) {
  auto it = attendees_.find(session.Identity().attendeeId);
  if (it == attendees_.end() || it->second.session.get() != &session) return nullptr;
  return &it->second;
}

std::optional<proto::SdkIndexFrame> MeetingSignaling::OnJoin(SignalingSession& session,
                                                             const proto::SdkJoinFrame& join) {
  Attendee* attendee = Find(session);
  if (!attendee) return std::nullopt;
  size_t joined = 0;
  for (const auto& [id, other] : attendees_) {
    if (other.session->Joined()) ++joined;
  }
  if (joined >= options_.maxAttendees) {
    log::Warn("signaling", "meeting {}: at capacity ({}), refusing attendee {}", meetingId_, joined,
              session.Identity().attendeeId);
    return std::nullopt;
  }
  attendee->audioStreamId = nextAudioStreamId_++;
  return delegate_.IndexFor(session.Identity());
}

void MeetingSignaling::OnJoined(SignalingSession& session) {
  PruneBuffer();
  proto::SdkSignalFrame frame;
  frame.set_type(Type::DATA_MESSAGE);
  auto* messages = frame.mutable_data_message();
  for (const auto& buffered : buffered_) {
    if (buffered.payload.sender_attendee_id() == session.Identity().attendeeId) continue;
    *messages->add_messages() = buffered.payload;
    if (messages->messages_size() == kReplayBatch) {
      session.Send(frame);
      messages->clear_messages();
    }
  }
  if (messages->messages_size() > 0) session.Send(frame);
}

void MeetingSignaling::OnSubscribe(SignalingSession& session, SubscribeRequest request,
                                   SignalingSession::SubscribeDone done) {
  delegate_.OnSubscribe(session.Identity(), std::move(request), std::move(done));
}

void MeetingSignaling::AddPresentEntry(proto::SdkAudioStreamIdInfoFrame& frame,
                                       const Attendee& attendee) const {
  auto* entry = frame.add_streams();
  entry->set_audio_stream_id(attendee.audioStreamId);
  entry->set_attendee_id(attendee.session->Identity().attendeeId);
  entry->set_external_user_id(attendee.session->Identity().externalUserId);
  entry->set_muted(attendee.session->Muted());
}

void MeetingSignaling::OnSubscribeAcked(SignalingSession& session, uint32_t sequence) {
  Attendee* attendee = Find(session);
  if (!attendee || attendee->present) return;
  attendee->present = true;
  log::Info("signaling", "meeting {}: attendee {} present with audio stream {}", meetingId_,
            session.Identity().attendeeId, attendee->audioStreamId);

  // Everyone already present learns about the newcomer (and about its retired stream ids, which
  // the client drops silently because the attendee now has a higher one).
  proto::SdkSignalFrame announce;
  announce.set_type(Type::AUDIO_STREAM_ID_INFO);
  AddPresentEntry(*announce.mutable_audio_stream_id_info(), *attendee);
  for (uint32_t retired : attendee->retiredStreamIds)
    announce.mutable_audio_stream_id_info()->add_streams()->set_audio_stream_id(retired);
  attendee->retiredStreamIds.clear();

  // The newcomer learns everyone present, itself included.
  proto::SdkSignalFrame roster;
  roster.set_type(Type::AUDIO_STREAM_ID_INFO);
  for (const auto& [id, other] : attendees_) {
    if (other.present) AddPresentEntry(*roster.mutable_audio_stream_id_info(), other);
  }
  BroadcastToPresent(announce, &session);
  session.Send(roster);
}

void MeetingSignaling::OnMuteChanged(SignalingSession& session, bool muted) {
  delegate_.OnMuteChanged(session.Identity(), muted);
  Attendee* attendee = Find(session);
  if (!attendee || !attendee->present) return;  // the presence entry will carry the state
  proto::SdkSignalFrame frame;
  frame.set_type(Type::AUDIO_STREAM_ID_INFO);
  auto* entry = frame.mutable_audio_stream_id_info()->add_streams();
  entry->set_audio_stream_id(attendee->audioStreamId);
  entry->set_muted(muted);
  BroadcastToPresent(frame, nullptr);
}

void MeetingSignaling::OnDataMessages(SignalingSession& session, const proto::SdkDataMessageFrame& messages) {
  proto::SdkSignalFrame frame;
  frame.set_type(Type::DATA_MESSAGE);
  *frame.mutable_data_message() = messages;
  const std::string bytes = FrameCodec::Encode(frame, clock_);
  for (const auto& other : Snapshot(false)) {
    if (other.get() != &session && other->Joined()) other->SendEncoded(bytes);
  }
  const int64_t now = clock_.NowUs();
  for (const auto& payload : messages.messages()) {
    if (payload.lifetime_ms() == 0 || options_.maxBufferedDataMessages == 0) continue;
    if (buffered_.size() >= options_.maxBufferedDataMessages) buffered_.pop_front();
    buffered_.push_back({now + static_cast<int64_t>(payload.lifetime_ms()) * 1000, payload});
  }
}

void MeetingSignaling::OnEnded(SignalingSession& session, EndReason reason) {
  if (!Find(session)) return;
  Retire(session.Identity().attendeeId, reason);
}

void MeetingSignaling::OnPauseResume(SignalingSession& session, bool pause,
                                     const proto::SdkPauseResumeFrame& frame) {
  delegate_.OnPauseResume(session.Identity(), pause, frame);
}

void MeetingSignaling::OnRemoteVideoUpdate(SignalingSession& session,
                                           const proto::SdkRemoteVideoUpdateFrame& frame) {
  delegate_.OnRemoteVideoUpdate(session.Identity(), frame);
}

// ---- meeting-level events -------------------------------------------------------------------------

void MeetingSignaling::Retire(const std::string& attendeeId, EndReason reason) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return;
  Attendee attendee = std::move(it->second);
  attendees_.erase(it);
  log::Info("signaling", "meeting {}: attendee {} gone ({})", meetingId_, attendeeId,
            SignalingSession::ToString(reason));

  proto::SdkSignalFrame frame;
  frame.set_type(Type::AUDIO_STREAM_ID_INFO);
  auto* info = frame.mutable_audio_stream_id_info();
  if (attendee.present) {
    auto* entry = info->add_streams();
    entry->set_audio_stream_id(attendee.audioStreamId);
    if (IsDropped(reason)) entry->set_dropped(true);
  }
  for (uint32_t retired : attendee.retiredStreamIds) {
    auto* entry = info->add_streams();
    entry->set_audio_stream_id(retired);
    if (IsDropped(reason)) entry->set_dropped(true);
  }
  if (info->streams_size() > 0) BroadcastToPresent(frame, nullptr);
  delegate_.OnAttendeeLeft(attendee.session->Identity(), reason);
}

void MeetingSignaling::DropAttendee(const std::string& attendeeId) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return;
  auto session = it->second.session;
  session->End(EndReason::kDropped);
  Retire(attendeeId, EndReason::kDropped);
}

void MeetingSignaling::RemoveAttendee(const std::string& attendeeId) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return;
  auto session = it->second.session;
  session->End(EndReason::kAttendeeRemoved);
  Retire(attendeeId, EndReason::kAttendeeRemoved);
}

void MeetingSignaling::EndMeeting() {
  if (ended_) return;
  ended_ = true;
  buffered_.clear();
  auto attendees = std::move(attendees_);
  attendees_.clear();
  for (auto& [id, attendee] : attendees) attendee.session->End(EndReason::kMeetingEnded);
  for (auto& [id, attendee] : attendees)
    delegate_.OnAttendeeLeft(attendee.session->Identity(), EndReason::kMeetingEnded);
  log::Info("signaling", "meeting {} ended, {} sessions closed", meetingId_, attendees.size());
}

void MeetingSignaling::PublishIndex() {
  for (const auto& session : Snapshot(false)) {
    if (session->Joined()) session->SendIndex(delegate_.IndexFor(session->Identity()));
  }
}

void MeetingSignaling::BroadcastAudioMetadata(const proto::SdkAudioMetadataFrame& metadata) {
  proto::SdkSignalFrame frame;
  frame.set_type(Type::AUDIO_METADATA);
  *frame.mutable_audio_metadata() = metadata;
  BroadcastToPresent(frame, nullptr);
}

// ---- helpers --------------------------------------------------------------------------------------

std::vector<std::shared_ptr<SignalingSession>> MeetingSignaling::Snapshot(bool presentOnly) const {
  std::vector<std::shared_ptr<SignalingSession>> out;
  out.reserve(attendees_.size());
  for (const auto& [id, attendee] : attendees_) {
    if (!presentOnly || attendee.present) out.push_back(attendee.session);
  }
  return out;
}

void MeetingSignaling::BroadcastToPresent(proto::SdkSignalFrame& frame, const SignalingSession* except) {
  const std::string bytes = FrameCodec::Encode(frame, clock_);
  // A snapshot: a send may fail synchronously, close a transport and end a session under us.
  for (const auto& session : Snapshot(true)) {
    if (session.get() != except) session->SendEncoded(bytes);
  }
}

void MeetingSignaling::PruneBuffer() {
  const int64_t now = clock_.NowUs();
  std::erase_if(buffered_, [now](const BufferedMessage& m) { return m.expiresUs <= now; });
}

size_t MeetingSignaling::PresentCount() const {
  size_t n = 0;
  for (const auto& [id, attendee] : attendees_) n += attendee.present ? 1 : 0;
  return n;
}

bool MeetingSignaling::IsPresent(const std::string& attendeeId) const {
  auto it = attendees_.find(attendeeId);
  return it != attendees_.end() && it->second.present;
}

std::optional<uint32_t> MeetingSignaling::AudioStreamIdOf(const std::string& attendeeId) const {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || it->second.audioStreamId == 0) return std::nullopt;
  return it->second.audioStreamId;
}

std::shared_ptr<SignalingSession> MeetingSignaling::SessionOf(const std::string& attendeeId) const {
  auto it = attendees_.find(attendeeId);
  return it == attendees_.end() ? nullptr : it->second.session;
}

}  // namespace medicall::signaling
