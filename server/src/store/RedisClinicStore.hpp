#pragma once
// ClinicStore on Redis (MEDICALL_REDIS_URL), shared by every node of a cluster: accounts, visits,
// waiting rooms, the audit chain and login sessions. Each multi-key write is one Lua script, so it
// is atomic on the Redis server (a script runs alone): the take of a queued patient, the use of a
// set-password link, the retention purge. The audit append is a compare-and-set script: the entry's
// hash (SHA-256, computed here) is stored only if the chain's last entry is still the one it was
// computed on, else the append is retried on the new last entry; so concurrent appends from several
// nodes form one valid chain. Durability is Redis's (appendonly yes).
//
// Keys (prefix "medicall:clinic:"):
//   u:<userId> hash; emails hash email -> userId; users set
//   pt:<tokenHash> hash (set-password links)
//   v:<visitId> hash; visits zset by createdAt; cvisits:<clinic> zset by max(createdAt, scheduledAt)
//   vlink hash linkHash -> visitId; vmeeting hash meetingId -> visitId
//   w:<waitId> hash (with `seq`, the arrival order); wseq counter
//   vwaits:<visitId> zset of its waits by seq; vwaiting:<visitId> set of its waiting waits;
//   waitingvisits:<clinic> set of visits with someone waiting
//   queued zset of waits without a visit by `since`; queue:<clinic> zset of those waiting, by seq
//   a:<seq> hash (audit entry); alast hash {seq, hash}; atime zset seq by time
//   s:<idHash> hash (session, with a TTL past its end); sessions hash idHash -> userId
//   linkkey string: the visit-link key shared by the nodes (LinkSigner)
// Two connections, each behind its own mutex: reads never queue behind a write.
#include <chrono>
#include <mutex>
#include <string>

#include "store/ClinicStore.hpp"
#include "store/RedisConnection.hpp"

namespace medicall::store {

class RedisClinicStore final : public ClinicStore {
 public:
  // Does not connect: the first command does (and each after an outage). Throws nothing.
  explicit RedisClinicStore(const RedisEndpoint& endpoint,
                            std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

  // The key shared by all nodes: `candidate` if none was stored yet (the first node's), else the
  // stored one. Throws ServiceUnavailable when Redis cannot be reached.
  std::string SharedLinkKey(const std::string& candidate);

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
  // HGETALL of each key, in one round trip; missing keys are left out. Read connection, locked.
  std::vector<RedisValue> ReadHashesLocked(const std::vector<std::string>& keys);
  std::optional<VisitRecord> VisitByIndex(const char* index, const std::string& key);

  std::mutex writeMutex_;
  std::mutex readMutex_;
  RedisConnection write_;
  RedisConnection read_;
};

}  // namespace medicall::store
