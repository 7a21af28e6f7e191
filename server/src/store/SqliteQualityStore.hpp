#pragma once
// QualityStore in its own tables (quality_samples, quality_events) of the data directory's SQLite
// database (`medicall.db`, WAL, shared with SqliteStore through its own connection). Quality figures
// are not acknowledged to anyone, so synchronous=NORMAL: a power cut may lose the last seconds.
// Opening a database made before a column was added adds it (ALTER TABLE, from PRAGMA table_info).
#include <mutex>
#include <string>

#include "store/QualityStore.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace medicall::store {

class SqliteQualityStore final : public QualityStore {
 public:
  // Opens or creates `<dataDir>/medicall.db` and the tables. Throws std::runtime_error when it cannot.
  explicit SqliteQualityStore(const std::string& dataDir);
  ~SqliteQualityStore() override;
  SqliteQualityStore(const SqliteQualityStore&) = delete;
  SqliteQualityStore& operator=(const SqliteQualityStore&) = delete;

  void InsertSamples(const std::vector<QualitySample>& samples) override;
  void InsertEvent(const QualityEvent& event) override;
  std::vector<QualitySample> ListSamples(const std::string& meetingId, size_t limit) override;
  std::vector<QualityEvent> ListEvents(const std::string& meetingId, size_t limit) override;
  int64_t PurgeBefore(int64_t cutoffMs) override;

 private:
  enum StatementId {
    kInsertSample,
    kInsertEvent,
    kListSamples,
    kListEvents,
    kPurgeSamples,
    kPurgeEvents,
    kStatementCount
  };
  void AddMissingColumns();
  void Exec(const char* sql);
  sqlite3_stmt* Prepare(const std::string& sql);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statements_[kStatementCount] = {};
};

}  // namespace medicall::store
