#pragma once
// Store on SQLite in WAL mode: one database file, `medicall.db`, in the data directory (created
// if missing). synchronous=FULL: a write is on disk when the call returns, so a kill -9 (or a
// power cut) after an acknowledged request loses nothing. Two connections, each behind its own
// mutex: one writes, one reads. A WAL reader never waits for the writer, so a write stalled on
// fsync or on the busy timeout does not hold up a read (the signaling thread only reads). Every
// statement is prepared once, on the connection it belongs to.
#include <memory>
#include <mutex>
#include <string>

#include "store/Store.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace medicall::store {

class SqliteStore final : public Store {
 public:
  // Opens or creates `<dataDir>/medicall.db`. Throws std::runtime_error when it cannot.
  explicit SqliteStore(const std::string& dataDir);
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  const std::string& Path() const { return path_; }

  void InsertMeeting(const MeetingRecord& meeting, const std::vector<AttendeeRecord>& attendees,
                     const std::string& clientRequestToken) override;
  std::optional<MeetingRecord> FindMeeting(const std::string& meetingId) override;
  std::optional<MeetingRecord> FindMeetingByExternalId(const std::string& externalMeetingId) override;
  std::optional<std::string> FindMeetingIdByToken(const std::string& clientRequestToken) override;
  void SetMeetingIdleSince(const std::string& meetingId, int64_t idleSince) override;
  std::vector<MeetingRecord> ListExpiryCandidates(int64_t idleCutoff, int64_t createdCutoff) override;
  bool DeleteMeeting(const std::string& meetingId) override;

  void InsertAttendees(const std::vector<AttendeeRecord>& attendees) override;
  std::optional<AttendeeRecord> FindAttendee(const std::string& meetingId,
                                             const std::string& attendeeId) override;
  std::optional<AttendeeRecord> FindAttendeeByExternalUserId(const std::string& meetingId,
                                                             const std::string& externalUserId) override;
  std::optional<AttendeeRecord> FindAttendeeByJoinToken(const std::string& meetingId,
                                                        const std::string& joinToken) override;
  AttendeePage ListAttendees(const std::string& meetingId, int64_t afterSeq, int limit) override;
  int64_t CountAttendees(const std::string& meetingId) override;
  bool DeleteAttendee(const std::string& meetingId, const std::string& attendeeId) override;
  bool SetAttendeeLeftAt(const std::string& meetingId, const std::string& attendeeId,
                         int64_t leftAt) override;

  StoreStats Stats() override;

 private:
  enum StatementId {
    kBegin,
    kCommit,
    kRollback,
    kInsertMeeting,
    kInsertToken,
    kFindMeeting,
    kFindMeetingByExternal,
    kFindToken,
    kSetIdleSince,
    kExpiryCandidates,
    kDeleteMeeting,
    kDeleteMeetingAttendees,
    kDeleteMeetingTokens,
    kInsertAttendee,
    kFindAttendee,
    kFindAttendeeByExternal,
    kFindAttendeeByToken,
    kListAttendees,
    kCountAttendees,
    kDeleteAttendee,
    kSetAttendeeLeftAt,
    kCountAllMeetings,
    kCountAllAttendees,
    kStatementCount
  };

  void Exec(sqlite3* db, const char* sql);
  void Migrate();
  static bool IsRead(StatementId id);
  sqlite3_stmt* Prepared(StatementId id);
  void InsertAttendeeLocked(const AttendeeRecord& a);
  void InsertAttendeesLocked(const std::vector<AttendeeRecord>& attendees);
  std::optional<AttendeeRecord> FindOneAttendeeLocked(StatementId id, const std::string& meetingId,
                                                      const std::string& key);
  template <typename F>
  void InTransaction(F&& body);

  std::mutex mutex_;      // the write connection
  std::mutex readMutex_;  // the read connection
  std::string path_;
  sqlite3* db_ = nullptr;                           // writes
  sqlite3* readDb_ = nullptr;                       // reads
  sqlite3_stmt* statements_[kStatementCount] = {};  // each on the connection IsRead says
};

}  // namespace medicall::store
