#pragma once
// The clinic's HTTP API (contract: clinic-api.md): /api/auth/*, /api/clinicians, /api/visits*,
// /api/clinic/events, /api/queue/*, /api/audit, /api/clinics/*, /api/patient/*.
// Sessions in the `medicall_session` cookie (HttpOnly; SameSite=Lax; Secure over TLS or an https
// public URL); every POST with a session must carry X-CSRF-Token (except login, set-password and
// the patient's "wait", which start a session). Roles: admin and clinician (the clinician side),
// patient (a server-made session bound to one wait). A patient session on the clinician side: 404
// for another visit's ids, 403 otherwise.
// Handle runs on the store thread; event streams are registered through `post` (the same thread).
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "clinic/ClinicService.hpp"
#include "clinic/SessionManager.hpp"
#include "common/Config.hpp"
#include "common/HttpTypes.hpp"

namespace medicall::clinic {

class ClinicApi {
 public:
  using Post = std::function<void(std::function<void()>)>;

  ClinicApi(ClinicService& service, const Config& config, const Clock& clock, Post post);

  static bool Owns(std::string_view path);
  std::optional<HttpResponse> Handle(const HttpRequest& request);

  // The one authorization rule for a visit meeting's roster and quality report: nullopt when the
  // request may see it (not a visit's meeting, or a join token of its attendees, or a session of a
  // clinician of its clinic or of its patient), else the error reply.
  std::optional<HttpResponse> AuthorizeMeetingView(const std::string& meetingId, const HttpRequest& request);

  // The audit entry "report.viewed" for the quality report page (issue 16), after
  // AuthorizeMeetingView allowed the request: the actor is the session's user, the patient's wait or
  // the join token's attendee.
  void RecordReportViewed(const std::string& meetingId, const HttpRequest& request);

  // Every few seconds (the server's sweep timer): keep-alive on event streams, sessions of patients
  // with an open stream kept alive, expired sessions dropped and their streams ended, the retention
  // purge once an hour.
  void Tick();

  SessionManager& Sessions() { return sessions_; }

 private:
  struct Caller {
    std::optional<Session> session;
    std::optional<store::UserRecord> user;  // admin/clinician sessions
  };
  Caller Identify(const HttpRequest& request);
  HttpResponse Dispatch(const HttpRequest& request, Caller& caller);
  HttpResponse Auth(const HttpRequest& request, Caller& caller, std::string_view rest);
  HttpResponse ClinicianSide(const HttpRequest& request, Caller& caller);
  HttpResponse PatientSide(const HttpRequest& request, Caller& caller, std::string_view rest);
  HttpResponse Audit(const HttpRequest& request, const store::UserRecord& user);
  HttpResponse ClinicEvents(const store::UserRecord& user, const Session& session);
  HttpResponse PatientEvents(const Session& session);
  // Session cookie (and csrfToken in the body) for a new session.
  HttpResponse WithNewSession(const std::string& role, const std::string& userId, const std::string& waitId,
                              nlohmann::json body);
  std::string CookieAttributes() const;
  nlohmann::json PatientUser(const Session& session);

  ClinicService& service_;
  const Config& config_;
  const Clock& clock_;
  Post post_;
  SessionManager sessions_;
  int64_t lastPurgeUs_ = 0;
  bool storeDown_ = false;  // the last Tick found the store unreachable
};

}  // namespace medicall::clinic
