#pragma once
// The signaling side of one meeting: its attendees' SignalingSessions (one joined session per
// attendee), presence, data-message fan-out and the end of the meeting. Media (offer/answer, INDEX
// contents) is asked through the Delegate.
//
// Reconnection (chime-protocol-2.md section 2). A new WebSocket of an attendee changes nothing
// until its JOIN, whose audio_session_id (one per SDK signaling client, kept across reconnects)
// decides:
//   same id as the attendee's session  -> a reconnect: the old session is closed quietly (1000)
//   another id                         -> another device: AUDIO_STATUS 301 to the old session
// Either way the old session's media is released (Delegate::OnAttendeeLeft kReplaced) and the new
// session gets a higher audio stream id, JOIN_ACK, a full INDEX, the data messages still within
// their lifetime and, at its SUBSCRIBE_ACK, a full roster snapshot as its first AUDIO_STREAM_ID_INFO.
//
// A session that dies without LEAVE does not leave at once: the SDK closes its old socket (and its
// peer connection) itself just before it reconnects. The attendee lingers, still present to the
// others, until it is really dead:
//   socket closed (not 1001)     -> until 25 s after the last message it sent (its pings stopped)
//   media lost (DropAttendee)    -> the session is closed with 4500 (the client reconnects), and the
//                                   attendee lingers for mediaDropGraceUs more (at most)
//   nothing received for 25 s, or socket closed with 1001 (page gone) -> dropped now
// A JOIN while it lingers makes no flap; otherwise the others see {audio_stream_id, dropped}.
//
// Presence (chime-protocol.md section 4) is AUDIO_STREAM_ID_INFO only. An attendee becomes present
// when its first SUBSCRIBE_ACK has gone out (the client subscribes to presence only then, and waits
// for its own entry before audioVideoDidStart):
//   everyone present     <- {audio_stream_id, attendee_id, external_user_id, muted}
//   the newcomer         <- one such entry for everyone present, itself included
//   mute change          -> {audio_stream_id, muted} to everyone present
//   LEAVE                -> {audio_stream_id}; transport lost or dropped -> {audio_stream_id, dropped}
// Audio stream ids grow with every join, so a reconnecting attendee gets a higher id; the id of a
// replaced session is retired (announced as gone) right after its successor's presence, which
// the client turns into no absence at all.
//
// Threading: like SignalingSession, everything runs on one thread.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/AliveToken.hpp"
#include "common/Clock.hpp"
#include "signaling/SessionTypes.hpp"
#include "signaling/SignalingProtocol.pb.h"
#include "signaling/SignalingSession.hpp"

namespace medicall::signaling {

class MeetingSignaling final : private SignalingSession::Listener {
 public:
  // The media and meeting layers, as seen from signaling.
  class Delegate {
   public:
    virtual ~Delegate() = default;
    // The INDEX `attendee` should see now: the other attendees' video sources.
    virtual proto::SdkIndexFrame IndexFor(const SessionIdentity& attendee) = 0;
    // Offer/answer for `attendee`; call `done` once, on the signaling thread.
    virtual void OnSubscribe(const SessionIdentity& attendee, SubscribeRequest request,
                             SignalingSession::SubscribeDone done) = 0;
    // The attendee's session is over (left, dropped, replaced, removed, meeting ended): release
    // its media. For kReplaced a new session of the same attendee follows.
    virtual void OnAttendeeLeft(const SessionIdentity& attendee, SignalingSession::EndReason reason) {}
    virtual void OnPauseResume(const SessionIdentity& attendee, bool pause,
                               const proto::SdkPauseResumeFrame& frame) {}
    virtual void OnRemoteVideoUpdate(const SessionIdentity& attendee,
                                     const proto::SdkRemoteVideoUpdateFrame& frame) {}
    // AUDIO_CONTROL changed the attendee's mute state (the mixer stops mixing a muted attendee).
    virtual void OnMuteChanged(const SessionIdentity& attendee, bool muted) {}
    // A content-share attendee ("<id>#content", ContentShare.hpp) joined; `periodicKeyframes`
    // unless its JOIN disabled them. It ends like any attendee (OnAttendeeLeft).
    virtual void OnContentShareJoined(const SessionIdentity& content, bool periodicKeyframes) {}
    // CLIENT_METRIC (about 1 Hz) from a joined attendee, unchecked: the call-quality layer validates it.
    virtual void OnClientMetric(const SessionIdentity& attendee, const proto::SdkClientMetricFrame& frame) {}
  };

  struct Options {
    SignalingSession::Options session;      // per-session defaults (TURN credentials come with Connect)
    size_t maxAttendees = 250;              // joined sessions; the next JOIN gets AUDIO_STATUS 409
    size_t maxBufferedDataMessages = 1024;  // kept for late joiners while their lifetime_ms runs
    // After media loss, how long the attendee stays present waiting for its client to reconnect
    // (the SDK closes its peer connection before it reconnects, which the media reports as a loss).
    int64_t mediaDropGraceUs = 5'000'000;
  };

  MeetingSignaling(std::string meetingId, Delegate& delegate);
  MeetingSignaling(std::string meetingId, Delegate& delegate, Options options,
                   const Clock& clock = Clock::System());
  // Closes the sessions still connected as Drain does (4500: the meeting itself is not over),
  // without calling the delegate, which may be the object that owns this one.
  ~MeetingSignaling() override;
  MeetingSignaling(const MeetingSignaling&) = delete;
  MeetingSignaling& operator=(const MeetingSignaling&) = delete;

  // A WebSocket authenticated as `identity` opened. Feed its messages and close to the returned
  // session (OnBinaryMessage, OnTextMessage, OnTransportClosed). An older session of the same
  // attendee is replaced at the new one's JOIN (see above). After EndMeeting the session is ended
  // at once (4410), after Drain with 4500.
  std::shared_ptr<SignalingSession> Connect(SessionIdentity identity, SignalingSession::Transport transport,
                                            std::optional<TurnCredentials> turnCredentials = std::nullopt);

  // Media published or unpublished a stream, or a person arrived or left (num_participants): every
  // joined session but `except` gets a fresh INDEX.
  void PublishIndex(const SignalingSession* except = nullptr);
  // Volume and signal strength from the mixer, to every present attendee.
  void BroadcastAudioMetadata(const proto::SdkAudioMetadataFrame& metadata);
  // BITRATES (type 13) to one joined attendee: per-stream averages and the bandwidth toward it
  // (chime-protocol-2.md section 3.5).
  void SendBitrates(const std::string& attendeeId, const proto::SdkBitrateFrame& bitrates);
  // Media lost the attendee (ICE consent, DTLS): its session is closed with 4500 so the client
  // reconnects; it lingers for mediaDropGraceUs, then presence dropped. Ignored while the session
  // has had no SUBSCRIBE_ACK (the loss is its predecessor's media).
  void DropAttendee(const std::string& attendeeId);
  // Retires attendees whose linger time is over (timers do this; for callers without them).
  void Sweep();
  // Server drain or restart: every session closed with 4500, so the clients reconnect (to this
  // server once it is back, the meeting being stored); the delegate is not told. Later Connects
  // are closed with 4500 too.
  void Drain();
  // DeleteAttendee: AUDIO_STATUS 411, close 4411, presence left; its content share ends too.
  // A DATA_MESSAGE the server itself sends (host controls) to every joined session; buffered for
  // late joiners like the attendees' own while its lifetime_ms runs.
  void SendServerDataMessage(const proto::SdkDataMessagePayload& payload);
  // DeleteAttendee: AUDIO_STATUS 411, close 4411, presence left.
  void RemoveAttendee(const std::string& attendeeId);
  // DeleteMeeting or expiry: AUDIO_STATUS 410 and close 4410 for everyone; later Connects too.
  void EndMeeting();

  const std::string& MeetingId() const { return meetingId_; }
  bool Ended() const { return ended_; }
  // Attendees with a session (joined, lingering or still before JOIN).
  size_t ConnectedCount() const;
  size_t PresentCount() const;
  // Present people: content shares ("<id>#content") are not counted (INDEX num_participants).
  size_t PresentPeopleCount() const;
  bool IsPresent(const std::string& attendeeId) const;
  std::optional<uint32_t> AudioStreamIdOf(const std::string& attendeeId) const;
  std::shared_ptr<SignalingSession> SessionOf(const std::string& attendeeId) const;

 private:
  // One joined attendee.
  struct Attendee {
    std::shared_ptr<SignalingSession> session;
    uint32_t audioStreamId = 0;
    bool present = false;
    std::vector<uint32_t> retiredStreamIds;  // of replaced sessions, announced gone after presence
    int64_t lingerUntilUs = 0;               // session ended without LEAVE: dropped at this time
  };
  struct BufferedMessage {
    int64_t expiresUs;  // monotonic
    proto::SdkDataMessagePayload payload;
  };

  // SignalingSession::Listener
  std::optional<proto::SdkIndexFrame> OnJoin(SignalingSession& session,
                                             const proto::SdkJoinFrame& join) override;
  void OnJoined(SignalingSession& session) override;
  void OnSubscribe(SignalingSession& session, SubscribeRequest request,
                   SignalingSession::SubscribeDone done) override;
  void OnSubscribeAcked(SignalingSession& session, uint32_t sequence) override;
  void OnMuteChanged(SignalingSession& session, bool muted) override;
  void OnDataMessages(SignalingSession& session, const proto::SdkDataMessageFrame& frame) override;
  void OnEnded(SignalingSession& session, SignalingSession::EndReason reason) override;
  void OnPauseResume(SignalingSession& session, bool pause, const proto::SdkPauseResumeFrame& frame) override;
  void OnRemoteVideoUpdate(SignalingSession& session, const proto::SdkRemoteVideoUpdateFrame& frame) override;
  void OnClientMetric(SignalingSession& session, const proto::SdkClientMetricFrame& frame) override;

  Attendee* Find(const SignalingSession& session);
  bool IsConnecting(const SignalingSession& session) const;
  void ForgetConnecting(const SignalingSession& session);
  // Ends the attendee's record because `session` joined, as a reconnect or from another device.
  std::vector<uint32_t> Supersede(Attendee& old, const SignalingSession& session);
  // Keeps a dead session's attendee present until `untilUs`, then retires it as dropped.
  void Linger(const std::string& attendeeId, int64_t untilUs);
  void CheckLinger(const std::string& attendeeId, const SignalingSession* session);
  // Removes the attendee's record, announces its absence and tells the delegate.
  void Retire(const std::string& attendeeId, SignalingSession::EndReason reason);
  void AddPresentEntry(proto::SdkAudioStreamIdInfoFrame& frame, const Attendee& attendee) const;
  // Content share (ContentShare.hpp): the slot check at JOIN, and the end of an attendee's content
  // session once the attendee itself is gone (AUDIO_STATUS 411 to it, presence left to the others).
  bool ContentSlotFree(const std::string& contentId) const;
  void EndContentOf(const std::string& baseAttendeeId);
  // Encodes once, sends to every present attendee except `except`.
  void BroadcastToPresent(proto::SdkSignalFrame& frame, const SignalingSession* except);
  std::vector<std::shared_ptr<SignalingSession>> Snapshot(bool presentOnly) const;
  void PruneBuffer();
  void FanOutDataMessages(const proto::SdkDataMessageFrame& messages, const SignalingSession* except);

  std::string meetingId_;
  Delegate& delegate_;
  Options options_;
  const Clock& clock_;
  bool ended_ = false;
  bool draining_ = false;
  uint32_t nextAudioStreamId_ = 1;
  size_t indexedPeople_ = 0;                   // num_participants of the last INDEX sent to everyone
  std::map<std::string, Attendee> attendees_;  // joined, by attendee id
  std::vector<std::shared_ptr<SignalingSession>> connecting_;  // before their JOIN
  std::deque<BufferedMessage> buffered_;
  AliveToken alive_;  // last: linger timers check it
};

}  // namespace medicall::signaling
