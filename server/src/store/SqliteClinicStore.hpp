#pragma once
// ClinicStore on SQLite: its own tables (users, password_tokens, visits, waits, audit, sessions) in the same
// `medicall.db` as SqliteStore, on its own connection (WAL, synchronous=FULL, 5 s busy timeout), so
// the `medicall user|audit` commands may run while the server does.
#include <mutex>
#include <string>

#include "store/ClinicStore.hpp"

struct sqlite3;

namespace medicall::store {

class SqliteClinicStore final : public ClinicStore {
 public:
  // Opens or creates `<dataDir>/medicall.db`. Throws std::runtime_error when it cannot.
  explicit SqliteClinicStore(const std::string& dataDir);
  ~SqliteClinicStore() override;
  SqliteClinicStore(const SqliteClinicStore&) = delete;
  SqliteClinicStore& operator=(const SqliteClinicStore&) = delete;

  const std::string& Path() const { return path_; }

  bool InsertUser(const UserRecord& user) override;
  std::optional<UserRecord> FindUserById(const std::string& userId) override;
  std::optional<UserRecord> FindUserByEmail(const std::string& email) override;
  std::vector<UserRecord> ListUsers() override;
  bool SetUserDisabled(const std::string& email, bool disabled) override;
  bool SetPasswordHash(const std::string& userId, const std::string& passwordHash) override;

  void InsertPasswordToken(const PasswordTokenRecord& token) override;
  TokenUse UsePasswordToken(const std::string& tokenHash, int64_t now, std::string& userId) override;

  void InsertVisit(const VisitRecord& visit) override;
  std::optional<VisitRecord> FindVisit(const std::string& visitId) override;
  std::optional<VisitRecord> FindVisitByLinkHash(const std::string& linkHash) override;
  std::optional<VisitRecord> FindVisitByMeeting(const std::string& meetingId) override;
  std::vector<VisitRecord> ListVisits(const std::string& clinic, int64_t since) override;
  void UpdateVisit(const VisitRecord& visit) override;

  void InsertWait(const WaitRecord& wait) override;
  std::optional<WaitRecord> FindWait(const std::string& waitId) override;
  std::vector<WaitRecord> ListWaitsOfVisit(const std::string& visitId) override;
  std::vector<WaitRecord> ListQueue(const std::string& clinic) override;
  void SetWaitState(const std::string& waitId, const std::string& state,
                    const std::string& attendeeId) override;
  bool TakeQueuedWait(const std::string& waitId, const VisitRecord& visit) override;

  AuditRecord AppendAudit(AuditRecord entry,
                          const std::function<std::string(const AuditRecord&)>& hashOf) override;
  void ForEachAudit(int64_t from, int64_t to, const std::function<void(const AuditRecord&)>& each) override;

  int64_t PurgeBefore(int64_t cutoff) override;

  void InsertSession(const SessionRecord& session) override;
  std::optional<SessionRecord> FindSession(const std::string& idHash, int64_t nowUs, bool touch) override;
  void DeleteSession(const std::string& idHash) override;
  void DeleteSessionsOf(const std::string& userId) override;
  int64_t PurgeSessions(int64_t nowUs) override;
  int64_t CountSessions() override;

 private:
  class Statement;
  void Exec(const char* sql);
  template <typename F>
  auto InTransaction(F&& body) -> decltype(body());
  void InsertVisitLocked(const VisitRecord& visit);

  std::mutex mutex_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace medicall::store
