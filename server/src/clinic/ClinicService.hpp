#pragma once
// The clinic plane (issue 12), apart from HTTP: accounts and login, visits and their patient links,
// waiting rooms and the clinic queue, admission into a meeting, host controls, the audit trail and
// retention. ClinicApi maps HTTP onto it; `medicall user|audit` (ClinicCli) use it too.
//
// - A visit's link token is derived (LinkSigner); the store keeps SHA-256(token). The link dies
//   when the visit ends (VisitEnded), its patient is removed (Removed) or it expires (24 h after
//   the later of creation and the scheduled time).
// - No media attendee exists before admission: Admit creates the visit's meeting (ExternalMeetingId
//   "visit-<visitId>") if needed, then the clinician's and the patient's attendees; the patient's
//   JoinInfo goes out on the patient's event stream.
// - The take of a queued patient is one store transaction: of concurrent takes exactly one wins.
// - Names (patients', clinicians') go to the store's records and the event streams only: never to
//   the log or the audit trail's free text.
// - In a cluster the event streams of one clinic are spread over the nodes: every event for a
//   stream (a dashboard's "state" notice, a patient's events, messages and JoinInfo kept for a
//   stream that reconnects) is applied here and sent to the other nodes (SetBroadcast), which apply
//   it to their own streams (OnPeerEvent). Dashboards re-read the shared store on a state notice.
// Thread-safe: the in-memory parts (messages, JoinInfo not yet fetched) are behind a mutex.
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clinic/AuditLog.hpp"
#include "clinic/ClinicError.hpp"
#include "clinic/EventHub.hpp"
#include "clinic/HostControls.hpp"
#include "clinic/LinkSigner.hpp"
#include "clinic/PasswordHasher.hpp"
#include "clinic/RateLimiter.hpp"
#include "common/Clock.hpp"
#include "common/Config.hpp"
#include "meetings/MeetingsService.hpp"
#include "store/ClinicStore.hpp"

namespace medicall::clinic {

class ClinicService {
 public:
  static constexpr int64_t kSetPasswordLinkMs = 24 * 3600 * 1000LL;
  static constexpr int64_t kVisitLinkMs = 24 * 3600 * 1000LL;
  static constexpr size_t kMaxMessageChars = 500;
  static constexpr const char* kVisitRoomPrefix = "visit-";
  // Login failures allowed per account and per address within the window.
  static constexpr int kAccountFailures = 5;
  static constexpr int kAddressFailures = 20;
  static constexpr int64_t kFailureWindowUs = 15LL * 60 * 1'000'000;

  ClinicService(store::ClinicStore& store, meetings::MeetingsService* meetings, const LinkSigner& links,
                const Config& config, const Clock& clock = Clock::System());

  void SetHostControls(HostControls* controls) { host_ = controls; }
  // A cluster: `broadcast` sends an event (JSON text) to the other nodes, whose OnPeerEvent gets it.
  void SetBroadcast(std::function<void(const std::string& event)> broadcast) {
    broadcast_ = std::move(broadcast);
  }
  // An event from another node (on the store thread): applied to this node's streams and memory.
  void OnPeerEvent(const std::string& event);
  EventHub& Events() { return events_; }
  AuditLog& Audit() { return audit_; }
  store::ClinicStore& Store() { return store_; }

  // ---- accounts (CLI) ----
  // Creates the account and returns its one-time set-password token (valid 24 h).
  std::string AddUser(const std::string& role, const std::string& name, const std::string& email,
                      const std::string& clinic, store::UserRecord& created);
  void SetPassword(const std::string& token, const std::string& password);
  // The account for a right email and password (enabled); ClinicError 401 InvalidCredentials (the
  // same for all three failures) or 429 TooManyRequests. Audited either way.
  store::UserRecord Login(const std::string& email, const std::string& password, const std::string& address);
  static std::string NormalizeEmail(const std::string& email);

  // ---- clinician side ----
  std::vector<store::UserRecord> Clinicians(const store::UserRecord& viewer);
  store::VisitRecord CreateVisit(const store::UserRecord& clinician, const std::string& patientName,
                                 int64_t scheduledAt);
  std::vector<store::VisitRecord> VisitsOf(const store::UserRecord& clinician);
  // 404 NotFound unless the visit is of the viewer's clinic.
  store::VisitRecord GetVisit(const store::UserRecord& viewer, const std::string& visitId);
  nlohmann::json VisitJson(const store::VisitRecord& visit, const std::string& viewerId);
  // {"visits": [...], "queue": [...]} as the clinician's event stream sends it.
  nlohmann::json StateFor(const std::string& userId);
  // Returns the clinician's JoinInfo value {Meeting, Attendee}; `host` for MediaPlacement.
  nlohmann::json Admit(const store::UserRecord& clinician, const std::string& visitId,
                       const std::string& waitId, const std::string& host);
  void Message(const store::UserRecord& clinician, const std::string& visitId, const std::string& waitId,
               const std::string& text);
  store::VisitRecord Transfer(const store::UserRecord& clinician, const std::string& visitId,
                              const std::string& toClinicianId);
  void End(const store::UserRecord& clinician, const std::string& visitId);
  void Mute(const store::UserRecord& clinician, const std::string& visitId, const std::string& attendeeId,
            bool muted);
  void Remove(const store::UserRecord& clinician, const std::string& visitId, const std::string& attendeeId);
  // 409 AlreadyTaken for every loser.
  store::VisitRecord Take(const store::UserRecord& clinician, const std::string& waitId);

  // ---- patient side ----
  // The visit of a link; ClinicError 404 LinkInvalid, 410 LinkExpired | VisitEnded | Removed.
  store::VisitRecord OpenLink(const std::string& token);
  store::WaitRecord WaitOnLink(const std::string& token, const std::string& name);
  store::WaitRecord WaitInQueue(const std::string& slug, const std::string& name);
  void Leave(const std::string& waitId);
  // The `status` event: {status, clinicianName, messages}.
  nlohmann::json PatientStatus(const std::string& waitId);
  // The JoinInfo of an admitted wait not yet delivered, for a stream that (re)connects.
  std::optional<nlohmann::json> PendingJoin(const std::string& waitId);
  std::optional<store::WaitRecord> FindWait(const std::string& waitId) { return store_.FindWait(waitId); }
  const std::string& ClinicSlug() const { return config_.clinicSlug; }
  const std::string& ClinicName() const { return config_.clinicName; }

  // ---- the call ----
  // The attendee of a meeting with this join token (only its SHA-256 is stored).
  std::optional<meetings::AttendeeRecord> AttendeeByToken(const std::string& meetingId,
                                                          const std::string& token) {
    if (meetings_ == nullptr) return std::nullopt;
    return meetings_->FindAttendeeByJoinToken(meetingId, token);
  }
  // The visit whose meeting this is, if any.
  std::optional<store::VisitRecord> VisitOfMeeting(const std::string& meetingId);
  // Signaling presence of an attendee (joined | left | dropped), audited for visit meetings.
  void OnPresence(const std::string& meetingId, const std::string& attendeeId, const std::string& kind);

  // Hourly: visit records older than MEDICALL_RETENTION_DAYS are deleted (an audit entry says how
  // many). Returns the number deleted.
  int64_t PurgeExpired();

  // Visits' status for the API: scheduled | waiting | in-call | ended.
  std::string StatusOf(const store::VisitRecord& visit, const std::vector<store::WaitRecord>& waits);
  static std::optional<std::string> NormalizeName(const std::string& name);

 private:
  struct StoredMessage {
    std::string text;
    int64_t at;
  };
  store::UserRecord ClinicianOf(const store::VisitRecord& visit);
  std::string ClinicianName(const store::VisitRecord& visit);
  // The visit, for a clinician of its clinic (404 otherwise) that has not ended (410 VisitEnded).
  store::VisitRecord OpenVisit(const store::UserRecord& clinician, const std::string& visitId);
  // A usable meeting for the visit (created when there is none or it expired).
  store::MeetingRecord MeetingFor(store::VisitRecord& visit);
  meetings::AttendeeRecord ClinicianAttendee(const store::VisitRecord& visit,
                                             const store::UserRecord& clinician);
  std::string SenderAttendeeOf(const store::VisitRecord& visit, const store::UserRecord& clinician);
  void CheckAttendeeOfVisit(const store::VisitRecord& visit, const std::string& attendeeId);
  // Each of these acts on this node's streams and tells the other nodes to do the same.
  void PublishClinic(const std::string& clinic);
  void ToPatient(const std::string& waitId, const std::string& event, const nlohmann::json& data);
  void ClosePatient(const std::string& waitId);
  // The parts on this node only.
  void PublishClinicHere(const std::string& clinic);
  void ToPatientHere(const std::string& waitId, const std::string& event, const nlohmann::json& data);
  void ClosePatientHere(const std::string& waitId);
  void KeepMessage(const std::string& visitId, const std::string& text, int64_t at);
  void ForgetVisit(const std::string& visitId, const std::string& meetingId);
  void Share(const nlohmann::json& event);
  store::WaitRecord StartWait(const std::string& visitId, const std::string& clinic, const std::string& name,
                              const std::string& action);
  int64_t NowMs() const { return clock_.WallNowUs() / 1000; }

  store::ClinicStore& store_;
  meetings::MeetingsService* meetings_;  // null in the CLI
  const LinkSigner& links_;
  const Config& config_;
  const Clock& clock_;
  AuditLog audit_;
  EventHub events_;
  PasswordHasher hasher_;
  RateLimiter accountLimiter_;
  RateLimiter addressLimiter_;
  HostControls* host_ = nullptr;
  std::function<void(const std::string&)> broadcast_;

  std::mutex mutex_;
  std::map<std::string, std::vector<StoredMessage>> messages_;          // visitId ->
  std::map<std::string, nlohmann::json> pendingJoins_;                  // waitId -> JoinInfo
  std::map<std::string, meetings::AttendeeRecord> clinicianAttendees_;  // meetingId/userId -> with token
  std::map<std::string, std::string> joinHosts_;                        // meetingId -> host
};

}  // namespace medicall::clinic
