#pragma once
// One attendee's Chime signaling session: the server side of amazon-chime-sdk-js's
// DefaultSignalingClient. Transport-agnostic (bytes in through OnBinaryMessage, bytes out through
// Transport::sendBinary) and media-agnostic (SUBSCRIBE goes to the Listener, which answers later).
//
//   AwaitingJoin --JOIN--> Joined --LEAVE--> Ended(kLeft)
//        |                   |---transport closed---> Ended(kDropped)
//        |                   |---nothing heard for silenceTimeoutUs---> close 4500, Ended(kTimedOut)
//        |                   '---End(reason)--------> Ended(reason)   (meeting ended, removed, ...)
//        '--SUBSCRIBE----------> error frame 400 + close 1008 (the SDK never does that)
//
// Liveness: the SDK pings every 10 s from the moment the socket opens (before JOIN too), so a
// session that has sent nothing for silenceTimeoutUs (25 s) is dead although its TCP connection
// may not know yet: it is closed with 4500 (a client that is still there reconnects).
//
// Before JOIN, PING is answered, AUDIO_CONTROL remembered, and DATA_MESSAGE, PAUSE/RESUME and
// REMOTE_VIDEO_UPDATE are dropped: the SDK may send them as soon as the socket is open.
// Joined: SUBSCRIBE -> Listener::OnSubscribe -> SUBSCRIBE_ACK (each re-SUBSCRIBE renegotiates),
// PING -> PONG, AUDIO_CONTROL -> mute, DATA_MESSAGE -> validated, rate-limited, stamped with this
// session's identity.
//
// Per-session limits, one token bucket per frame type, each chosen so that the SDK never meets it
// and a flood costs the server no more than the limit:
// - SUBSCRIBE: one at a time reaches the listener (the media worker parses the SDP). A SUBSCRIBE
//   that arrives while one is in flight waits; a newer one replaces it (superseded SUBSCRIBEs never
//   run and get no answer; the SDK sends one and waits for its SUBSCRIBE_ACK, so it never has two
//   outstanding). Over the rate, the waiting SUBSCRIBE runs when the bucket refills: the answer
//   comes late, never as an error.
// - AUDIO_CONTROL: the session's mute state follows every frame (presence entries carry it), but
//   the listener hears about changes at the rate; a burst of toggles collapses into its final
//   state, told when the bucket refills. The last state always arrives (a mute is never lost).
// - DATA_MESSAGE: per message; over the rate a message is echoed to the sender with
//   ingest_time_ns = 0, which the SDK reports as "throttled" (chime-protocol-2.md).
// - PING, PAUSE/RESUME, REMOTE_VIDEO_UPDATE, CLIENT_METRIC and the other types: per type, over the
//   rate the frame is dropped and counted (the SDK pings every 10 s).
// Deferred work runs through Transport::runAfter (the session's thread); without it, at the next
// frame received.
//
// Threading: not thread-safe. Every call, including the SUBSCRIBE completion callback, must come
// from the one thread (io_context strand) that owns the session.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/Clock.hpp"
#include "signaling/FrameCodec.hpp"
#include "signaling/SessionTypes.hpp"
#include "signaling/SignalingProtocol.pb.h"
#include "signaling/TokenBucket.hpp"

namespace medicall::signaling {

class SignalingSession : public std::enable_shared_from_this<SignalingSession> {
 public:
  enum class State { kAwaitingJoin, kJoined, kEnded };

  enum class EndReason {
    kLeft,             // LEAVE received (LEAVE_ACK sent)
    kDropped,          // transport gone without LEAVE, or media consent lost
    kProtocolError,    // the client broke the protocol (error frame / close sent)
    kReplaced,         // the attendee joined from another device (AUDIO_STATUS 301, close 4301)
    kReconnected,      // the same client reconnected (same audio_session_id): closed quietly
    kTimedOut,         // nothing received for silenceTimeoutUs (close 4500)
    kServerShutdown,   // the server drains or restarts: close 4500, the client reconnects
    kMeetingEnded,     // AUDIO_STATUS 410, close 4410
    kAttendeeRemoved,  // AUDIO_STATUS 411, close 4411
    kAtCapacity,       // AUDIO_STATUS 409, close 4409
  };

  // What the session needs from its WebSocket (e.g. net::WebSocketConnection::Send/Close) and from
  // the thread it runs on (a timer: run `task` on the session's thread after `delayUs`).
  struct Transport {
    std::function<void(std::string bytes)> sendBinary;
    std::function<void(uint16_t code, std::string reason)> close;
    std::function<void(int64_t delayUs, std::function<void()> task)> runAfter;
  };

  // A token bucket's refill rate and size.
  struct RateLimit {
    double perSecond;
    double burst;
  };

  struct Options {
    uint32_t videoSubscriptionLimit = 25;
    std::optional<TurnCredentials> turnCredentials;  // none: the client uses no ICE servers
    double dataMessagesPerSecond = 50;               // per-attendee DATA_MESSAGE rate...
    double dataMessageBurst = 100;                   // ...and burst
    // SUBSCRIBEs run (SDP parses on the media worker); the SDK sends a few per minute, bursts of a
    // few when attendees join together.
    RateLimit subscribes{5, 10};
    // Mute changes told to the meeting (each one is a frame to every attendee).
    RateLimit muteChanges{5, 10};
    // Every other frame type, each with its own bucket of this size.
    RateLimit otherFrames{20, 50};
    // Nothing received for this long (the SDK pings every 10 s): the session is dead. 0 = never.
    // Needs Transport::runAfter.
    int64_t silenceTimeoutUs = 25'000'000;
  };

  using SubscribeDone = std::function<void(SubscribeResult)>;

  // Implemented by the meeting (MeetingSignaling) — the session's only way out besides the transport.
  class Listener {
   public:
    virtual ~Listener() = default;
    // A JOIN was accepted. Return the INDEX to send after JOIN_ACK, or nullopt to refuse the
    // attendee because the meeting is full (AUDIO_STATUS 409).
    virtual std::optional<proto::SdkIndexFrame> OnJoin(SignalingSession& session,
                                                       const proto::SdkJoinFrame& join) = 0;
    // JOIN_ACK and INDEX were sent (e.g. replay buffered data messages now).
    virtual void OnJoined(SignalingSession& session) {}
    // Run the offer/answer; call `done` exactly once, later or right away, on the session thread.
    virtual void OnSubscribe(SignalingSession& session, SubscribeRequest request, SubscribeDone done) = 0;
    // A successful SUBSCRIBE_ACK was sent (first one: the attendee's audio is "connected").
    virtual void OnSubscribeAcked(SignalingSession& session, uint32_t sequence) = 0;
    virtual void OnMuteChanged(SignalingSession& session, bool muted) = 0;
    // Accepted messages, already stamped with sender ids and a non-zero ingest_time_ns.
    virtual void OnDataMessages(SignalingSession& session, const proto::SdkDataMessageFrame& frame) = 0;
    // The session ended by itself (LEAVE, transport loss, protocol error): not called for End().
    virtual void OnEnded(SignalingSession& session, EndReason reason) = 0;
    // Optional notifications.
    virtual void OnPauseResume(SignalingSession& session, bool pause,
                               const proto::SdkPauseResumeFrame& frame) {}
    virtual void OnRemoteVideoUpdate(SignalingSession& session,
                                     const proto::SdkRemoteVideoUpdateFrame& frame) {}
    virtual void OnClientMetric(SignalingSession& session, const proto::SdkClientMetricFrame& frame) {}
  };

  SignalingSession(SessionIdentity identity, Transport transport, Listener& listener, Options options,
                   const Clock& clock = Clock::System());
  ~SignalingSession();
  SignalingSession(const SignalingSession&) = delete;
  SignalingSession& operator=(const SignalingSession&) = delete;

  // Input from the transport.
  void OnBinaryMessage(std::string_view bytes);
  void OnTextMessage(std::string_view text);
  void OnTransportClosed(uint16_t code);
  // A decoded frame (OnBinaryMessage decodes and calls this).
  void OnFrame(const proto::SdkSignalFrame& frame);

  // Output. Send fills timestamp_ms; SendEncoded takes bytes from FrameCodec::Encode (fan-out
  // encodes once). Both do nothing once the session has ended.
  void Send(proto::SdkSignalFrame& frame);
  void SendEncoded(const std::string& bytes);
  void SendIndex(const proto::SdkIndexFrame& index);

  // Ends the session from the server side: sends the matching AUDIO_STATUS (if any), closes the
  // transport with the matching code. Does not call Listener::OnEnded. No-op once ended.
  void End(EndReason reason);
  // Runs `task` on the session's thread after `delayUs` (the transport's timer), also after the
  // session ended; false when the transport has no timer.
  bool RunAfter(int64_t delayUs, std::function<void()> task) const;

  const SessionIdentity& Identity() const { return identity_; }
  State GetState() const { return state_; }
  bool Joined() const { return state_ == State::kJoined; }
  bool Muted() const { return muted_; }
  uint32_t SubscribeCount() const { return subscribeSequence_; }
  uint32_t AckedSubscribeCount() const { return ackedSubscribes_; }
  std::optional<EndReason> GetEndReason() const { return endReason_; }
  // The JOIN's audio_session_id: one per SDK signaling client, kept across its reconnects.
  std::optional<uint64_t> AudioSessionId() const { return audioSessionId_; }
  // Monotonic time of the last message received (creation time before any).
  int64_t LastHeardUs() const { return lastHeardUs_; }
  // The close code OnTransportClosed reported, if the peer closed first.
  std::optional<uint16_t> PeerCloseCode() const { return peerCloseCode_; }
  const Options& GetOptions() const { return options_; }
  uint64_t DroppedDataMessages() const { return droppedDataMessages_; }
  uint64_t ThrottledDataMessages() const { return throttledDataMessages_; }
  // SUBSCRIBEs replaced by a newer one before they ran.
  uint64_t SupersededSubscribes() const { return supersededSubscribes_; }
  // SUBSCRIBEs that waited for the rate limit.
  uint64_t DeferredSubscribes() const { return deferredSubscribes_; }
  // AUDIO_CONTROL changes held back by the rate limit (the final state is told later).
  uint64_t DeferredMuteChanges() const { return deferredMuteChanges_; }
  // Frames of the other types dropped over their limit.
  uint64_t DroppedFrames() const { return droppedFrames_; }

  static std::string_view ToString(EndReason reason);

 private:
  void HandleJoin(const proto::SdkSignalFrame& frame);
  void HandleSubscribe(const proto::SdkSignalFrame& frame);
  void HandlePingPong(const proto::SdkSignalFrame& frame);
  void HandleLeave();
  void HandleAudioControl(const proto::SdkSignalFrame& frame);
  void HandleDataMessage(const proto::SdkSignalFrame& frame);
  // Runs the waiting SUBSCRIBE if none is in flight and the rate allows.
  void PumpSubscribe();
  void CompleteSubscribe(uint32_t sequence, proto::SdkStreamServiceType duplex, SubscribeResult result);
  // Sets the mute state; tells the listener now or, over the rate, later.
  void SetMuted(bool muted);
  void FlushMute();
  // Admits a frame of a type without a dedicated limit.
  bool AdmitFrame(proto::SdkSignalFrame::Type type);
  // Sets `armed` and runs `method` on the session's thread once `bucket` has a token again (unless
  // the session is gone by then); `armed` keeps a second timer from being set meanwhile.
  void RetryWhenRefilled(TokenBucket& bucket, bool SignalingSession::*armed,
                         void (SignalingSession::*method)());
  // Error frame (type echoes the request), then close: the client stops with SignalingBadRequest.
  void FailProtocol(proto::SdkSignalFrame::Type type, std::string_view description);
  void SendError(proto::SdkSignalFrame::Type type, uint32_t status, std::string_view description);
  void Finish(EndReason reason, bool notifyListener);
  void CloseTransport(uint16_t code, std::string_view reason);
  // Checks liveness after `delayUs` (and again until the session ends).
  void ArmSilenceTimer(int64_t delayUs);
  void CheckSilence();
  bool Ended() const { return state_ == State::kEnded; }

  SessionIdentity identity_;
  Transport transport_;
  Listener* listener_;
  Options options_;
  const Clock& clock_;
  State state_ = State::kAwaitingJoin;
  std::optional<EndReason> endReason_;
  bool muted_ = false;
  bool reportedMuted_ = false;  // what the listener was last told
  bool muteFlushArmed_ = false;
  bool transportClosed_ = false;
  std::optional<uint64_t> audioSessionId_;
  int64_t lastHeardUs_ = 0;
  std::optional<uint16_t> peerCloseCode_;
  uint32_t subscribeSequence_ = 0;
  uint32_t ackedSubscribes_ = 0;
  std::optional<SubscribeRequest> pendingSubscribe_;  // the newest SUBSCRIBE not yet run
  bool subscribeInFlight_ = false;
  bool subscribePumpArmed_ = false;
  TokenBucket dataMessageBucket_;
  TokenBucket subscribeBucket_;
  TokenBucket muteBucket_;
  std::map<int, TokenBucket> frameBuckets_;  // by frame type, created on first use
  uint64_t droppedDataMessages_ = 0;
  uint64_t throttledDataMessages_ = 0;
  uint64_t supersededSubscribes_ = 0;
  uint64_t deferredSubscribes_ = 0;
  uint64_t deferredMuteChanges_ = 0;
  uint64_t toldMuteChanges_ = 0;
  uint64_t droppedFrames_ = 0;
  // Outlives nothing: completion callbacks hold a weak_ptr to find out the session is gone.
  std::shared_ptr<SignalingSession*> self_;
};

}  // namespace medicall::signaling
