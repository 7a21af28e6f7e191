#include "store/SqliteQualityStore.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <set>
#include <stdexcept>

#include "store/SqliteStatement.hpp"

namespace medicall::store {

std::string_view QualityColumnName(QualityColumn column) {
  static constexpr std::string_view kNames[kQualityColumnCount] = {"send_kbps",
                                                                   "receive_kbps",
                                                                   "send_fps",
                                                                   "receive_fps",
                                                                   "send_width",
                                                                   "send_height",
                                                                   "receive_width",
                                                                   "receive_height",
                                                                   "uplink_loss_pct",
                                                                   "downlink_loss_pct",
                                                                   "jitter_ms",
                                                                   "rtt_ms",
                                                                   "freezes",
                                                                   "audio_packets_per_s",
                                                                   "audio_present",
                                                                   "mic_level",
                                                                   "signal_strength",
                                                                   "nacks",
                                                                   "plis",
                                                                   "server_down_loss_pct",
                                                                   "server_down_jitter_ms",
                                                                   "server_rtt_ms",
                                                                   "nacks_in",
                                                                   "plis_in",
                                                                   "rtx_out",
                                                                   "estimate_kbps"};
  const auto i = static_cast<size_t>(column);
  return i < kQualityColumnCount ? kNames[i] : std::string_view("?");
}

namespace {

[[noreturn]] void Fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error("sqlite (quality): " + what + ": " + sqlite3_errmsg(db));
}

using sqlite::BindText;
using sqlite::ColumnText;
using Reset = sqlite::StatementScope;

std::string ValueColumns(const char* suffix) {
  std::string out;
  for (size_t i = 0; i < kQualityColumnCount; ++i) {
    out += ", ";
    out += QualityColumnName(static_cast<QualityColumn>(i));
    out += suffix;
  }
  return out;
}

}  // namespace

SqliteQualityStore::SqliteQualityStore(const std::string& dataDir) {
  std::filesystem::create_directories(dataDir);
  const std::string path = (std::filesystem::path(dataDir) / "medicall.db").string();
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("sqlite (quality): cannot open " + path + ": " + why);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    Exec("PRAGMA journal_mode=WAL");
    Exec("PRAGMA synchronous=NORMAL");
    Exec(("CREATE TABLE IF NOT EXISTS quality_samples (meeting_id TEXT NOT NULL, attendee_id TEXT NOT NULL, "
          "at_ms INTEGER NOT NULL" +
          ValueColumns(" REAL") + ")")
             .c_str());
    AddMissingColumns();
    Exec("CREATE INDEX IF NOT EXISTS quality_samples_by_meeting ON quality_samples(meeting_id, at_ms)");
    Exec("CREATE INDEX IF NOT EXISTS quality_samples_by_time ON quality_samples(at_ms)");
    Exec(
        "CREATE TABLE IF NOT EXISTS quality_events (meeting_id TEXT NOT NULL, attendee_id TEXT NOT NULL, "
        "at_ms INTEGER NOT NULL, kind TEXT NOT NULL)");
    Exec("CREATE INDEX IF NOT EXISTS quality_events_by_meeting ON quality_events(meeting_id, at_ms)");
    std::string placeholders;
    for (size_t i = 0; i < kQualityColumnCount; ++i) placeholders += ", ?";
    statements_[kInsertSample] = Prepare("INSERT INTO quality_samples (meeting_id, attendee_id, at_ms" +
                                         ValueColumns("") + ") VALUES (?, ?, ?" + placeholders + ")");
    statements_[kInsertEvent] =
        Prepare("INSERT INTO quality_events (meeting_id, attendee_id, at_ms, kind) VALUES (?, ?, ?, ?)");
    statements_[kListSamples] =
        Prepare("SELECT meeting_id, attendee_id, at_ms" + ValueColumns("") +
                " FROM quality_samples WHERE meeting_id = ? ORDER BY at_ms, rowid LIMIT ?");
    statements_[kListEvents] = Prepare(
        "SELECT meeting_id, attendee_id, at_ms, kind FROM quality_events WHERE meeting_id = ? ORDER BY "
        "at_ms, "
        "rowid LIMIT ?");
    statements_[kPurgeSamples] = Prepare("DELETE FROM quality_samples WHERE at_ms < ?");
    statements_[kPurgeEvents] = Prepare("DELETE FROM quality_events WHERE at_ms < ?");
  } catch (...) {
    for (auto*& s : statements_) sqlite3_finalize(s);
    sqlite3_close(db_);
    throw;
  }
}

SqliteQualityStore::~SqliteQualityStore() {
  for (auto* s : statements_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

// A table made by an older version lacks the columns added since (at the end of QualityColumn): they
// are added, NULL in the rows it has.
void SqliteQualityStore::AddMissingColumns() {
  std::set<std::string> present;
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> info(
      Prepare("PRAGMA table_info(quality_samples)"), sqlite3_finalize);
  int rc;
  while ((rc = sqlite3_step(info.get())) == SQLITE_ROW) present.insert(ColumnText(info.get(), 1));
  if (rc != SQLITE_DONE) Fail(db_, "table_info");
  for (size_t i = 0; i < kQualityColumnCount; ++i) {
    const std::string name(QualityColumnName(static_cast<QualityColumn>(i)));
    if (!present.contains(name)) Exec(("ALTER TABLE quality_samples ADD COLUMN " + name + " REAL").c_str());
  }
}

void SqliteQualityStore::Exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(std::string("sqlite (quality): ") + why);
  }
}

sqlite3_stmt* SqliteQualityStore::Prepare(const std::string& sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &s, nullptr) != SQLITE_OK)
    Fail(db_, "prepare");
  return s;
}

void SqliteQualityStore::InsertSamples(const std::vector<QualitySample>& samples) {
  if (samples.empty()) return;
  std::lock_guard lock(mutex_);
  Exec("BEGIN");
  try {
    sqlite3_stmt* s = statements_[kInsertSample];
    for (const QualitySample& sample : samples) {
      Reset reset(s);
      BindText(s, 1, sample.meetingId);
      BindText(s, 2, sample.attendeeId);
      sqlite3_bind_int64(s, 3, sample.atMs);
      for (size_t i = 0; i < kQualityColumnCount; ++i) {
        const int index = static_cast<int>(i) + 4;
        if (sample.values[i])
          sqlite3_bind_double(s, index, *sample.values[i]);
        else
          sqlite3_bind_null(s, index);
      }
      if (sqlite3_step(s) != SQLITE_DONE) Fail(db_, "insert sample");
    }
    Exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

void SqliteQualityStore::InsertEvent(const QualityEvent& event) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = statements_[kInsertEvent];
  Reset reset(s);
  BindText(s, 1, event.meetingId);
  BindText(s, 2, event.attendeeId);
  sqlite3_bind_int64(s, 3, event.atMs);
  BindText(s, 4, event.kind);
  if (sqlite3_step(s) != SQLITE_DONE) Fail(db_, "insert event");
}

std::vector<QualitySample> SqliteQualityStore::ListSamples(const std::string& meetingId, size_t limit) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = statements_[kListSamples];
  Reset reset(s);
  BindText(s, 1, meetingId);
  sqlite3_bind_int64(s, 2, static_cast<int64_t>(limit));
  std::vector<QualitySample> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    QualitySample sample;
    sample.meetingId = ColumnText(s, 0);
    sample.attendeeId = ColumnText(s, 1);
    sample.atMs = sqlite3_column_int64(s, 2);
    for (size_t i = 0; i < kQualityColumnCount; ++i) {
      const int column = static_cast<int>(i) + 3;
      if (sqlite3_column_type(s, column) != SQLITE_NULL) sample.values[i] = sqlite3_column_double(s, column);
    }
    out.push_back(std::move(sample));
  }
  if (rc != SQLITE_DONE) Fail(db_, "list samples");
  return out;
}

std::vector<QualityEvent> SqliteQualityStore::ListEvents(const std::string& meetingId, size_t limit) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* s = statements_[kListEvents];
  Reset reset(s);
  BindText(s, 1, meetingId);
  sqlite3_bind_int64(s, 2, static_cast<int64_t>(limit));
  std::vector<QualityEvent> out;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    out.push_back({ColumnText(s, 0), ColumnText(s, 1), sqlite3_column_int64(s, 2), ColumnText(s, 3)});
  if (rc != SQLITE_DONE) Fail(db_, "list events");
  return out;
}

int64_t SqliteQualityStore::PurgeBefore(int64_t cutoffMs) {
  std::lock_guard lock(mutex_);
  int64_t deleted = 0;
  for (StatementId id : {kPurgeSamples, kPurgeEvents}) {
    sqlite3_stmt* s = statements_[id];
    Reset reset(s);
    sqlite3_bind_int64(s, 1, cutoffMs);
    if (sqlite3_step(s) != SQLITE_DONE) Fail(db_, "purge");
    deleted += sqlite3_changes(db_);
  }
  return deleted;
}

}  // namespace medicall::store
