#include "signaling/MeetingSignaling.hpp"

#include <algorithm>
#include <utility>

#include "common/Logger.hpp"
#include "signaling/ContentShare.hpp"
#include "signaling/FrameCodec.hpp"
#include "signaling/SignalingStatus.hpp"

namespace medicall::signaling {

namespace {

using EndReason = SignalingSession::EndReason;
using Type = proto::SdkSignalFrame;

// Late-joiner replay is split into frames of at most this many payloads.
constexpr int kReplayBatch = 64;

bool IsDropped(EndReason reason) {
  return reason == EndReason::kDropped || reason == EndReason::kProtocolError ||
         reason == EndReason::kTimedOut;
}

}  // namespace

MeetingSignaling::MeetingSignaling(std::string meetingId, Delegate& delegate, Options options,
                                   const Clock& clock)
    : meetingId_(std::move(meetingId)), delegate_(delegate), options_(std::move(options)), clock_(clock) {}

MeetingSignaling::MeetingSignaling(std::string meetingId, Delegate& delegate)
    : MeetingSignaling(std::move(meetingId), delegate, Options{}) {}

MeetingSignaling::~MeetingSignaling() {
  // The delegate may be (part of) the object being destroyed: close the sessions, tell no one.
  alive_.Kill();
  Drain();
}

std::shared_ptr<SignalingSession> MeetingSignaling::Connect(SessionIdentity identity,
                                                            SignalingSession::Transport transport,
                                                            std::optional<TurnCredentials> turnCredentials) {
  SignalingSession::Options sessionOptions = options_.session;
  if (turnCredentials) sessionOptions.turnCredentials = std::move(turnCredentials);
  auto session = std::make_shared<SignalingSession>(std::move(identity), std::move(transport),
                                                    static_cast<SignalingSession::Listener&>(*this),
                                                    std::move(sessionOptions), clock_);
  if (draining_) {
    session->End(EndReason::kServerShutdown);
    return session;
  }
  if (ended_) {
    session->End(EndReason::kMeetingEnded);
    return session;
  }
  Sweep();
  // Nothing happens to an older session of the attendee until this one's JOIN.
  connecting_.push_back(session);
  return session;
}

// ---- SignalingSession::Listener ------------------------------------------------------------------

MeetingSignaling::Attendee* MeetingSignaling::Find(const SignalingSession& session) {
  auto it = attendees_.find(session.Identity().attendeeId);
  if (it == attendees_.end() || it->second.session.get() != &session) return nullptr;
  return &it->second;
}

bool MeetingSignaling::IsConnecting(const SignalingSession& session) const {
  return std::any_of(connecting_.begin(), connecting_.end(),
                     [&session](const auto& s) { return s.get() == &session; });
}

void MeetingSignaling::ForgetConnecting(const SignalingSession& session) {
  std::erase_if(connecting_, [&session](const auto& s) { return s.get() == &session; });
}

std::optional<proto::SdkIndexFrame> MeetingSignaling::OnJoin(SignalingSession& session,
                                                             const proto::SdkJoinFrame& join) {
  if (!IsConnecting(session)) return std::nullopt;
  Sweep();
  const std::string& attendeeId = session.Identity().attendeeId;
  size_t joined = 0;  // seats taken by others (a returning attendee keeps its own)
  for (const auto& [id, other] : attendees_) {
    if (id != attendeeId) ++joined;
  }
  if (joined >= options_.maxAttendees) {
    log::Warn("signaling", "meeting {}: at capacity ({}), refusing attendee {}", meetingId_, joined,
              attendeeId);
    return std::nullopt;  // the session ends (409) and OnEnded forgets it
  }
  if (ContentShare::IsContent(attendeeId) && !ContentSlotFree(attendeeId)) {
    log::Warn("signaling", "meeting {}: {} content shares already, refusing {}", meetingId_,
              ContentShare::kMaxConcurrentShares, attendeeId);
    return std::nullopt;  // 409 as above: the SDK's content client stops (contentShareDidStop)
  }
  auto keep = session.shared_from_this();
  ForgetConnecting(session);
  std::vector<uint32_t> retired;
  if (auto it = attendees_.find(attendeeId); it != attendees_.end()) {
    Attendee old = std::move(it->second);
    attendees_.erase(it);
    retired = Supersede(old, session);
  }
  Attendee& record = attendees_[attendeeId];
  record.session = std::move(keep);
  record.audioStreamId = nextAudioStreamId_++;
  record.retiredStreamIds = std::move(retired);
  if (ContentShare::IsContent(attendeeId))
    delegate_.OnContentShareJoined(session.Identity(), ContentShare::WantsPeriodicKeyframes(join));
  return delegate_.IndexFor(session.Identity());
}

std::vector<uint32_t> MeetingSignaling::Supersede(Attendee& old, const SignalingSession& session) {
  const bool sameClient = old.session->AudioSessionId() == session.AudioSessionId();
  log::Info("signaling", "meeting {}: attendee {} {}", meetingId_, session.Identity().attendeeId,
            sameClient ? "reconnected" : "joined from another device, replacing its session");
  // Ended already when it lingers; otherwise 301 to another device, a quiet close to the same one.
  old.session->End(sameClient ? EndReason::kReconnected : EndReason::kReplaced);
  std::vector<uint32_t> retired = std::move(old.retiredStreamIds);
  if (old.present) retired.push_back(old.audioStreamId);
  delegate_.OnAttendeeLeft(old.session->Identity(), EndReason::kReplaced);
  return retired;
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
  // INDEX carries num_participants, and the SDK's simulcast uplink policy follows it (two people: one
  // full layer; three or more: low and high): everyone else gets a fresh INDEX when a person arrives.
  if (PresentPeopleCount() != indexedPeople_) PublishIndex(&session);
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
  FanOutDataMessages(messages, &session);
}

void MeetingSignaling::SendServerDataMessage(const proto::SdkDataMessagePayload& payload) {
  if (ended_) return;
  proto::SdkDataMessageFrame messages;
  *messages.add_messages() = payload;
  FanOutDataMessages(messages, nullptr);
}

void MeetingSignaling::FanOutDataMessages(const proto::SdkDataMessageFrame& messages,
                                          const SignalingSession* except) {
  proto::SdkSignalFrame frame;
  frame.set_type(Type::DATA_MESSAGE);
  *frame.mutable_data_message() = messages;
  const std::string bytes = FrameCodec::Encode(frame, clock_);
  for (const auto& other : Snapshot(false)) {
    if (other.get() != except && other->Joined()) other->SendEncoded(bytes);
  }
  const int64_t now = clock_.NowUs();
  for (const auto& payload : messages.messages()) {
    if (payload.lifetime_ms() == 0 || options_.maxBufferedDataMessages == 0) continue;
    if (buffered_.size() >= options_.maxBufferedDataMessages) buffered_.pop_front();
    buffered_.push_back({now + static_cast<int64_t>(payload.lifetime_ms()) * 1000, payload});
  }
}

void MeetingSignaling::OnEnded(SignalingSession& session, EndReason reason) {
  const std::string& attendeeId = session.Identity().attendeeId;
  if (IsConnecting(session)) {
    auto keep = session.shared_from_this();
    ForgetConnecting(session);
    // Never joined. With no other session of the attendee, its connection is over.
    if (attendees_.count(attendeeId) == 0) delegate_.OnAttendeeLeft(session.Identity(), reason);
    return;
  }
  if (!Find(session)) return;
  const int64_t silenceUs = session.GetOptions().silenceTimeoutUs;
  if (reason == EndReason::kDropped && session.PeerCloseCode() != kCloseGoingAway && silenceUs > 0) {
    // Maybe a reconnect (the SDK closes its old socket first): dead once its pings would be late.
    Linger(attendeeId, session.LastHeardUs() + silenceUs);
    return;
  }
  Retire(attendeeId, reason);
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
  EndContentOf(attendeeId);
  if (PresentPeopleCount() != indexedPeople_) PublishIndex();  // num_participants changed
}

void MeetingSignaling::Linger(const std::string& attendeeId, int64_t untilUs) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return;
  Attendee& attendee = it->second;
  const int64_t now = clock_.NowUs();
  if (untilUs <= now) {
    Retire(attendeeId, EndReason::kDropped);
    return;
  }
  log::Info("signaling", "meeting {}: attendee {} lost, waiting {} ms for it to reconnect", meetingId_,
            attendeeId, (untilUs - now) / 1000);
  attendee.lingerUntilUs = untilUs;
  std::weak_ptr<SignalingSession> weak = attendee.session;
  attendee.session->RunAfter(untilUs - now, [this, watch = alive_.Observe(), attendeeId, weak] {
    if (!watch.Alive()) return;
    if (auto session = weak.lock()) CheckLinger(attendeeId, session.get());
  });
}

void MeetingSignaling::CheckLinger(const std::string& attendeeId, const SignalingSession* session) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || it->second.session.get() != session || it->second.lingerUntilUs == 0) return;
  const int64_t wait = it->second.lingerUntilUs - clock_.NowUs();
  if (wait > 0) {
    // Early (a timer never fires late here, but may fire early): look again when it is due.
    Linger(attendeeId, it->second.lingerUntilUs);
    return;
  }
  Retire(attendeeId, EndReason::kDropped);
}

void MeetingSignaling::Sweep() {
  const int64_t now = clock_.NowUs();
  std::vector<std::string> due;
  for (const auto& [id, attendee] : attendees_) {
    if (attendee.lingerUntilUs != 0 && attendee.lingerUntilUs <= now) due.push_back(id);
  }
  for (const auto& id : due) Retire(id, EndReason::kDropped);
}

void MeetingSignaling::DropAttendee(const std::string& attendeeId) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) return;
  Attendee& attendee = it->second;
  if (attendee.lingerUntilUs != 0) {
    // Its socket closed and now its media did too: as the SDK does just before it reconnects (or
    // a dead network, reported after the consent timeout). A short grace either way.
    Linger(attendeeId, std::min(attendee.lingerUntilUs, clock_.NowUs() + options_.mediaDropGraceUs));
    return;
  }
  if (attendee.session->AckedSubscribeCount() == 0) {
    // No answer yet, so no transport of its own: the loss is of the session it replaced.
    log::Debug("signaling", "meeting {}: media loss of {}'s previous session ignored", meetingId_,
               attendeeId);
    return;
  }
  auto session = attendee.session;
  session->End(EndReason::kDropped);  // 4500: the client reconnects
  Linger(attendeeId, clock_.NowUs() + options_.mediaDropGraceUs);
}

void MeetingSignaling::RemoveAttendee(const std::string& attendeeId) {
  EndContentOf(attendeeId);
  std::vector<std::shared_ptr<SignalingSession>> theirs;
  for (const auto& s : connecting_) {
    if (s->Identity().attendeeId == attendeeId) theirs.push_back(s);
  }
  for (const auto& s : theirs) {
    ForgetConnecting(*s);
    s->End(EndReason::kAttendeeRemoved);
  }
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end()) {
    if (!theirs.empty()) delegate_.OnAttendeeLeft(theirs.front()->Identity(), EndReason::kAttendeeRemoved);
    return;
  }
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
  auto connecting = std::move(connecting_);
  connecting_.clear();
  for (auto& [id, attendee] : attendees) attendee.session->End(EndReason::kMeetingEnded);
  for (auto& session : connecting) session->End(EndReason::kMeetingEnded);
  std::vector<SessionIdentity> gone;
  for (auto& [id, attendee] : attendees) gone.push_back(attendee.session->Identity());
  for (auto& session : connecting) {
    const auto& identity = session->Identity();
    if (std::none_of(gone.begin(), gone.end(),
                     [&identity](const SessionIdentity& g) { return g.attendeeId == identity.attendeeId; }))
      gone.push_back(identity);
  }
  for (const auto& identity : gone) delegate_.OnAttendeeLeft(identity, EndReason::kMeetingEnded);
  log::Info("signaling", "meeting {} ended, {} attendees closed", meetingId_, gone.size());
}

void MeetingSignaling::Drain() {
  draining_ = true;
  auto attendees = std::move(attendees_);
  attendees_.clear();
  auto connecting = std::move(connecting_);
  connecting_.clear();
  for (auto& [id, attendee] : attendees) attendee.session->End(EndReason::kServerShutdown);
  for (auto& session : connecting) session->End(EndReason::kServerShutdown);
}

void MeetingSignaling::PublishIndex(const SignalingSession* except) {
  indexedPeople_ = PresentPeopleCount();
  for (const auto& session : Snapshot(false)) {
    if (session.get() != except && session->Joined())
      session->SendIndex(delegate_.IndexFor(session->Identity()));
  }
}

void MeetingSignaling::BroadcastAudioMetadata(const proto::SdkAudioMetadataFrame& metadata) {
  proto::SdkSignalFrame frame;
  frame.set_type(Type::AUDIO_METADATA);
  *frame.mutable_audio_metadata() = metadata;
  BroadcastToPresent(frame, nullptr);
}

// ---- content share --------------------------------------------------------------------------------

bool MeetingSignaling::ContentSlotFree(const std::string& contentId) const {
  std::vector<std::string> joined;
  joined.reserve(attendees_.size());
  for (const auto& [id, attendee] : attendees_) joined.push_back(id);
  return ContentShare::HasSlot(contentId, joined);
}

size_t MeetingSignaling::PresentPeopleCount() const {
  size_t n = 0;
  for (const auto& [id, attendee] : attendees_) n += attendee.present && !ContentShare::IsContent(id) ? 1 : 0;
  return n;
}

void MeetingSignaling::EndContentOf(const std::string& baseAttendeeId) {
  if (ContentShare::IsContent(baseAttendeeId)) return;
  const std::string contentId = ContentShare::ContentIdOf(baseAttendeeId);
  const bool connecting = std::any_of(connecting_.begin(), connecting_.end(), [&contentId](const auto& s) {
    return s->Identity().attendeeId == contentId;
  });
  if (!connecting && attendees_.count(contentId) == 0) return;
  log::Info("signaling", "meeting {}: {} is gone, so is its content share", meetingId_, baseAttendeeId);
  RemoveAttendee(contentId);
}

void MeetingSignaling::SendBitrates(const std::string& attendeeId, const proto::SdkBitrateFrame& bitrates) {
  auto it = attendees_.find(attendeeId);
  if (it == attendees_.end() || !it->second.session->Joined()) return;
  proto::SdkSignalFrame frame;
  frame.set_type(Type::BITRATES);
  *frame.mutable_bitrates() = bitrates;
  it->second.session->Send(frame);
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

size_t MeetingSignaling::ConnectedCount() const {
  size_t n = attendees_.size();
  for (size_t i = 0; i < connecting_.size(); ++i) {
    const std::string& id = connecting_[i]->Identity().attendeeId;
    if (attendees_.count(id) != 0) continue;
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = connecting_[j]->Identity().attendeeId == id;
    if (!seen) ++n;
  }
  return n;
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

// Call quality: only the attendee's current session reports (a replaced one may still send a frame).
void MeetingSignaling::OnClientMetric(SignalingSession& session, const proto::SdkClientMetricFrame& frame) {
  if (Find(session) != nullptr) delegate_.OnClientMetric(session.Identity(), frame);
}

}  // namespace medicall::signaling
