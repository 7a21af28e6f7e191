#pragma once
// Joins the Chime signaling endpoint to the meetings service and the media routers:
// - accepts WebSocket upgrades on /control/<MeetingId> (JoinToken from the `_aws_wt_session`
//   subprotocol offer), one MeetingSignaling + one media root (media/meeting/MeetingMedia: router,
//   mixer, participants) per live meeting;
// - implements MeetingSignaling::Delegate by posting SUBSCRIBE and the downlink controls to the
//   meeting's media through its MeetingMediaHandle, the answer back; INDEX from the router's
//   published sources as the media last reported them;
// - implements MeetingsListener: DeleteMeeting/expiry end the meeting (AUDIO_STATUS 410, close
//   4410), DeleteAttendee removes the attendee (411);
// - reports connection state to the meetings service (idle expiry);
// - content share (signaling/ContentShare.hpp): "<JoinToken>#content" admits "<AttendeeId>#content",
//   whose sender gets periodic keyframe requests.
// Threading: everything here runs on the HTTP io_context thread. A meeting's media lives on a media
// worker; the meeting holds only a MeetingMediaHandle, which can only post to it, and the media's
// results and reports are posted back (MeetingMediaListener). A meeting's media is placed on the
// least loaded worker of the pool (MediaWorkerPool::Place) when it goes live, and stays there.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "clinic/HostControls.hpp"
#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "meetings/MeetingsListener.hpp"
#include "net/HttpServer.hpp"
#include "signaling/SessionTypes.hpp"
#include "signaling/TurnCredentialIssuer.hpp"

namespace medicall::meetings {
class MeetingsService;
}
namespace medicall::webrtc::dtls {
class DtlsCertificate;
}

namespace medicall::quality {
class QualitySink;
}  // namespace medicall::quality

namespace medicall::app {

class MediaWorkerPool;

class ChimeBridge final : public meetings::MeetingsListener, public clinic::HostControls {
 public:
  static constexpr const char* kSubprotocol = "_aws_wt_session";

  ChimeBridge(const Config& config, boost::asio::io_context& ioc, meetings::MeetingsService& meetings,
              MediaWorkerPool& workers, std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate);
  ~ChimeBridge() override;
  ChimeBridge(const ChimeBridge&) = delete;
  ChimeBridge& operator=(const ChimeBridge&) = delete;

  // For HttpServer: decides on an upgrade to /control/<MeetingId>.
  net::WebSocketDecision AcceptWebSocket(const HttpRequest& request);
  // Closes every session with 4500 (server shutdown: the clients reconnect when it is back).
  void Shutdown();

  // Call quality (before the first connection): samples go to `sink`; with `mediaMetrics`, each
  // meeting's media counters (and its CLIENT_METRIC counts) go to its worker's MediaMetrics.
  void SetQuality(quality::QualitySink* sink, bool mediaMetrics) {
    qualitySink_ = sink;
    countMedia_ = mediaMetrics;
  }
  // clinic::HostControls (any thread: posted to the HTTP thread, media parts on to the worker).
  // Host mutes outlive the meeting's media (kept until unmuted or the meeting ends).
  void SetHostMuted(const std::string& meetingId, const std::string& attendeeId, bool muted) override;
  void SendDataMessage(const std::string& meetingId, const std::string& topic, const std::string& data,
                       const std::string& senderAttendeeId, const std::string& senderExternalUserId) override;
  // Told on the HTTP thread when an attendee's session joins ("joined") or ends ("left", "dropped").
  using PresenceObserver = std::function<void(const std::string& meetingId, const std::string& attendeeId,
                                              const std::string& kind)>;
  void SetPresenceObserver(PresenceObserver observer) { presence_ = std::move(observer); }

  size_t LiveMeetings() const;
  size_t ConnectedAttendees() const;

  // meetings::MeetingsListener (called on the HTTP thread by the meetings service).
  void OnMeetingEnded(const std::string& meetingId, meetings::MeetingEndReason reason) override;
  void OnAttendeeDeleted(const std::string& meetingId, const std::string& attendeeId) override;

  struct Meeting;  // one live meeting: its signaling and the handle to its media

 private:
  std::shared_ptr<Meeting> GetOrCreateMeeting(const std::string& meetingId);
  // Who a join token admits: its attendee, or for "<token>#content" that attendee's content share
  // ("<AttendeeId>#content", same external user id); nullopt for an unknown or removed attendee.
  std::optional<signaling::SessionIdentity> IdentityForToken(const std::string& meetingId,
                                                             const std::string& token);
  void ForgetIfEmpty(const std::string& meetingId);

  const Config& config_;
  std::optional<signaling::TurnCredentialIssuer> turn_;  // set when MEDICALL_TURN_URIS is
  boost::asio::io_context& ioc_;
  meetings::MeetingsService& meetings_;
  MediaWorkerPool& workers_;  // a meeting's media is placed on one of them for its life
  std::shared_ptr<const webrtc::dtls::DtlsCertificate> certificate_;
  std::map<std::string, std::shared_ptr<Meeting>> live_;
  quality::QualitySink* qualitySink_ = nullptr;
  bool countMedia_ = false;
  std::map<std::string, std::set<std::string>> hostMuted_;  // meetingId -> attendees muted by the host
  PresenceObserver presence_;
};

}  // namespace medicall::app
