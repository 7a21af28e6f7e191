#pragma once
// The clinic plane's persistent state (accounts, visits, waiting rooms, the audit chain) behind
// one interface, apart from store::Store. SqliteClinicStore keeps it in the same SQLite file;
// RedisClinicStore in Redis, shared by the nodes of a cluster (MEDICALL_REDIS_URL).
// Every method is thread-safe and durable when it returns; storage failures throw
// std::runtime_error; "not found" is an empty optional or false.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "store/ClinicRecords.hpp"

namespace medicall::store {

class ClinicStore {
 public:
  virtual ~ClinicStore() = default;

  // False when the email is taken.
  virtual bool InsertUser(const UserRecord& user) = 0;
  virtual std::optional<UserRecord> FindUserById(const std::string& userId) = 0;
  virtual std::optional<UserRecord> FindUserByEmail(const std::string& email) = 0;
  virtual std::vector<UserRecord> ListUsers() = 0;
  virtual bool SetUserDisabled(const std::string& email, bool disabled) = 0;
  virtual bool SetPasswordHash(const std::string& userId, const std::string& passwordHash) = 0;

  virtual void InsertPasswordToken(const PasswordTokenRecord& token) = 0;
  enum class TokenUse { kOk, kUnknown, kUsed, kExpired };
  // Marks the token used at `now` if it is unused and unexpired, atomically; fills `userId`.
  virtual TokenUse UsePasswordToken(const std::string& tokenHash, int64_t now, std::string& userId) = 0;

  virtual void InsertVisit(const VisitRecord& visit) = 0;
  virtual std::optional<VisitRecord> FindVisit(const std::string& visitId) = 0;
  virtual std::optional<VisitRecord> FindVisitByLinkHash(const std::string& linkHash) = 0;
  virtual std::optional<VisitRecord> FindVisitByMeeting(const std::string& meetingId) = 0;
  // Visits of the clinic created or scheduled at or after `since`, or with someone waiting.
  virtual std::vector<VisitRecord> ListVisits(const std::string& clinic, int64_t since) = 0;
  // Writes clinicianId, meetingId and endedAt of an existing visit.
  virtual void UpdateVisit(const VisitRecord& visit) = 0;

  virtual void InsertWait(const WaitRecord& wait) = 0;
  virtual std::optional<WaitRecord> FindWait(const std::string& waitId) = 0;
  // A visit's waits (visitId) in arrival order.
  virtual std::vector<WaitRecord> ListWaitsOfVisit(const std::string& visitId) = 0;
  // The clinic queue: waits without a visit, state waiting, in arrival order.
  virtual std::vector<WaitRecord> ListQueue(const std::string& clinic) = 0;
  virtual void SetWaitState(const std::string& waitId, const std::string& state,
                            const std::string& attendeeId) = 0;
  // The atomic take: inserts `visit` and moves the queued wait into it, in one transaction, only
  // if the wait is still in the queue. False (nothing written) when someone else took it.
  virtual bool TakeQueuedWait(const std::string& waitId, const VisitRecord& visit) = 0;

  // Appends to the audit chain in one transaction: seq = last + 1, prevHash = last hash (or 64
  // zeros), then hash = hashOf(entry) with those set. Returns the stored entry.
  virtual AuditRecord AppendAudit(AuditRecord entry,
                                  const std::function<std::string(const AuditRecord&)>& hashOf) = 0;
  // Entries with from <= time < to (to 0: no bound) in seq order, to `each`.
  virtual void ForEachAudit(int64_t from, int64_t to,
                            const std::function<void(const AuditRecord&)>& each) = 0;

  // Deletes visits (and their waits) ended, or created and never admitted, before `cutoff`, and queue
  // waits older than it. Returns the number of visits deleted.
  virtual int64_t PurgeBefore(int64_t cutoff) = 0;

  // ---- login sessions (times in wall-clock microseconds) ----
  virtual void InsertSession(const SessionRecord& session) = 0;
  // The live session of this hash; with `touch` its idle clock restarts at `nowUs` (written only when
  // the last touch is kTouchGranularityUs old or more, so a burst of requests costs one write). A
  // session that has expired by `nowUs` is deleted and not returned.
  static constexpr int64_t kTouchGranularityUs = 1'000'000;
  virtual std::optional<SessionRecord> FindSession(const std::string& idHash, int64_t nowUs, bool touch) = 0;
  virtual void DeleteSession(const std::string& idHash) = 0;
  virtual void DeleteSessionsOf(const std::string& userId) = 0;
  // Deletes the sessions expired by `nowUs`; returns how many.
  virtual int64_t PurgeSessions(int64_t nowUs) = 0;
  virtual int64_t CountSessions() = 0;
};

}  // namespace medicall::store
