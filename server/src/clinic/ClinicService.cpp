#include "clinic/ClinicService.hpp"

#include <algorithm>

#include "clinic/TimeText.hpp"
#include "common/Logger.hpp"
#include "meetings/ChimeJson.hpp"
#include "meetings/IdGenerator.hpp"
#include "meetings/RequestValidator.hpp"

namespace medicall::clinic {

using nlohmann::json;
using store::UserRecord;
using store::VisitRecord;
using store::WaitRecord;

namespace {

constexpr const char* kClinicianPrefix = "clinician-";
constexpr const char* kPatientPrefix = "patient-";
constexpr size_t kMaxMessagesKept = 50;

[[noreturn]] void NotFoundVisit() { throw ClinicError(404, "NotFound", "This visit does not exist."); }

// What the web app joins with: the JoinInfo value {Meeting, Attendee} that POST /join returns, also
// under "JoinInfo" (the same objects).
json JoinJson(const store::MeetingRecord& meeting, const meetings::AttendeeRecord& attendee,
              const std::string& host, const Config& config) {
  json info = {{"Meeting", meetings::ChimeJson::Meeting(meeting, host, config)},
               {"Attendee", meetings::ChimeJson::Attendee(attendee)}};
  json out = info;
  out["JoinInfo"] = std::move(info);
  return out;
}

json WaitJson(const WaitRecord& w) { return {{"waitId", w.waitId}, {"name", w.name}, {"since", w.since}}; }

}  // namespace

ClinicService::ClinicService(store::ClinicStore& store, meetings::MeetingsService* meetings,
                             const LinkSigner& links, const Config& config, const Clock& clock)
    : store_(store),
      meetings_(meetings),
      links_(links),
      config_(config),
      clock_(clock),
      audit_(store, clock),
      accountLimiter_(kAccountFailures, kFailureWindowUs, clock),
      addressLimiter_(kAddressFailures, kFailureWindowUs, clock) {}

// ---- accounts ----

std::string ClinicService::NormalizeEmail(const std::string& email) {
  std::string out;
  for (unsigned char c : email) out.push_back(static_cast<char>(std::tolower(c)));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  while (!out.empty() && out.front() == ' ') out.erase(out.begin());
  return out;
}

std::optional<std::string> ClinicService::NormalizeName(const std::string& name) {
  std::string_view v = name;
  auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!v.empty() && isSpace(v.front())) v.remove_prefix(1);
  while (!v.empty() && isSpace(v.back())) v.remove_suffix(1);
  const int length = meetings::RequestValidator::Utf8Length(v);
  if (length < 1 || length > 64) return std::nullopt;
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  return std::string(v);
}

std::string ClinicService::AddUser(const std::string& role, const std::string& name, const std::string& email,
                                   const std::string& clinic, UserRecord& created) {
  if (role != "admin" && role != "clinician")
    throw ClinicError(400, "InvalidRole", "The role must be admin or clinician.");
  const auto displayName = NormalizeName(name);
  if (!displayName) throw ClinicError(400, "InvalidName", "The name must be 1-64 characters.");
  const std::string normalized = NormalizeEmail(email);
  const auto at = normalized.find('@');
  if (normalized.size() > 254 || at == std::string::npos || at == 0 || at + 1 >= normalized.size() ||
      normalized.find_first_of(" \t\r\n") != std::string::npos)
    throw ClinicError(400, "InvalidEmail", "The email address is not valid.");
  UserRecord u;
  u.userId = meetings::IdGenerator::NewUuid();
  u.email = normalized;
  u.name = *displayName;
  u.role = role;
  u.clinic = clinic.empty() ? config_.clinicSlug : clinic;
  u.createdAt = NowMs();
  if (!store_.InsertUser(u))
    throw ClinicError(409, "EmailTaken", "An account with this email already exists.");
  const std::string token = meetings::IdGenerator::RandomBase64Url(32);
  store_.InsertPasswordToken({LinkSigner::HashOf(token), u.userId, u.createdAt + kSetPasswordLinkMs, 0});
  audit_.Append("cli", "user.created", "", "", u.userId, "role " + role);
  created = u;
  return token;
}

void ClinicService::SetPassword(const std::string& token, const std::string& password) {
  if (password.size() < PasswordHasher::kMinLength || password.size() > PasswordHasher::kMaxLength)
    throw ClinicError(400, "InvalidPassword", "The password must be at least 10 characters long.");
  std::string userId;
  switch (store_.UsePasswordToken(LinkSigner::HashOf(token), NowMs(), userId)) {
    case store::ClinicStore::TokenUse::kUnknown:
      throw ClinicError(404, "LinkInvalid", "This set-password link is not valid.");
    case store::ClinicStore::TokenUse::kUsed:
      throw ClinicError(410, "LinkUsed", "This set-password link has already been used.");
    case store::ClinicStore::TokenUse::kExpired:
      throw ClinicError(410, "LinkExpired", "This set-password link has expired.");
    case store::ClinicStore::TokenUse::kOk:
      break;
  }
  store_.SetPasswordHash(userId, hasher_.Hash(password));
  audit_.Append(userId, "auth.password_set", "", "", userId);
}

UserRecord ClinicService::Login(const std::string& email, const std::string& password,
                                const std::string& address) {
  const std::string normalized = NormalizeEmail(email);
  const std::string accountKey = "account:" + normalized;
  const std::string addressKey = "address:" + address;
  const int64_t wait =
      std::max(accountLimiter_.RetryAfterSeconds(accountKey), addressLimiter_.RetryAfterSeconds(addressKey));
  if (wait > 0) {
    audit_.Append("address:" + address, "auth.login_limited", "", "", "",
                  "retry after " + std::to_string(wait) + " s");
    throw ClinicError(429, "TooManyRequests", "Too many failed attempts. Try again later.", wait);
  }
  auto user = store_.FindUserByEmail(normalized);
  bool ok = false;
  if (user && !user->passwordHash.empty()) {
    ok = hasher_.Verify(user->passwordHash, password) && !user->disabled;
  } else {
    hasher_.VerifyDummy(password);
  }
  if (!ok) {
    accountLimiter_.RecordFailure(accountKey);
    addressLimiter_.RecordFailure(addressKey);
    audit_.Append(user ? user->userId : "unknown", "auth.login_failed", "", "", "", "from " + address);
    throw ClinicError(401, "InvalidCredentials", "The email or password is not right.");
  }
  accountLimiter_.Reset(accountKey);
  audit_.Append(user->userId, "auth.login", "", "", "", "from " + address);
  return *user;
}

// ---- visits ----

std::vector<UserRecord> ClinicService::Clinicians(const UserRecord& viewer) {
  std::vector<UserRecord> out;
  for (auto& u : store_.ListUsers())
    if (u.clinic == viewer.clinic && !u.disabled) out.push_back(std::move(u));
  return out;
}

UserRecord ClinicService::ClinicianOf(const VisitRecord& visit) {
  auto u = store_.FindUserById(visit.clinicianId);
  if (!u) throw ClinicError(500, "InternalError", "The visit's clinician does not exist.");
  return *u;
}

std::string ClinicService::ClinicianName(const VisitRecord& visit) {
  auto u = store_.FindUserById(visit.clinicianId);
  return u ? u->name : std::string();
}

VisitRecord ClinicService::CreateVisit(const UserRecord& clinician, const std::string& patientName,
                                       int64_t scheduledAt) {
  VisitRecord v;
  v.visitId = meetings::IdGenerator::NewUuid();
  v.clinic = clinician.clinic;
  v.clinicianId = clinician.userId;
  if (!patientName.empty()) {
    auto name = NormalizeName(patientName);
    if (!name) throw ClinicError(400, "InvalidName", "The patient's name must be 1-64 characters.");
    v.patientName = *name;
  }
  v.scheduledAt = scheduledAt;
  v.createdAt = NowMs();
  v.linkHash = LinkSigner::HashOf(links_.TokenFor(v.visitId));
  v.linkExpiresAt = std::max(v.createdAt, v.scheduledAt) + kVisitLinkMs;
  store_.InsertVisit(v);
  audit_.Append(clinician.userId, "visit.created", v.visitId);
  PublishClinic(v.clinic);
  return v;
}

std::vector<VisitRecord> ClinicService::VisitsOf(const UserRecord& clinician) {
  const int64_t since = TimeText::LocalMidnight(NowMs());
  std::vector<VisitRecord> out;
  for (auto& v : store_.ListVisits(clinician.clinic, since))
    if (v.clinicianId == clinician.userId) out.push_back(std::move(v));
  return out;
}

VisitRecord ClinicService::GetVisit(const UserRecord& viewer, const std::string& visitId) {
  auto v = store_.FindVisit(visitId);
  if (!v || v->clinic != viewer.clinic) NotFoundVisit();
  return *v;
}

std::string ClinicService::StatusOf(const VisitRecord& visit, const std::vector<WaitRecord>& waits) {
  if (visit.endedAt != 0) return "ended";
  if (!visit.meetingId.empty()) {
    for (const auto& w : waits)
      if (w.state == "admitted") return "in-call";
  }
  for (const auto& w : waits)
    if (w.state == "waiting") return "waiting";
  return "scheduled";
}

json ClinicService::VisitJson(const VisitRecord& v, const std::string& viewerId) {
  const auto waits = store_.ListWaitsOfVisit(v.visitId);
  json waiting = json::array();
  for (const auto& w : waits)
    if (w.state == "waiting") waiting.push_back(WaitJson(w));
  const bool owner = viewerId == v.clinicianId;
  return {{"id", v.visitId},
          {"patientName", v.patientName.empty() ? json(nullptr) : json(v.patientName)},
          {"scheduledAt", v.scheduledAt ? json(TimeText::Iso(v.scheduledAt)) : json(nullptr)},
          {"status", StatusOf(v, waits)},
          {"clinicianId", v.clinicianId},
          {"clinicianName", ClinicianName(v)},
          {"link", owner ? json("/v/" + links_.TokenFor(v.visitId)) : json(nullptr)},
          {"linkExpiresAt", TimeText::Iso(v.linkExpiresAt)},
          {"waiting", waiting},
          {"meetingId", v.meetingId.empty() || v.endedAt != 0 ? json(nullptr) : json(v.meetingId)}};
}

json ClinicService::StateFor(const std::string& userId) {
  auto user = store_.FindUserById(userId);
  json visits = json::array();
  json queue = json::array();
  if (user) {
    for (const auto& v : VisitsOf(*user)) visits.push_back(VisitJson(v, userId));
    for (const auto& w : store_.ListQueue(user->clinic)) queue.push_back(WaitJson(w));
  }
  return {{"visits", visits}, {"queue", queue}};
}

void ClinicService::PublishClinicHere(const std::string& clinic) {
  events_.PublishToClinic(clinic, "state", [this](const std::string& userId) { return StateFor(userId); });
}

void ClinicService::PublishClinic(const std::string& clinic) {
  PublishClinicHere(clinic);
  Share({{"op", "state"}, {"clinic", clinic}});
}

void ClinicService::ToPatientHere(const std::string& waitId, const std::string& event, const json& data) {
  if (event == "admitted" && data.contains("join")) {
    std::lock_guard lock(mutex_);
    pendingJoins_[waitId] = data["join"];
  }
  events_.SendToPatient(waitId, event, data);
}

void ClinicService::ToPatient(const std::string& waitId, const std::string& event, const json& data) {
  ToPatientHere(waitId, event, data);
  Share({{"op", "patient"}, {"waitId", waitId}, {"event", event}, {"data", data}});
}

void ClinicService::ClosePatientHere(const std::string& waitId) {
  events_.ClosePatient(waitId);
  std::lock_guard lock(mutex_);
  pendingJoins_.erase(waitId);
}

void ClinicService::ClosePatient(const std::string& waitId) {
  ClosePatientHere(waitId);
  Share({{"op", "close"}, {"waitId", waitId}});
}

void ClinicService::KeepMessage(const std::string& visitId, const std::string& text, int64_t at) {
  std::lock_guard lock(mutex_);
  auto& list = messages_[visitId];
  list.push_back({text, at});
  if (list.size() > kMaxMessagesKept) list.erase(list.begin());
}

void ClinicService::ForgetVisit(const std::string& visitId, const std::string& meetingId) {
  std::lock_guard lock(mutex_);
  messages_.erase(visitId);
  if (!meetingId.empty())
    std::erase_if(clinicianAttendees_, [&](const auto& e) { return e.first.starts_with(meetingId + "/"); });
}

void ClinicService::Share(const json& event) {
  if (!broadcast_) return;
  try {
    broadcast_(DumpJson(event));
  } catch (const std::exception& e) {
    // This node's streams have it; the other nodes' see the store's state at their next event.
    log::Error("clinic", "event {} not sent to the other nodes: {}", event.value("op", ""), e.what());
  }
}

void ClinicService::OnPeerEvent(const std::string& text) {
  const json event = json::parse(text, nullptr, false);
  if (!event.is_object()) return;
  const std::string op = event.value("op", "");
  if (op == "state") return PublishClinicHere(event.value("clinic", ""));
  if (op == "patient" && event.contains("data"))
    return ToPatientHere(event.value("waitId", ""), event.value("event", ""), event["data"]);
  if (op == "close") return ClosePatientHere(event.value("waitId", ""));
  if (op == "message")
    return KeepMessage(event.value("visitId", ""), event.value("text", ""), event.value("at", 0LL));
  if (op == "visit-ended") return ForgetVisit(event.value("visitId", ""), event.value("meetingId", ""));
}

VisitRecord ClinicService::OpenVisit(const UserRecord& clinician, const std::string& visitId) {
  VisitRecord v = GetVisit(clinician, visitId);
  if (v.endedAt != 0) throw ClinicError(410, "VisitEnded", "This visit has ended.");
  return v;
}

store::MeetingRecord ClinicService::MeetingFor(VisitRecord& visit) {
  if (meetings_ == nullptr) throw ClinicError(500, "InternalError", "No meetings service.");
  if (!visit.meetingId.empty()) {
    try {
      return meetings_->GetMeeting(visit.meetingId);
    } catch (const NotFound&) {
      // Ended while nobody was in it (idle expiry): the visit gets a new one.
    }
  }
  meetings::CreateMeetingParams params;
  params.externalMeetingId = kVisitRoomPrefix + visit.visitId;
  params.mediaRegion = config_.awsRegion;
  const auto meeting = meetings_->CreateMeeting(params);
  visit.meetingId = meeting.meetingId;
  store_.UpdateVisit(visit);
  return meeting;
}

meetings::AttendeeRecord ClinicService::ClinicianAttendee(const VisitRecord& visit,
                                                          const UserRecord& clinician) {
  const std::string key = visit.meetingId + "/" + clinician.userId;
  {
    std::lock_guard lock(mutex_);
    auto it = clinicianAttendees_.find(key);
    if (it != clinicianAttendees_.end()) {
      try {
        meetings_->GetAttendee(visit.meetingId, it->second.attendeeId);
        return it->second;
      } catch (const NotFound&) {
        clinicianAttendees_.erase(it);
      }
    }
  }
  const std::string externalUserId = kClinicianPrefix + clinician.userId;
  // Its token is no longer known (only its hash is stored): replace that attendee.
  for (const auto& a : meetings_->ListAllAttendees(visit.meetingId)) {
    if (a.externalUserId == externalUserId) meetings_->DeleteAttendee(visit.meetingId, a.attendeeId);
  }
  meetings::CreateAttendeeParams params;
  params.externalUserId = externalUserId;
  params.name = clinician.name;
  auto attendee = meetings_->CreateAttendee(visit.meetingId, params);
  std::lock_guard lock(mutex_);
  clinicianAttendees_[key] = attendee;
  return attendee;
}

json ClinicService::Admit(const UserRecord& clinician, const std::string& visitId, const std::string& waitId,
                          const std::string& host) {
  VisitRecord visit = OpenVisit(clinician, visitId);
  auto wait = store_.FindWait(waitId);
  if (!wait || wait->visitId != visit.visitId)
    throw ClinicError(404, "NotFound", "Nobody with this waitId is waiting for this visit.");
  if (wait->state != "waiting" && wait->state != "admitted")
    throw ClinicError(409, "NotWaiting", "This patient is no longer waiting.");
  const auto meeting = MeetingFor(visit);
  const auto mine = ClinicianAttendee(visit, clinician);
  const json clinicianJoin = JoinJson(meeting, mine, host, config_);
  if (wait->state == "waiting") {
    meetings::CreateAttendeeParams params;
    params.externalUserId = kPatientPrefix + wait->waitId;
    params.name = wait->name;
    const auto patient = meetings_->CreateAttendee(meeting.meetingId, params);
    store_.SetWaitState(wait->waitId, "admitted", patient.attendeeId);
    const json patientJoin = JoinJson(meeting, patient, host, config_);
    ToPatient(wait->waitId, "admitted", {{"join", patientJoin}});
    audit_.Append(clinician.userId, "visit.admitted", visit.visitId, meeting.meetingId, patient.attendeeId,
                  "wait " + wait->waitId);
    PublishClinic(visit.clinic);
  }
  return clinicianJoin;
}

void ClinicService::Message(const UserRecord& clinician, const std::string& visitId,
                            const std::string& waitId, const std::string& text) {
  VisitRecord visit = OpenVisit(clinician, visitId);
  if (text.empty() || meetings::RequestValidator::Utf8Length(text) < 1 ||
      meetings::RequestValidator::Utf8Length(text) > static_cast<int>(kMaxMessageChars))
    throw ClinicError(400, "InvalidMessage", "A message must be 1-500 characters.");
  const int64_t at = NowMs();
  std::vector<WaitRecord> targets;
  for (auto& w : store_.ListWaitsOfVisit(visit.visitId)) {
    if (w.state != "waiting") continue;
    if (!waitId.empty() && w.waitId != waitId) continue;
    targets.push_back(std::move(w));
  }
  if (!waitId.empty() && targets.empty())
    throw ClinicError(404, "NotFound", "Nobody with this waitId is waiting for this visit.");
  KeepMessage(visit.visitId, text, at);
  Share({{"op", "message"}, {"visitId", visit.visitId}, {"text", text}, {"at", at}});
  for (const auto& w : targets) ToPatient(w.waitId, "message", {{"text", text}, {"at", at}});
  audit_.Append(clinician.userId, "message.sent", visit.visitId, "", waitId,
                std::to_string(targets.size()) + " recipients");
}

VisitRecord ClinicService::Transfer(const UserRecord& clinician, const std::string& visitId,
                                    const std::string& toClinicianId) {
  VisitRecord visit = OpenVisit(clinician, visitId);
  auto to = store_.FindUserById(toClinicianId);
  if (!to || to->clinic != visit.clinic || to->disabled)
    throw ClinicError(404, "NotFound", "There is no such clinician in this clinic.");
  const std::string from = visit.clinicianId;
  visit.clinicianId = to->userId;
  store_.UpdateVisit(visit);
  for (const auto& w : store_.ListWaitsOfVisit(visit.visitId))
    if (w.state == "waiting") ToPatient(w.waitId, "transferred", {{"clinicianName", to->name}});
  audit_.Append(clinician.userId, "visit.transferred", visit.visitId, visit.meetingId, to->userId,
                "from " + from);
  PublishClinic(visit.clinic);
  return visit;
}

void ClinicService::End(const UserRecord& clinician, const std::string& visitId) {
  VisitRecord visit = OpenVisit(clinician, visitId);
  if (!visit.meetingId.empty() && meetings_ != nullptr) {
    try {
      meetings_->DeleteMeeting(visit.meetingId);  // AUDIO_STATUS 410 to every attendee
    } catch (const NotFound&) {
    }
  }
  visit.endedAt = NowMs();
  store_.UpdateVisit(visit);
  for (const auto& w : store_.ListWaitsOfVisit(visit.visitId)) {
    if (w.state == "waiting" || w.state == "admitted") {
      store_.SetWaitState(w.waitId, "ended", w.attendeeId);
      ToPatient(w.waitId, "ended", {{"reason", "VisitEnded"}});
      ClosePatient(w.waitId);
    }
    std::lock_guard lock(mutex_);
    pendingJoins_.erase(w.waitId);
  }
  ForgetVisit(visit.visitId, visit.meetingId);
  Share({{"op", "visit-ended"}, {"visitId", visit.visitId}, {"meetingId", visit.meetingId}});
  audit_.Append(clinician.userId, "visit.ended", visit.visitId, visit.meetingId);
  PublishClinic(visit.clinic);
}

void ClinicService::CheckAttendeeOfVisit(const VisitRecord& visit, const std::string& attendeeId) {
  if (visit.meetingId.empty() || meetings_ == nullptr)
    throw ClinicError(404, "NotFound", "This visit has no call yet.");
  try {
    meetings_->GetAttendee(visit.meetingId, attendeeId);
  } catch (const ApiError&) {
    throw ClinicError(404, "NotFound", "This attendee is not in the visit.");
  }
}

std::string ClinicService::SenderAttendeeOf(const VisitRecord& visit, const UserRecord& clinician) {
  std::lock_guard lock(mutex_);
  auto it = clinicianAttendees_.find(visit.meetingId + "/" + clinician.userId);
  if (it != clinicianAttendees_.end()) return it->second.attendeeId;
  return {};
}

void ClinicService::Mute(const UserRecord& clinician, const std::string& visitId,
                         const std::string& attendeeId, bool muted) {
  VisitRecord visit = OpenVisit(clinician, visitId);
  CheckAttendeeOfVisit(visit, attendeeId);
  if (host_ != nullptr) {
    host_->SetHostMuted(visit.meetingId, attendeeId, muted);
    const json data = muted ? json{{"type", "mute"}, {"attendeeId", attendeeId}, {"canUnmute", false}}
                            : json{{"type", "allow-unmute"}, {"attendeeId", attendeeId}};
    host_->SendDataMessage(visit.meetingId, "medicall.host", DumpJson(data),
                           SenderAttendeeOf(visit, clinician), kClinicianPrefix + clinician.userId);
  }
  audit_.Append(clinician.userId, muted ? "host.muted" : "host.unmute_allowed", visit.visitId,
                visit.meetingId, attendeeId);
}

void ClinicService::Remove(const UserRecord& clinician, const std::string& visitId,
                           const std::string& attendeeId) {
  VisitRecord visit = OpenVisit(clinician, visitId);
  CheckAttendeeOfVisit(visit, attendeeId);
  meetings_->DeleteAttendee(visit.meetingId,
                            attendeeId);  // AUDIO_STATUS 411; its token is refused from now on
  if (host_ != nullptr) host_->SetHostMuted(visit.meetingId, attendeeId, false);
  for (const auto& w : store_.ListWaitsOfVisit(visit.visitId)) {
    if (w.attendeeId != attendeeId) continue;
    store_.SetWaitState(w.waitId, "removed", w.attendeeId);
    visit.linkState = "removed";  // the link that patient used is dead
    store_.UpdateVisit(visit);
    ToPatient(w.waitId, "ended", {{"reason", "Removed"}});
    ClosePatient(w.waitId);
  }
  {
    std::lock_guard lock(mutex_);
    std::erase_if(clinicianAttendees_, [&](const auto& e) { return e.second.attendeeId == attendeeId; });
  }
  audit_.Append(clinician.userId, "attendee.removed", visit.visitId, visit.meetingId, attendeeId);
  PublishClinic(visit.clinic);
}

VisitRecord ClinicService::Take(const UserRecord& clinician, const std::string& waitId) {
  auto wait = store_.FindWait(waitId);
  if (!wait || wait->clinic != clinician.clinic)
    throw ClinicError(404, "NotFound", "Nobody with this waitId is in the queue.");
  VisitRecord v;
  v.visitId = meetings::IdGenerator::NewUuid();
  v.clinic = clinician.clinic;
  v.clinicianId = clinician.userId;
  v.patientName = wait->name;
  v.createdAt = NowMs();
  v.linkHash = LinkSigner::HashOf(links_.TokenFor(v.visitId));
  v.linkExpiresAt = v.createdAt + kVisitLinkMs;
  if (!store_.TakeQueuedWait(waitId, v))
    throw ClinicError(409, "AlreadyTaken", "Another clinician has already taken this patient.");
  ToPatient(waitId, "transferred", {{"clinicianName", clinician.name}});
  audit_.Append(clinician.userId, "queue.taken", v.visitId, "", waitId);
  PublishClinic(v.clinic);
  return v;
}

// ---- patient side ----

VisitRecord ClinicService::OpenLink(const std::string& token) {
  std::optional<VisitRecord> v;
  if (LinkSigner::LooksLikeToken(token)) v = store_.FindVisitByLinkHash(LinkSigner::HashOf(token));
  if (!v) throw ClinicError(404, "LinkInvalid", "This visit link is not valid.");
  if (v->endedAt != 0) throw ClinicError(410, "VisitEnded", "This visit has ended.");
  if (v->linkState == "removed") throw ClinicError(410, "Removed", "You were removed from this visit.");
  if (v->linkExpiresAt <= NowMs()) throw ClinicError(410, "LinkExpired", "This visit link has expired.");
  return *v;
}

WaitRecord ClinicService::StartWait(const std::string& visitId, const std::string& clinic,
                                    const std::string& name, const std::string& action) {
  const auto normalized = NormalizeName(name);
  if (!normalized) throw ClinicError(400, "InvalidName", "Please type your name (1-64 characters).");
  WaitRecord w;
  w.waitId = meetings::IdGenerator::NewUuid();
  w.visitId = visitId;
  w.clinic = clinic;
  w.name = *normalized;
  w.since = NowMs();
  store_.InsertWait(w);
  audit_.Append("patient:" + w.waitId, action, visitId, "", w.waitId);
  PublishClinic(clinic);
  return w;
}

WaitRecord ClinicService::WaitOnLink(const std::string& token, const std::string& name) {
  const VisitRecord v = OpenLink(token);
  return StartWait(v.visitId, v.clinic, name, "waiting.started");
}

WaitRecord ClinicService::WaitInQueue(const std::string& slug, const std::string& name) {
  if (slug != config_.clinicSlug)
    throw ClinicError(404, "ClinicNotFound", "There is no clinic at this address.");
  return StartWait("", slug, name, "queue.joined");
}

void ClinicService::Leave(const std::string& waitId) {
  auto w = store_.FindWait(waitId);
  if (!w) return;
  if (w->state == "waiting") {
    store_.SetWaitState(waitId, "left", w->attendeeId);
    audit_.Append("patient:" + waitId, "waiting.left", w->visitId, "", waitId);
    PublishClinic(w->clinic);
  }
}

json ClinicService::PatientStatus(const std::string& waitId) {
  auto w = store_.FindWait(waitId);
  if (!w) return {{"status", "ended"}, {"clinicianName", nullptr}, {"messages", json::array()}};
  json status = {{"status", w->state}, {"clinicianName", nullptr}, {"messages", json::array()}};
  if (!w->visitId.empty()) {
    if (auto v = store_.FindVisit(w->visitId)) {
      status["clinicianName"] = ClinicianName(*v);
      if (v->endedAt != 0) status["status"] = "ended";
      std::lock_guard lock(mutex_);
      for (const auto& m : messages_[v->visitId])
        status["messages"].push_back({{"text", m.text}, {"at", m.at}});
    }
  }
  return status;
}

std::optional<json> ClinicService::PendingJoin(const std::string& waitId) {
  std::lock_guard lock(mutex_);
  auto it = pendingJoins_.find(waitId);
  if (it == pendingJoins_.end()) return std::nullopt;
  return it->second;
}

// ---- the call ----

std::optional<VisitRecord> ClinicService::VisitOfMeeting(const std::string& meetingId) {
  return store_.FindVisitByMeeting(meetingId);
}

void ClinicService::OnPresence(const std::string& meetingId, const std::string& attendeeId,
                               const std::string& kind) {
  auto v = store_.FindVisitByMeeting(meetingId);
  if (!v) return;
  audit_.Append(attendeeId, "attendee." + kind, v->visitId, meetingId, attendeeId);
}

int64_t ClinicService::PurgeExpired() {
  const int64_t cutoff = NowMs() - static_cast<int64_t>(config_.retentionDays) * 24 * 3600 * 1000;
  const int64_t purged = store_.PurgeBefore(cutoff);
  if (purged > 0) {
    audit_.Append(
        "system", "retention.purged", "", "", "",
        std::to_string(purged) + " visits older than " + std::to_string(config_.retentionDays) + " days");
    log::Info("clinic", "retention: {} visit records purged", purged);
  }
  return purged;
}

}  // namespace medicall::clinic
