#include "store/SqliteClinicStore.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

namespace medicall::store {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS clinic_users (
  user_id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  clinic TEXT NOT NULL,
  password_hash TEXT NOT NULL DEFAULT '',
  disabled INTEGER NOT NULL DEFAULT 0,
  on_duty INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS clinic_password_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS clinic_visits (
  visit_id TEXT PRIMARY KEY,
  clinic TEXT NOT NULL,
  clinician_id TEXT NOT NULL,
  patient_name TEXT NOT NULL,
  scheduled_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  link_hash TEXT NOT NULL,
  link_expires_at INTEGER NOT NULL,
  meeting_id TEXT NOT NULL DEFAULT '',
  ended_at INTEGER NOT NULL DEFAULT 0,
  link_state TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS clinic_visits_by_link ON clinic_visits(link_hash);
CREATE INDEX IF NOT EXISTS clinic_visits_by_meeting ON clinic_visits(meeting_id);
CREATE TABLE IF NOT EXISTS clinic_waits (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  wait_id TEXT NOT NULL UNIQUE,
  visit_id TEXT NOT NULL,
  clinic TEXT NOT NULL,
  name TEXT NOT NULL,
  since INTEGER NOT NULL,
  state TEXT NOT NULL,
  attendee_id TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS clinic_waits_by_visit ON clinic_waits(visit_id, seq);
CREATE TABLE IF NOT EXISTS clinic_audit (
  seq INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  visit_id TEXT NOT NULL,
  meeting_id TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clinic_audit_by_time ON clinic_audit(time);
CREATE TABLE IF NOT EXISTS clinic_sessions (
  id_hash TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  user_id TEXT NOT NULL,
  wait_id TEXT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_us INTEGER NOT NULL,
  last_seen_us INTEGER NOT NULL,
  idle_us INTEGER NOT NULL,
  max_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clinic_sessions_by_user ON clinic_sessions(user_id);
)sql";

constexpr const char* kUserColumns =
    "user_id, email, name, role, clinic, password_hash, disabled, on_duty, created_at";
constexpr const char* kVisitColumns =
    "visit_id, clinic, clinician_id, patient_name, scheduled_at, created_at, link_hash, link_expires_at, "
    "meeting_id, ended_at, link_state";
constexpr const char* kWaitColumns = "wait_id, visit_id, clinic, name, since, state, attendee_id";
constexpr const char* kAuditColumns =
    "seq, time, actor, action, visit_id, meeting_id, target, detail, prev_hash, hash";

constexpr const char* kSessionColumns =
    "id_hash, role, user_id, wait_id, csrf_token, created_us, last_seen_us, idle_us, max_us";
// A session is over once idle or past its lifetime (SessionRecord::ExpiredAt), with ?1 = now.
constexpr const char* kSessionExpired = "(?1 - last_seen_us >= idle_us OR ?1 - created_us >= max_us)";

const std::string kGenesisHash(64, '0');

}  // namespace

// One prepared statement, finalized at the end of its scope. Binds by position from 1.
class SqliteClinicStore::Statement {
 public:
  Statement(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr) != SQLITE_OK) Fail("prepare");
  }
  ~Statement() { sqlite3_finalize(s_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(const std::string& v) {
    sqlite3_bind_text(s_, ++index_, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Statement& Bind(int64_t v) {
    sqlite3_bind_int64(s_, ++index_, v);
    return *this;
  }
  // True while there is a row.
  bool Step() {
    const int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) Fail("step");
    return false;
  }
  void Run() {
    while (Step()) {
    }
  }
  std::string Text(int column) const {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s_, column));
    return text ? std::string(text, static_cast<size_t>(sqlite3_column_bytes(s_, column))) : std::string();
  }
  int64_t Int(int column) const { return sqlite3_column_int64(s_, column); }
  int Changes() const { return sqlite3_changes(db_); }

 private:
  [[noreturn]] void Fail(const char* what) const {
    throw std::runtime_error(std::string("sqlite (clinic): ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
  int index_ = 0;
};

namespace {

UserRecord ReadUser(const auto& s) {
  UserRecord u;
  u.userId = s.Text(0);
  u.email = s.Text(1);
  u.name = s.Text(2);
  u.role = s.Text(3);
  u.clinic = s.Text(4);
  u.passwordHash = s.Text(5);
  u.disabled = s.Int(6) != 0;
  u.onDuty = s.Int(7) != 0;
  u.createdAt = s.Int(8);
  return u;
}

VisitRecord ReadVisit(const auto& s) {
  VisitRecord v;
  v.visitId = s.Text(0);
  v.clinic = s.Text(1);
  v.clinicianId = s.Text(2);
  v.patientName = s.Text(3);
  v.scheduledAt = s.Int(4);
  v.createdAt = s.Int(5);
  v.linkHash = s.Text(6);
  v.linkExpiresAt = s.Int(7);
  v.meetingId = s.Text(8);
  v.endedAt = s.Int(9);
  v.linkState = s.Text(10);
  return v;
}

WaitRecord ReadWait(const auto& s) {
  WaitRecord w;
  w.waitId = s.Text(0);
  w.visitId = s.Text(1);
  w.clinic = s.Text(2);
  w.name = s.Text(3);
  w.since = s.Int(4);
  w.state = s.Text(5);
  w.attendeeId = s.Text(6);
  return w;
}

AuditRecord ReadAudit(const auto& s) {
  AuditRecord a;
  a.seq = s.Int(0);
  a.time = s.Int(1);
  a.actor = s.Text(2);
  a.action = s.Text(3);
  a.visitId = s.Text(4);
  a.meetingId = s.Text(5);
  a.target = s.Text(6);
  a.detail = s.Text(7);
  a.prevHash = s.Text(8);
  a.hash = s.Text(9);
  return a;
}

SessionRecord ReadSession(const auto& s) {
  SessionRecord r;
  r.idHash = s.Text(0);
  r.role = s.Text(1);
  r.userId = s.Text(2);
  r.waitId = s.Text(3);
  r.csrfToken = s.Text(4);
  r.createdUs = s.Int(5);
  r.lastSeenUs = s.Int(6);
  r.idleUs = s.Int(7);
  r.maxUs = s.Int(8);
  return r;
}

std::string Select(const char* columns, const char* table, const char* rest) {
  return std::string("SELECT ") + columns + " FROM " + table + " " + rest;
}

}  // namespace

SqliteClinicStore::SqliteClinicStore(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  if (ec) throw std::runtime_error("cannot create data directory " + dataDir + ": " + ec.message());
  path_ = (std::filesystem::path(dataDir) / "medicall.db").string();
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("sqlite: cannot open " + path_ + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=FULL");
    Exec(kSchema);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

SqliteClinicStore::~SqliteClinicStore() { sqlite3_close(db_); }

void SqliteClinicStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string("sqlite (clinic): ") + message);
  }
}

template <typename F>
auto SqliteClinicStore::InTransaction(F&& body) -> decltype(body()) {
  Exec("BEGIN IMMEDIATE");
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      Exec("COMMIT");
    } else {
      auto result = body();
      Exec("COMMIT");
      return result;
    }
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

// ---- users ----

bool SqliteClinicStore::InsertUser(const UserRecord& u) {
  std::lock_guard lock(mutex_);
  Statement s(db_, std::string("INSERT OR IGNORE INTO clinic_users (") + kUserColumns +
                       ") VALUES (?,?,?,?,?,?,?,?,?)");
  s.Bind(u.userId).Bind(u.email).Bind(u.name).Bind(u.role).Bind(u.clinic).Bind(u.passwordHash);
  s.Bind(static_cast<int64_t>(u.disabled)).Bind(static_cast<int64_t>(u.onDuty)).Bind(u.createdAt).Run();
  return s.Changes() > 0;
}

std::optional<UserRecord> SqliteClinicStore::FindUserById(const std::string& userId) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kUserColumns, "clinic_users", "WHERE user_id = ?"));
  s.Bind(userId);
  if (!s.Step()) return std::nullopt;
  return ReadUser(s);
}

std::optional<UserRecord> SqliteClinicStore::FindUserByEmail(const std::string& email) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kUserColumns, "clinic_users", "WHERE email = ?"));
  s.Bind(email);
  if (!s.Step()) return std::nullopt;
  return ReadUser(s);
}

std::vector<UserRecord> SqliteClinicStore::ListUsers() {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kUserColumns, "clinic_users", "ORDER BY created_at, email"));
  std::vector<UserRecord> out;
  while (s.Step()) out.push_back(ReadUser(s));
  return out;
}

bool SqliteClinicStore::SetUserDisabled(const std::string& email, bool disabled) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE clinic_users SET disabled = ? WHERE email = ?");
  s.Bind(static_cast<int64_t>(disabled)).Bind(email).Run();
  return s.Changes() > 0;
}

bool SqliteClinicStore::SetPasswordHash(const std::string& userId, const std::string& passwordHash) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE clinic_users SET password_hash = ? WHERE user_id = ?");
  s.Bind(passwordHash).Bind(userId).Run();
  return s.Changes() > 0;
}

void SqliteClinicStore::InsertPasswordToken(const PasswordTokenRecord& t) {
  std::lock_guard lock(mutex_);
  Statement s(
      db_, "INSERT INTO clinic_password_tokens (token_hash, user_id, expires_at, used_at) VALUES (?,?,?,?)");
  s.Bind(t.tokenHash).Bind(t.userId).Bind(t.expiresAt).Bind(t.usedAt).Run();
}

ClinicStore::TokenUse SqliteClinicStore::UsePasswordToken(const std::string& tokenHash, int64_t now,
                                                          std::string& userId) {
  std::lock_guard lock(mutex_);
  return InTransaction([&] {
    Statement s(db_, "SELECT user_id, expires_at, used_at FROM clinic_password_tokens WHERE token_hash = ?");
    s.Bind(tokenHash);
    if (!s.Step()) return TokenUse::kUnknown;
    if (s.Int(2) != 0) return TokenUse::kUsed;
    if (s.Int(1) <= now) return TokenUse::kExpired;
    userId = s.Text(0);
    Statement use(db_, "UPDATE clinic_password_tokens SET used_at = ? WHERE token_hash = ?");
    use.Bind(now).Bind(tokenHash).Run();
    return TokenUse::kOk;
  });
}

// ---- visits ----

void SqliteClinicStore::InsertVisitLocked(const VisitRecord& v) {
  Statement s(
      db_, std::string("INSERT INTO clinic_visits (") + kVisitColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?,?)");
  s.Bind(v.visitId)
      .Bind(v.clinic)
      .Bind(v.clinicianId)
      .Bind(v.patientName)
      .Bind(v.scheduledAt)
      .Bind(v.createdAt);
  s.Bind(v.linkHash).Bind(v.linkExpiresAt).Bind(v.meetingId).Bind(v.endedAt).Bind(v.linkState).Run();
}

void SqliteClinicStore::InsertVisit(const VisitRecord& v) {
  std::lock_guard lock(mutex_);
  InsertVisitLocked(v);
}

std::optional<VisitRecord> SqliteClinicStore::FindVisit(const std::string& visitId) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kVisitColumns, "clinic_visits", "WHERE visit_id = ?"));
  s.Bind(visitId);
  if (!s.Step()) return std::nullopt;
  return ReadVisit(s);
}

std::optional<VisitRecord> SqliteClinicStore::FindVisitByLinkHash(const std::string& linkHash) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kVisitColumns, "clinic_visits", "WHERE link_hash = ?"));
  s.Bind(linkHash);
  if (!s.Step()) return std::nullopt;
  return ReadVisit(s);
}

std::optional<VisitRecord> SqliteClinicStore::FindVisitByMeeting(const std::string& meetingId) {
  if (meetingId.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kVisitColumns, "clinic_visits", "WHERE meeting_id = ?"));
  s.Bind(meetingId);
  if (!s.Step()) return std::nullopt;
  return ReadVisit(s);
}

std::vector<VisitRecord> SqliteClinicStore::ListVisits(const std::string& clinic, int64_t since) {
  std::lock_guard lock(mutex_);
  Statement s(
      db_, Select(kVisitColumns, "clinic_visits v",
                  "WHERE clinic = ? AND (created_at >= ? OR scheduled_at >= ? OR EXISTS (SELECT 1 FROM "
                  "clinic_waits w WHERE w.visit_id = v.visit_id AND w.state = 'waiting')) "
                  "ORDER BY CASE WHEN scheduled_at > 0 THEN scheduled_at ELSE created_at END, created_at"));
  s.Bind(clinic).Bind(since).Bind(since);
  std::vector<VisitRecord> out;
  while (s.Step()) out.push_back(ReadVisit(s));
  return out;
}

void SqliteClinicStore::UpdateVisit(const VisitRecord& v) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "UPDATE clinic_visits SET clinician_id = ?, meeting_id = ?, ended_at = ?, link_state = ? WHERE "
              "visit_id = ?");
  s.Bind(v.clinicianId).Bind(v.meetingId).Bind(v.endedAt).Bind(v.linkState).Bind(v.visitId).Run();
}

// ---- waits ----

void SqliteClinicStore::InsertWait(const WaitRecord& w) {
  std::lock_guard lock(mutex_);
  Statement s(db_, std::string("INSERT INTO clinic_waits (") + kWaitColumns + ") VALUES (?,?,?,?,?,?,?)");
  s.Bind(w.waitId)
      .Bind(w.visitId)
      .Bind(w.clinic)
      .Bind(w.name)
      .Bind(w.since)
      .Bind(w.state)
      .Bind(w.attendeeId)
      .Run();
}

std::optional<WaitRecord> SqliteClinicStore::FindWait(const std::string& waitId) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kWaitColumns, "clinic_waits", "WHERE wait_id = ?"));
  s.Bind(waitId);
  if (!s.Step()) return std::nullopt;
  return ReadWait(s);
}

std::vector<WaitRecord> SqliteClinicStore::ListWaitsOfVisit(const std::string& visitId) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kWaitColumns, "clinic_waits", "WHERE visit_id = ? ORDER BY seq"));
  s.Bind(visitId);
  std::vector<WaitRecord> out;
  while (s.Step()) out.push_back(ReadWait(s));
  return out;
}

std::vector<WaitRecord> SqliteClinicStore::ListQueue(const std::string& clinic) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kWaitColumns, "clinic_waits",
                          "WHERE visit_id = '' AND clinic = ? AND state = 'waiting' ORDER BY seq"));
  s.Bind(clinic);
  std::vector<WaitRecord> out;
  while (s.Step()) out.push_back(ReadWait(s));
  return out;
}

void SqliteClinicStore::SetWaitState(const std::string& waitId, const std::string& state,
                                     const std::string& attendeeId) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "UPDATE clinic_waits SET state = ?, attendee_id = ? WHERE wait_id = ?");
  s.Bind(state).Bind(attendeeId).Bind(waitId).Run();
}

bool SqliteClinicStore::TakeQueuedWait(const std::string& waitId, const VisitRecord& visit) {
  std::lock_guard lock(mutex_);
  return InTransaction([&] {
    Statement claim(
        db_,
        "UPDATE clinic_waits SET visit_id = ? WHERE wait_id = ? AND visit_id = '' AND state = 'waiting'");
    claim.Bind(visit.visitId).Bind(waitId).Run();
    if (claim.Changes() == 0) return false;
    InsertVisitLocked(visit);
    return true;
  });
}

// ---- audit ----

AuditRecord SqliteClinicStore::AppendAudit(AuditRecord entry,
                                           const std::function<std::string(const AuditRecord&)>& hashOf) {
  std::lock_guard lock(mutex_);
  return InTransaction([&] {
    Statement last(db_, "SELECT seq, hash FROM clinic_audit ORDER BY seq DESC LIMIT 1");
    entry.seq = 1;
    entry.prevHash = kGenesisHash;
    if (last.Step()) {
      entry.seq = last.Int(0) + 1;
      entry.prevHash = last.Text(1);
    }
    entry.hash = hashOf(entry);
    Statement s(db_,
                std::string("INSERT INTO clinic_audit (") + kAuditColumns + ") VALUES (?,?,?,?,?,?,?,?,?,?)");
    s.Bind(entry.seq).Bind(entry.time).Bind(entry.actor).Bind(entry.action).Bind(entry.visitId);
    s.Bind(entry.meetingId).Bind(entry.target).Bind(entry.detail).Bind(entry.prevHash).Bind(entry.hash).Run();
    return entry;
  });
}

void SqliteClinicStore::ForEachAudit(int64_t from, int64_t to,
                                     const std::function<void(const AuditRecord&)>& each) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              Select(kAuditColumns, "clinic_audit", "WHERE time >= ? AND (? = 0 OR time < ?) ORDER BY seq"));
  s.Bind(from).Bind(to).Bind(to);
  while (s.Step()) each(ReadAudit(s));
}

// ---- retention ----

int64_t SqliteClinicStore::PurgeBefore(int64_t cutoff) {
  std::lock_guard lock(mutex_);
  return InTransaction([&] {
    const char* old =
        "SELECT visit_id FROM clinic_visits WHERE (ended_at > 0 AND ended_at < ?1) OR (ended_at = 0 AND "
        "meeting_id = '' AND created_at < ?1 AND link_expires_at < ?1)";
    Statement waits(db_, std::string("DELETE FROM clinic_waits WHERE visit_id IN (") + old +
                             ") OR (visit_id = '' AND since < ?1)");
    waits.Bind(cutoff).Run();
    Statement visits(db_, std::string("DELETE FROM clinic_visits WHERE visit_id IN (") + old + ")");
    visits.Bind(cutoff).Run();
    return static_cast<int64_t>(visits.Changes());
  });
}

// ---- sessions ----

void SqliteClinicStore::InsertSession(const SessionRecord& r) {
  std::lock_guard lock(mutex_);
  Statement s(
      db_, std::string("INSERT INTO clinic_sessions (") + kSessionColumns + ") VALUES (?,?,?,?,?,?,?,?,?)");
  s.Bind(r.idHash).Bind(r.role).Bind(r.userId).Bind(r.waitId).Bind(r.csrfToken);
  s.Bind(r.createdUs).Bind(r.lastSeenUs).Bind(r.idleUs).Bind(r.maxUs).Run();
}

std::optional<SessionRecord> SqliteClinicStore::FindSession(const std::string& idHash, int64_t nowUs,
                                                            bool touch) {
  std::lock_guard lock(mutex_);
  Statement s(db_, Select(kSessionColumns, "clinic_sessions", "WHERE id_hash = ?"));
  s.Bind(idHash);
  if (!s.Step()) return std::nullopt;
  SessionRecord r = ReadSession(s);
  if (r.ExpiredAt(nowUs)) {
    Statement gone(db_, "DELETE FROM clinic_sessions WHERE id_hash = ?");
    gone.Bind(idHash).Run();
    return std::nullopt;
  }
  if (touch && nowUs - r.lastSeenUs >= kTouchGranularityUs) {
    Statement seen(db_, "UPDATE clinic_sessions SET last_seen_us = ? WHERE id_hash = ?");
    seen.Bind(nowUs).Bind(idHash).Run();
    r.lastSeenUs = nowUs;
  }
  return r;
}

void SqliteClinicStore::DeleteSession(const std::string& idHash) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM clinic_sessions WHERE id_hash = ?");
  s.Bind(idHash).Run();
}

void SqliteClinicStore::DeleteSessionsOf(const std::string& userId) {
  if (userId.empty()) return;
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM clinic_sessions WHERE user_id = ?");
  s.Bind(userId).Run();
}

int64_t SqliteClinicStore::PurgeSessions(int64_t nowUs) {
  std::lock_guard lock(mutex_);
  Statement s(db_, std::string("DELETE FROM clinic_sessions WHERE ") + kSessionExpired);
  s.Bind(nowUs).Run();
  return s.Changes();
}

int64_t SqliteClinicStore::CountSessions() {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM clinic_sessions");
  s.Step();
  return s.Int(0);
}

}  // namespace medicall::store
