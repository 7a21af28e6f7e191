#include "store/SqliteStore.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>
#include <vector>

#include "common/Digest.hpp"
#include "common/Logger.hpp"
#include "store/SqliteStatement.hpp"

namespace medicall::store {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meetings (
  meeting_id TEXT PRIMARY KEY,
  external_meeting_id TEXT NOT NULL,
  meeting_host_id TEXT NOT NULL,
  media_region TEXT NOT NULL,
  primary_meeting_id TEXT NOT NULL,
  features_json TEXT NOT NULL,
  notifications_json TEXT NOT NULL,
  tags_json TEXT NOT NULL,
  tenant_ids_json TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  idle_since INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS meetings_by_external ON meetings(external_meeting_id, created_at);
CREATE TABLE IF NOT EXISTS attendees (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  meeting_id TEXT NOT NULL,
  attendee_id TEXT NOT NULL,
  external_user_id TEXT NOT NULL,
  join_token TEXT NOT NULL,
  audio TEXT NOT NULL,
  video TEXT NOT NULL,
  content TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  left_at INTEGER NOT NULL DEFAULT 0,
  UNIQUE(meeting_id, attendee_id)
);
CREATE INDEX IF NOT EXISTS attendees_by_meeting ON attendees(meeting_id, seq);
CREATE INDEX IF NOT EXISTS attendees_by_external ON attendees(meeting_id, external_user_id);
CREATE INDEX IF NOT EXISTS attendees_by_token ON attendees(join_token);
CREATE TABLE IF NOT EXISTS idempotency_tokens (
  token TEXT PRIMARY KEY,
  meeting_id TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS tokens_by_meeting ON idempotency_tokens(meeting_id);
)sql";

constexpr const char* kMeetingColumns =
    "meeting_id, external_meeting_id, meeting_host_id, media_region, primary_meeting_id, features_json, "
    "notifications_json, tags_json, tenant_ids_json, created_at, idle_since";
constexpr const char* kAttendeeColumns =
    "seq, meeting_id, attendee_id, external_user_id, join_token, audio, video, content, name, created_at, "
    "left_at";

std::string Sql(const char* a, const char* b = "", const char* c = "") { return std::string(a) + b + c; }

using sqlite::BindText;
using sqlite::ColumnText;
using sqlite::StatementScope;

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error("sqlite: " + what + ": " + sqlite3_errmsg(db));
}

// Steps a statement that returns no rows.
void StepDone(sqlite3* db, sqlite3_stmt* s, const char* what) {
  const int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE) Fail(db, what);
}

// Steps a bound query that returns at most one row: that row as `read` makes it, or nullopt.
template <typename Read>
auto StepOne(sqlite3* db, sqlite3_stmt* s, Read read, const char* what) -> std::optional<decltype(read(s))> {
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) return read(s);
  if (rc != SQLITE_DONE) Fail(db, what);
  return std::nullopt;
}

MeetingRecord ReadMeeting(sqlite3_stmt* s) {
  MeetingRecord m;
  m.meetingId = ColumnText(s, 0);
  m.externalMeetingId = ColumnText(s, 1);
  m.meetingHostId = ColumnText(s, 2);
  m.mediaRegion = ColumnText(s, 3);
  m.primaryMeetingId = ColumnText(s, 4);
  m.featuresJson = ColumnText(s, 5);
  m.notificationsJson = ColumnText(s, 6);
  m.tagsJson = ColumnText(s, 7);
  m.tenantIdsJson = ColumnText(s, 8);
  m.createdAt = sqlite3_column_int64(s, 9);
  m.idleSince = sqlite3_column_int64(s, 10);
  return m;
}

AttendeeRecord ReadAttendee(sqlite3_stmt* s) {
  AttendeeRecord a;
  a.seq = sqlite3_column_int64(s, 0);
  a.meetingId = ColumnText(s, 1);
  a.attendeeId = ColumnText(s, 2);
  a.externalUserId = ColumnText(s, 3);
  // Only the token's SHA-256 is stored: the raw token is returned once, at creation.
  a.joinToken.clear();
  a.audio = ColumnText(s, 5);
  a.video = ColumnText(s, 6);
  a.content = ColumnText(s, 7);
  a.name = ColumnText(s, 8);
  a.createdAt = sqlite3_column_int64(s, 9);
  a.leftAt = sqlite3_column_int64(s, 10);
  return a;
}

}  // namespace

namespace {

sqlite3* Open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK) {
    const std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    throw std::runtime_error("sqlite: cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

}  // namespace

bool SqliteStore::IsRead(StatementId id) {
  switch (id) {
    case kFindMeeting:
    case kFindMeetingByExternal:
    case kFindToken:
    case kExpiryCandidates:
    case kFindAttendee:
    case kFindAttendeeByExternal:
    case kFindAttendeeByToken:
    case kListAttendees:
    case kCountAttendees:
    case kCountAllMeetings:
    case kCountAllAttendees:
      return true;
    default:
      return false;
  }
}

SqliteStore::SqliteStore(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  if (ec) throw std::runtime_error("cannot create data directory " + dataDir + ": " + ec.message());
  path_ = (std::filesystem::path(dataDir) / "medicall.db").string();
  try {
    db_ = Open(path_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    Exec(db_, "PRAGMA journal_mode=WAL");
    Exec(db_, "PRAGMA synchronous=FULL");
    Exec(db_, "PRAGMA foreign_keys=ON");
    Exec(db_, kSchema);
    Migrate();
    // Opened once the file is in WAL mode with its schema: reads never wait for the writer.
    readDb_ = Open(path_, SQLITE_OPEN_READONLY);

    const std::string meetingSelect = Sql("SELECT ", kMeetingColumns, " FROM meetings ");
    const std::string attendeeSelect = Sql("SELECT ", kAttendeeColumns, " FROM attendees ");
    const std::pair<StatementId, std::string> sql[] = {
        {kBegin, "BEGIN IMMEDIATE"},
        {kCommit, "COMMIT"},
        {kRollback, "ROLLBACK"},
        {kInsertMeeting, Sql("INSERT INTO meetings (", kMeetingColumns, ") VALUES (?,?,?,?,?,?,?,?,?,?,?)")},
        {kInsertToken,
         "INSERT OR REPLACE INTO idempotency_tokens (token, meeting_id, created_at) VALUES (?,?,?)"},
        {kFindMeeting, meetingSelect + "WHERE meeting_id = ?"},
        {kFindMeetingByExternal,
         meetingSelect + "WHERE external_meeting_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1"},
        {kFindToken, "SELECT meeting_id FROM idempotency_tokens WHERE token = ?"},
        {kSetIdleSince, "UPDATE meetings SET idle_since = ? WHERE meeting_id = ?"},
        {kExpiryCandidates, meetingSelect + "WHERE idle_since <= ? OR created_at <= ?"},
        {kDeleteMeeting, "DELETE FROM meetings WHERE meeting_id = ?"},
        {kDeleteMeetingAttendees, "DELETE FROM attendees WHERE meeting_id = ?"},
        {kDeleteMeetingTokens, "DELETE FROM idempotency_tokens WHERE meeting_id = ?"},
        {kInsertAttendee,
         "INSERT INTO attendees (meeting_id, attendee_id, external_user_id, join_token, audio, video, "
         "content, "
         "name, created_at) VALUES (?,?,?,?,?,?,?,?,?)"},
        {kFindAttendee, attendeeSelect + "WHERE meeting_id = ? AND attendee_id = ?"},
        {kFindAttendeeByExternal,
         attendeeSelect + "WHERE meeting_id = ? AND external_user_id = ? ORDER BY seq LIMIT 1"},
        {kFindAttendeeByToken, attendeeSelect + "WHERE meeting_id = ? AND join_token = ?"},
        {kListAttendees, attendeeSelect + "WHERE meeting_id = ? AND seq > ? ORDER BY seq LIMIT ?"},
        {kCountAttendees, "SELECT COUNT(*) FROM attendees WHERE meeting_id = ?"},
        {kDeleteAttendee, "DELETE FROM attendees WHERE meeting_id = ? AND attendee_id = ?"},
        {kSetAttendeeLeftAt, "UPDATE attendees SET left_at = ? WHERE meeting_id = ? AND attendee_id = ?"},
        {kCountAllMeetings, "SELECT COUNT(*) FROM meetings"},
        {kCountAllAttendees, "SELECT COUNT(*) FROM attendees"},
    };
    for (const auto& [id, text] : sql) {
      sqlite3* db = IsRead(id) ? readDb_ : db_;
      if (sqlite3_prepare_v3(db, text.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &statements_[id], nullptr) !=
          SQLITE_OK)
        Fail(db, "prepare " + text);
    }
  } catch (...) {
    for (auto*& s : statements_) sqlite3_finalize(s);
    sqlite3_close(readDb_);
    sqlite3_close(db_);
    readDb_ = db_ = nullptr;
    throw;
  }
  log::Info("store", "sqlite store at {}", path_);
}

SqliteStore::~SqliteStore() {
  for (auto*& s : statements_) sqlite3_finalize(s);
  sqlite3_close(readDb_);
  sqlite3_close(db_);
}

// Databases written before a column existed get it with its default.
void SqliteStore::Migrate() {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM pragma_table_info('attendees') WHERE name = 'left_at'", -1, &s,
                         nullptr) != SQLITE_OK)
    Fail(db_, "read schema");
  const int rc = sqlite3_step(s);
  sqlite3_finalize(s);
  if (rc == SQLITE_DONE) Exec(db_, "ALTER TABLE attendees ADD COLUMN left_at INTEGER NOT NULL DEFAULT 0");

  // Join tokens were stored as sent before; now only their SHA-256 (hex) is. Once, in one transaction.
  Exec(db_, "CREATE TABLE IF NOT EXISTS store_migrations (name TEXT PRIMARY KEY)");
  if (sqlite3_prepare_v2(db_, "SELECT 1 FROM store_migrations WHERE name = 'join_token_sha256'", -1, &s,
                         nullptr) != SQLITE_OK)
    Fail(db_, "read migrations");
  const int done = sqlite3_step(s);
  sqlite3_finalize(s);
  if (done == SQLITE_ROW) return;
  Exec(db_, "BEGIN IMMEDIATE");
  try {
    std::vector<std::pair<int64_t, std::string>> rows;
    if (sqlite3_prepare_v2(db_, "SELECT seq, join_token FROM attendees", -1, &s, nullptr) != SQLITE_OK)
      Fail(db_, "read tokens");
    while (sqlite3_step(s) == SQLITE_ROW) rows.emplace_back(sqlite3_column_int64(s, 0), ColumnText(s, 1));
    sqlite3_finalize(s);
    if (sqlite3_prepare_v2(db_, "UPDATE attendees SET join_token = ? WHERE seq = ?", -1, &s, nullptr) !=
        SQLITE_OK)
      Fail(db_, "prepare token update");
    for (const auto& [seq, token] : rows) {
      BindText(s, 1, digest::Sha256Hex(token));
      sqlite3_bind_int64(s, 2, seq);
      const int step = sqlite3_step(s);
      sqlite3_reset(s);
      if (step != SQLITE_DONE) {
        sqlite3_finalize(s);
        Fail(db_, "hash join token");
      }
    }
    sqlite3_finalize(s);
    Exec(db_, "INSERT INTO store_migrations (name) VALUES ('join_token_sha256')");
    Exec(db_, "COMMIT");
    if (!rows.empty()) log::Info("store", "{} join tokens now stored as SHA-256", rows.size());
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteStore::Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string("sqlite: ") + message);
  }
}

sqlite3_stmt* SqliteStore::Prepared(StatementId id) { return statements_[id]; }

template <typename F>
void SqliteStore::InTransaction(F&& body) {
  {
    sqlite3_stmt* begin = Prepared(kBegin);
    StatementScope scope(begin);
    StepDone(db_, begin, "begin");
  }
  try {
    body();
    sqlite3_stmt* commit = Prepared(kCommit);
    StatementScope scope(commit);
    StepDone(db_, commit, "commit");
  } catch (...) {
    sqlite3_stmt* rollback = Prepared(kRollback);
    StatementScope scope(rollback);
    sqlite3_step(rollback);
    throw;
  }
}

void SqliteStore::InsertAttendeeLocked(const AttendeeRecord& a) {
  sqlite3_stmt* s = Prepared(kInsertAttendee);
  StatementScope scope(s);
  BindText(s, 1, a.meetingId);
  BindText(s, 2, a.attendeeId);
  BindText(s, 3, a.externalUserId);
  BindText(s, 4, digest::Sha256Hex(a.joinToken));
  BindText(s, 5, a.audio);
  BindText(s, 6, a.video);
  BindText(s, 7, a.content);
  BindText(s, 8, a.name);
  sqlite3_bind_int64(s, 9, a.createdAt);
  StepDone(db_, s, "insert attendee");
}

void SqliteStore::InsertAttendeesLocked(const std::vector<AttendeeRecord>& attendees) {
  for (const auto& a : attendees) InsertAttendeeLocked(a);
}

void SqliteStore::InsertMeeting(const MeetingRecord& m, const std::vector<AttendeeRecord>& attendees,
                                const std::string& clientRequestToken) {
  std::lock_guard lock(mutex_);
  InTransaction([&] {
    {
      sqlite3_stmt* s = Prepared(kInsertMeeting);
      StatementScope scope(s);
      BindText(s, 1, m.meetingId);
      BindText(s, 2, m.externalMeetingId);
      BindText(s, 3, m.meetingHostId);
      BindText(s, 4, m.mediaRegion);
      BindText(s, 5, m.primaryMeetingId);
      BindText(s, 6, m.featuresJson);
      BindText(s, 7, m.notificationsJson);
      BindText(s, 8, m.tagsJson);
      BindText(s, 9, m.tenantIdsJson);
      sqlite3_bind_int64(s, 10, m.createdAt);
      sqlite3_bind_int64(s, 11, m.idleSince);
      StepDone(db_, s, "insert meeting");
    }
    if (!clientRequestToken.empty()) {
      sqlite3_stmt* s = Prepared(kInsertToken);
      StatementScope scope(s);
      BindText(s, 1, clientRequestToken);
      BindText(s, 2, m.meetingId);
      sqlite3_bind_int64(s, 3, m.createdAt);
      StepDone(db_, s, "insert token");
    }
    InsertAttendeesLocked(attendees);
  });
}

std::optional<MeetingRecord> SqliteStore::FindMeeting(const std::string& meetingId) {
  std::lock_guard lock(readMutex_);
  sqlite3_stmt* s = Prepared(kFindMeeting);
  StatementScope scope(s);
  BindText(s, 1, meetingId);
  return StepOne(readDb_, s, ReadMeeting, "find meeting");
}

std::optional<MeetingRecord> SqliteStore::FindMeetingByExternalId(const std::string& externalMeetingId) {
  std::lock_guard lock(readMutex_);
  sqlite3_stmt* s = Prepared(kFindMeetingByExternal);
  StatementScope scope(s);
  BindText(s, 1, externalMeetingId);
  return StepOne(readDb_, s, ReadMeeting, "find meeting by external id");
}

std::optional<std::string> SqliteStore::FindMeetingIdByToken(const std::string& clientRequestToken) {
  std::lock_guard lock(readMutex_);
  sqlite3_stmt* s = Prepared(kFindToken);
  StatementScope scope(s);
  BindText(s, 1, clientRequestToken);
  return StepOne(
      readDb_, s, [](sqlite3_stmt* row) { return ColumnText(row, 0); }, "find token");
}

void SqliteStore::SetMeetingIdleSince(const std::string& meetingId, int64_t idleSince) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = Prepared(kSetIdleSince);
  StatementScope scope(s);
  sqlite3_bind_int64(s, 1, idleSince);
  BindText(s, 2, meetingId);
  StepDone(db_, s, "set idle since");
}

std::vector<MeetingRecord> SqliteStore::ListExpiryCandidates(int64_t idleCutoff, int64_t createdCutoff) {
  std::lock_guard lock(readMutex_);
  sqlite3_stmt* s = Prepared(kExpiryCandidates);
  StatementScope scope(s);
  sqlite3_bind_int64(s, 1, idleCutoff);
  sqlite3_bind_int64(s, 2, createdCutoff);
  std::vector<MeetingRecord> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) out.push_back(ReadMeeting(s));
  if (rc != SQLITE_DONE) Fail(readDb_, "list expiry candidates");
  return out;
}

bool SqliteStore::DeleteMeeting(const std::string& meetingId) {
  std::lock_guard lock(mutex_);
  bool existed = false;
  InTransaction([&] {
    for (StatementId id : {kDeleteMeetingAttendees, kDeleteMeetingTokens, kDeleteMeeting}) {
      sqlite3_stmt* s = Prepared(id);
      StatementScope scope(s);
      BindText(s, 1, meetingId);
      StepDone(db_, s, "delete meeting");
      if (id == kDeleteMeeting) existed = sqlite3_changes(db_) > 0;
    }
  });
  return existed;
}

void SqliteStore::InsertAttendees(const std::vector<AttendeeRecord>& attendees) {
  std::lock_guard lock(mutex_);
  InTransaction([&] { InsertAttendeesLocked(attendees); });
}

std::optional<AttendeeRecord> SqliteStore::FindOneAttendeeLocked(StatementId id, const std::string& meetingId,
                                                                 const std::string& key) {
  sqlite3_stmt* s = Prepared(id);
  StatementScope scope(s);
  BindText(s, 1, meetingId);
  BindText(s, 2, key);
  return StepOne(readDb_, s, ReadAttendee, "find attendee");
}

std::optional<AttendeeRecord> SqliteStore::FindAttendee(const std::string& meetingId,
                                                        const std::string& attendeeId) {
  std::lock_guard lock(readMutex_);
  return FindOneAttendeeLocked(kFindAttendee, meetingId, attendeeId);
}

std::optional<AttendeeRecord> SqliteStore::FindAttendeeByExternalUserId(const std::string& meetingId,
                                                                        const std::string& externalUserId) {
  std::lock_guard lock(readMutex_);
  return FindOneAttendeeLocked(kFindAttendeeByExternal, meetingId, externalUserId);
}

std::optional<AttendeeRecord> SqliteStore::FindAttendeeByJoinToken(const std::string& meetingId,
                                                                   const std::string& joinToken) {
  std::lock_guard lock(readMutex_);
  return FindOneAttendeeLocked(kFindAttendeeByToken, meetingId, digest::Sha256Hex(joinToken));
}

AttendeePage SqliteStore::ListAttendees(const std::string& meetingId, int64_t afterSeq, int limit) {
  if (limit < 1) limit = 1;
  std::lock_guard lock(readMutex_);
  sqlite3_stmt* s = Prepared(kListAttendees);
  StatementScope scope(s);
  BindText(s, 1, meetingId);
  sqlite3_bind_int64(s, 2, afterSeq);
  sqlite3_bind_int64(s, 3, static_cast<int64_t>(limit) + 1);  // one more tells whether a next page exists
  AttendeePage page;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) page.attendees.push_back(ReadAttendee(s));
  if (rc != SQLITE_DONE) Fail(readDb_, "list attendees");
  if (page.attendees.size() > static_cast<size_t>(limit)) {
    page.attendees.pop_back();
    page.nextCursor = page.attendees.back().seq;
  }
  return page;
}

int64_t SqliteStore::CountAttendees(const std::string& meetingId) {
  std::lock_guard lock(readMutex_);
  sqlite3_stmt* s = Prepared(kCountAttendees);
  StatementScope scope(s);
  BindText(s, 1, meetingId);
  if (sqlite3_step(s) != SQLITE_ROW) Fail(readDb_, "count attendees");
  return sqlite3_column_int64(s, 0);
}

bool SqliteStore::SetAttendeeLeftAt(const std::string& meetingId, const std::string& attendeeId,
                                    int64_t leftAt) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = Prepared(kSetAttendeeLeftAt);
  StatementScope scope(s);
  sqlite3_bind_int64(s, 1, leftAt);
  BindText(s, 2, meetingId);
  BindText(s, 3, attendeeId);
  StepDone(db_, s, "set attendee left");
  return sqlite3_changes(db_) > 0;
}

bool SqliteStore::DeleteAttendee(const std::string& meetingId, const std::string& attendeeId) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = Prepared(kDeleteAttendee);
  StatementScope scope(s);
  BindText(s, 1, meetingId);
  BindText(s, 2, attendeeId);
  StepDone(db_, s, "delete attendee");
  return sqlite3_changes(db_) > 0;
}

StoreStats SqliteStore::Stats() {
  std::lock_guard lock(readMutex_);
  StoreStats stats;
  for (StatementId id : {kCountAllMeetings, kCountAllAttendees}) {
    sqlite3_stmt* s = Prepared(id);
    StatementScope scope(s);
    if (sqlite3_step(s) != SQLITE_ROW) Fail(readDb_, "stats");
    (id == kCountAllMeetings ? stats.meetings : stats.attendees) = sqlite3_column_int64(s, 0);
  }
  return stats;
}

}  // namespace medicall::store
