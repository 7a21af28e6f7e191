#include "clinic/ClinicApi.hpp"

#include <nlohmann/json.hpp>

#include "clinic/TimeText.hpp"
#include "common/Logger.hpp"
#include "meetings/ChimeJson.hpp"

namespace medicall::clinic {

using nlohmann::json;

namespace {

HttpResponse Error(int status, std::string_view type, std::string_view message) {
  return HttpResponse::FromJson(status, json{{"error", type}, {"message", message}});
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

// Path segments after `prefix` ("a/b/c" -> {"a","b","c"}).
std::vector<std::string> Segments(std::string_view rest) {
  std::vector<std::string> out;
  while (!rest.empty()) {
    const size_t slash = rest.find('/');
    out.emplace_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

json Body(const HttpRequest& request) {
  if (request.body.empty()) return json::object();
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    throw ClinicError(400, "InvalidJson", "The request body must be a JSON object.");
  return body;
}

std::string StringField(const json& body, const char* name, bool required = true) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) throw ClinicError(400, "InvalidRequest", std::string(name) + " is required.");
    return {};
  }
  if (!it->is_string()) throw ClinicError(400, "InvalidRequest", std::string(name) + " must be a string.");
  return it->get<std::string>();
}

json UserJson(const store::UserRecord& u) {
  return {{"id", u.userId}, {"name", u.name}, {"email", u.email}, {"role", u.role}, {"clinic", u.clinic}};
}

bool IsStateChanging(const std::string& method) {
  return method == "POST" || method == "PUT" || method == "DELETE" || method == "PATCH";
}

[[noreturn]] void NotLoggedIn() { throw ClinicError(401, "NotLoggedIn", "Please log in."); }
[[noreturn]] void Forbidden() { throw ClinicError(403, "Forbidden", "You may not do this."); }

constexpr std::string_view kAuth = "/api/auth/";
constexpr std::string_view kVisits = "/api/visits";
constexpr std::string_view kQueue = "/api/queue/";
constexpr std::string_view kPatient = "/api/patient/";
constexpr std::string_view kClinics = "/api/clinics/";

}  // namespace

ClinicApi::ClinicApi(ClinicService& service, const Config& config, const Clock& clock, Post post)
    : service_(service),
      config_(config),
      clock_(clock),
      post_(std::move(post)),
      sessions_(service.Store(), static_cast<int64_t>(config.sessionIdleMinutes) * 60 * 1'000'000,
                static_cast<int64_t>(config.sessionMaxHours) * 3600 * 1'000'000, clock) {}

bool ClinicApi::Owns(std::string_view path) {
  return path.starts_with(kAuth) || path == kVisits || path.starts_with("/api/visits/") ||
         path == "/api/clinicians" || path == "/api/clinic/events" || path.starts_with(kQueue) ||
         path == "/api/audit" || path.starts_with(kPatient) || path.starts_with(kClinics);
}

ClinicApi::Caller ClinicApi::Identify(const HttpRequest& request) {
  Caller caller;
  const std::string cookie =
      SessionManager::CookieValue(request.Header("Cookie"), SessionManager::kCookieName);
  if (cookie.empty()) return caller;
  caller.session = sessions_.Find(cookie);
  if (!caller.session) return caller;
  if (caller.session->role != "patient") {
    caller.user = service_.Store().FindUserById(caller.session->userId);
    if (!caller.user || caller.user->disabled) {
      // Disabled since (medicall user disable): the session is over.
      sessions_.EndAllOf(caller.session->userId);
      caller.session.reset();
      caller.user.reset();
    }
  }
  return caller;
}

std::optional<HttpResponse> ClinicApi::Handle(const HttpRequest& request) {
  if (!Owns(request.path)) return std::nullopt;
  try {
    Caller caller = Identify(request);
    // CSRF: a state-changing request that carries a session must prove it comes from our page.
    const bool startsSession = request.path == "/api/auth/login" ||
                               request.path == "/api/auth/set-password" ||
                               (request.path.starts_with(kPatient) && request.path.ends_with("/wait"));
    if (IsStateChanging(request.method) && caller.session && !startsSession &&
        !SessionManager::CsrfMatches(*caller.session, request.Header("X-CSRF-Token")))
      return Error(403, "CsrfTokenMismatch", "The request is missing its security token. Reload the page.");
    return Dispatch(request, caller);
  } catch (const ClinicError& e) {
    HttpResponse r = Error(e.Status(), e.Type(), e.what());
    if (e.RetryAfterSeconds() > 0)
      r.headers.emplace_back("Retry-After", std::to_string(e.RetryAfterSeconds()));
    return r;
  } catch (const ServiceUnavailable& e) {
    // The clinic store (Redis in a cluster) is unreachable: nothing was done, try again shortly.
    HttpResponse r = Error(503, "ServiceUnavailable", e.what());
    r.headers.emplace_back("Retry-After", "1");
    return r;
  } catch (const ApiError& e) {
    return Error(e.Status(), e.Status() == 404 ? "NotFound" : "BadRequest", e.what());
  } catch (const std::exception& e) {
    log::Error("clinic", "{} {} failed: {}", request.method, request.path, e.what());
    return Error(500, "InternalError", "The server could not complete the request.");
  }
}

HttpResponse ClinicApi::Dispatch(const HttpRequest& request, Caller& caller) {
  const std::string_view path = request.path;
  if (path.starts_with(kAuth)) return Auth(request, caller, path.substr(kAuth.size()));
  if (path.starts_with(kPatient)) return PatientSide(request, caller, path.substr(kPatient.size()));
  if (path.starts_with(kClinics)) {
    if (request.method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
    if (path.substr(kClinics.size()) != service_.ClinicSlug())
      return Error(404, "ClinicNotFound", "There is no clinic at this address.");
    return HttpResponse::FromJson(
        200, {{"clinic", {{"slug", service_.ClinicSlug()}, {"name", service_.ClinicName()}}}});
  }
  return ClinicianSide(request, caller);
}

std::string ClinicApi::CookieAttributes() const {
  const bool secure = config_.TlsEnabled() || config_.PublicUrlScheme() == "https";
  return std::string("; Path=/; HttpOnly; SameSite=Lax") + (secure ? "; Secure" : "");
}

HttpResponse ClinicApi::WithNewSession(const std::string& role, const std::string& userId,
                                       const std::string& waitId, json body) {
  std::string cookie;
  const Session s = sessions_.Create(role, userId, waitId, cookie);
  body["csrfToken"] = s.csrfToken;
  HttpResponse r = HttpResponse::FromJson(200, body);
  r.headers.emplace_back("Set-Cookie", std::string(SessionManager::kCookieName) + "=" + cookie +
                                           CookieAttributes() +
                                           "; Max-Age=" + std::to_string(sessions_.MaxSeconds()));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

json ClinicApi::PatientUser(const Session& session) {
  auto w = service_.FindWait(session.waitId);
  return {{"role", "patient"},
          {"visitId", w && !w->visitId.empty() ? json(w->visitId) : json(nullptr)},
          {"waitId", session.waitId}};
}

HttpResponse ClinicApi::Auth(const HttpRequest& request, Caller& caller, std::string_view rest) {
  if (rest == "session") {
    if (request.method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
    if (!caller.session) NotLoggedIn();
    const json user = caller.user ? UserJson(*caller.user) : PatientUser(*caller.session);
    return HttpResponse::FromJson(200, {{"user", user}, {"csrfToken", caller.session->csrfToken}});
  }
  if (request.method != "POST") return Error(405, "MethodNotAllowed", "Use POST.");
  if (rest == "login") {
    const json body = Body(request);
    const auto user =
        service_.Login(StringField(body, "email"), StringField(body, "password"), request.remoteAddress);
    return WithNewSession(user.role, user.userId, "", {{"user", UserJson(user)}});
  }
  if (rest == "set-password") {
    const json body = Body(request);
    service_.SetPassword(StringField(body, "token"), StringField(body, "password"));
    return NoContent();
  }
  if (rest == "logout") {
    if (!caller.session) NotLoggedIn();
    sessions_.End(SessionManager::CookieValue(request.Header("Cookie"), SessionManager::kCookieName));
    service_.Audit().Append(caller.user ? caller.user->userId : "patient:" + caller.session->waitId,
                            "auth.logout");
    HttpResponse r = NoContent();
    r.headers.emplace_back(
        "Set-Cookie", std::string(SessionManager::kCookieName) + "=" + CookieAttributes() + "; Max-Age=0");
    return r;
  }
  return Error(404, "NotFound", "No such endpoint.");
}

HttpResponse ClinicApi::ClinicianSide(const HttpRequest& request, Caller& caller) {
  const std::string_view path = request.path;
  if (!caller.session) NotLoggedIn();
  std::vector<std::string> parts;
  if (path.starts_with("/api/visits/"))
    parts = Segments(path.substr(std::string_view("/api/visits/").size()));
  if (!caller.user) {
    // A patient's session: another visit's ids are not found, its own visit's host actions forbidden.
    if (!parts.empty()) {
      auto w = service_.FindWait(caller.session->waitId);
      if (!w || w->visitId != parts[0]) throw ClinicError(404, "NotFound", "This visit does not exist.");
    }
    Forbidden();
  }
  const store::UserRecord& user = *caller.user;
  const std::string& method = request.method;
  if (path == "/api/audit") {
    if (method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
    if (user.role != "admin") Forbidden();
    return Audit(request, user);
  }
  if (path == "/api/clinicians") {
    if (method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
    json list = json::array();
    for (const auto& c : service_.Clinicians(user))
      list.push_back({{"id", c.userId}, {"name", c.name}, {"onDuty", c.onDuty}});
    return HttpResponse::FromJson(200, {{"clinicians", list}});
  }
  if (path == "/api/clinic/events") {
    if (method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
    return ClinicEvents(user, *caller.session);
  }
  if (path.starts_with(kQueue)) {
    const auto q = Segments(path.substr(kQueue.size()));
    if (q.size() != 2 || q[1] != "take") return Error(404, "NotFound", "No such endpoint.");
    if (method != "POST") return Error(405, "MethodNotAllowed", "Use POST.");
    const auto visit = service_.Take(user, q[0]);
    return HttpResponse::FromJson(200, {{"visit", service_.VisitJson(visit, user.userId)}});
  }
  if (path == kVisits) {
    if (method == "GET") {
      json list = json::array();
      for (const auto& v : service_.VisitsOf(user)) list.push_back(service_.VisitJson(v, user.userId));
      return HttpResponse::FromJson(200, {{"visits", list}});
    }
    if (method != "POST") return Error(405, "MethodNotAllowed", "Use GET or POST.");
    const json body = Body(request);
    int64_t scheduledAt = 0;
    if (auto it = body.find("scheduledAt"); it != body.end() && !it->is_null()) {
      std::optional<int64_t> parsed;
      if (it->is_string()) parsed = TimeText::Parse(it->get<std::string>());
      if (it->is_number_integer()) parsed = it->get<int64_t>();
      if (!parsed) throw ClinicError(400, "InvalidTime", "scheduledAt must be an ISO 8601 time.");
      scheduledAt = *parsed;
    }
    const auto visit = service_.CreateVisit(user, StringField(body, "patientName", false), scheduledAt);
    HttpResponse r = HttpResponse::FromJson(201, {{"visit", service_.VisitJson(visit, user.userId)}});
    return r;
  }
  // /api/visits/:id[/action | /attendees/:attendeeId/(mute|remove)]
  if (parts.empty() || parts[0].empty()) return Error(404, "NotFound", "No such endpoint.");
  const std::string& visitId = parts[0];
  if (parts.size() == 1) {
    if (method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
    return HttpResponse::FromJson(
        200, {{"visit", service_.VisitJson(service_.GetVisit(user, visitId), user.userId)}});
  }
  if (method != "POST") return Error(405, "MethodNotAllowed", "Use POST.");
  const json body = Body(request);
  if (parts.size() == 2) {
    const std::string& action = parts[1];
    if (action == "admit") {
      const json join = service_.Admit(user, visitId, StringField(body, "waitId"),
                                       meetings::ChimeJson::ResolveHost(request, config_));
      return HttpResponse::FromJson(200, {{"join", join}});
    }
    if (action == "message") {
      service_.Message(user, visitId, StringField(body, "waitId", false), StringField(body, "text"));
      return NoContent();
    }
    if (action == "transfer") {
      const auto visit = service_.Transfer(user, visitId, StringField(body, "clinicianId"));
      return HttpResponse::FromJson(200, {{"visit", service_.VisitJson(visit, user.userId)}});
    }
    if (action == "end") {
      service_.End(user, visitId);
      return NoContent();
    }
  }
  if (parts.size() == 4 && parts[1] == "attendees") {
    if (parts[3] == "mute") {
      auto it = body.find("muted");
      if (it == body.end() || !it->is_boolean())
        throw ClinicError(400, "InvalidRequest", "muted must be true or false.");
      service_.Mute(user, visitId, parts[2], it->get<bool>());
      return NoContent();
    }
    if (parts[3] == "remove") {
      service_.Remove(user, visitId, parts[2]);
      return NoContent();
    }
  }
  return Error(404, "NotFound", "No such endpoint.");
}

HttpResponse ClinicApi::Audit(const HttpRequest& request, const store::UserRecord& user) {
  int64_t from = 0, to = 0;
  for (auto [name, target] : {std::pair{"from", &from}, std::pair{"to", &to}}) {
    if (auto v = request.QueryParam(name); v && !v->empty()) {
      auto parsed = TimeText::Parse(*v);
      if (!parsed)
        throw ClinicError(400, "InvalidTime", std::string(name) + " must be an ISO 8601 time or epoch ms.");
      *target = *parsed;
    }
  }
  std::string out;
  int64_t count = 0;
  service_.Store().ForEachAudit(from, to, [&](const store::AuditRecord& e) {
    out += DumpJson(AuditLog::ToJson(e));
    out += '\n';
    ++count;
  });
  service_.Audit().Append(user.userId, "audit.exported", "", "", "", std::to_string(count) + " entries");
  HttpResponse r = HttpResponse::Text(200, std::move(out), "application/x-ndjson");
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse ClinicApi::ClinicEvents(const store::UserRecord& user, const Session& session) {
  const std::string userId = user.userId;
  const std::string clinic = user.clinic;
  const std::string sessionHash = session.idHash;
  return HttpResponse::EventStream(
      [this, userId, clinic, sessionHash](std::shared_ptr<ResponseStream> stream) {
        post_([this, userId, clinic, sessionHash, stream] {
          try {
            stream->Send(EventHub::Format("state", service_.StateFor(userId)));
            service_.Events().AddClinician(userId, clinic, sessionHash, stream);
          } catch (const std::exception& e) {
            log::Error("clinic", "event stream failed: {}", e.what());
            stream->Close();
          }
        });
      });
}

HttpResponse ClinicApi::PatientEvents(const Session& session) {
  const std::string waitId = session.waitId;
  const std::string sessionHash = session.idHash;
  return HttpResponse::EventStream([this, waitId, sessionHash](std::shared_ptr<ResponseStream> stream) {
    post_([this, waitId, sessionHash, stream] {
      try {
        const json status = service_.PatientStatus(waitId);
        stream->Send(EventHub::Format("status", status));
        const std::string state = status["status"].get<std::string>();
        if (state == "ended" || state == "removed") {
          stream->Send(
              EventHub::Format("ended", {{"reason", state == "removed" ? "Removed" : "VisitEnded"}}));
          stream->Close();
          return;
        }
        if (auto join = service_.PendingJoin(waitId))
          stream->Send(EventHub::Format("admitted", {{"join", *join}}));
        service_.Events().AddPatient(waitId, sessionHash, stream);
      } catch (const std::exception& e) {
        log::Error("clinic", "event stream failed: {}", e.what());
        stream->Close();
      }
    });
  });
}

HttpResponse ClinicApi::PatientSide(const HttpRequest& request, Caller& caller, std::string_view rest) {
  const auto parts = Segments(rest);
  const std::string& method = request.method;
  if (parts.size() >= 2 && parts[0] == "visits") {
    const std::string& token = parts[1];
    if (parts.size() == 2) {
      if (method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
      const auto visit = service_.OpenLink(token);
      service_.Audit().Append("link", "link.opened", visit.visitId);
      const json full = service_.VisitJson(visit, "");
      return HttpResponse::FromJson(
          200,
          {{"visit",
            {{"id", visit.visitId}, {"clinicianName", full["clinicianName"]}, {"status", full["status"]}}}});
    }
    if (parts.size() == 3 && parts[2] == "wait") {
      if (method != "POST") return Error(405, "MethodNotAllowed", "Use POST.");
      const json body = Body(request);
      const auto wait = service_.WaitOnLink(token, StringField(body, "name"));
      return WithNewSession("patient", "", wait.waitId, {{"waitId", wait.waitId}});
    }
  }
  if (parts.size() == 3 && parts[0] == "clinics" && parts[2] == "wait") {
    if (method != "POST") return Error(405, "MethodNotAllowed", "Use POST.");
    const json body = Body(request);
    const auto wait = service_.WaitInQueue(parts[1], StringField(body, "name"));
    return WithNewSession("patient", "", wait.waitId, {{"waitId", wait.waitId}});
  }
  if (rest == "events" || rest == "leave") {
    if (!caller.session) NotLoggedIn();
    if (caller.session->role != "patient") Forbidden();
    if (rest == "events") {
      if (method != "GET") return Error(405, "MethodNotAllowed", "Use GET.");
      return PatientEvents(*caller.session);
    }
    if (method != "POST") return Error(405, "MethodNotAllowed", "Use POST.");
    service_.Leave(caller.session->waitId);
    return NoContent();
  }
  return Error(404, "NotFound", "No such endpoint.");
}

std::optional<HttpResponse> ClinicApi::AuthorizeMeetingView(const std::string& meetingId,
                                                            const HttpRequest& request) {
  const auto visit = service_.VisitOfMeeting(meetingId);
  if (!visit) return std::nullopt;  // an open room's meeting
  if (const std::string* auth = request.Header("Authorization"); auth && auth->rfind("Bearer ", 0) == 0) {
    try {
      // Through the meetings service: a join token is kept as its SHA-256 only.
      if (service_.AttendeeByToken(meetingId, auth->substr(7))) return std::nullopt;
    } catch (const std::exception&) {
    }
  }
  Caller caller = Identify(request);
  if (caller.user && caller.user->clinic == visit->clinic) return std::nullopt;
  if (caller.session && caller.session->role == "patient") {
    auto w = service_.FindWait(caller.session->waitId);
    if (w && w->visitId == visit->visitId && w->state == "admitted") return std::nullopt;
    return Error(404, "NotFound", "This visit does not exist.");
  }
  return Error(403, "Forbidden", "Only this visit's participants and clinicians may see this.");
}

void ClinicApi::RecordReportViewed(const std::string& meetingId, const HttpRequest& request) {
  const auto visit = service_.VisitOfMeeting(meetingId);
  if (!visit) return;
  std::string actor = "unknown";
  if (const std::string* auth = request.Header("Authorization"); auth && auth->rfind("Bearer ", 0) == 0) {
    if (auto a = service_.AttendeeByToken(meetingId, auth->substr(7))) actor = a->attendeeId;
  }
  if (actor == "unknown") {
    Caller caller = Identify(request);
    if (caller.user)
      actor = caller.user->userId;
    else if (caller.session)
      actor = "patient:" + caller.session->waitId;
  }
  service_.Audit().Append(actor, "report.viewed", visit->visitId, meetingId);
}

void ClinicApi::Tick() {
  const auto open = service_.Events().Ping();
  try {
    for (const auto& hash : open) sessions_.TouchByHash(hash);
    sessions_.Sweep();
    service_.Events().CloseEndedSessions([this](const std::string& hash) { return sessions_.Alive(hash); });
    const int64_t now = clock_.NowUs();
    if (lastPurgeUs_ == 0 || now - lastPurgeUs_ >= 3600LL * 1'000'000) {
      service_.PurgeExpired();
      lastPurgeUs_ = now;
    }
  } catch (const ServiceUnavailable& e) {
    // Streams stay open (their sessions cannot be checked now); said once per outage.
    if (!storeDown_) log::Warn("clinic", "session upkeep paused: {}", e.what());
    storeDown_ = true;
    return;
  }
  if (storeDown_) log::Info("clinic", "session upkeep resumed: the clinic store answers again");
  storeDown_ = false;
}

}  // namespace medicall::clinic
