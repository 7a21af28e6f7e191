#pragma once
// Store on Redis (MEDICALL_REDIS_URL), shared by every node of a cluster. Each write that the
// SQLite store does in a transaction is one Lua script here, so it is atomic on the Redis server
// (a script runs alone). Durability is Redis's: run it with appendonly yes (and appendfsync
// everysec or always) so a Redis restart loses nothing that was acknowledged.
//
// Keys (prefix "medicall:"):
//   m:<id>            hash    the meeting's fields, plus `ins` (insertion order)
//   ext:<external>    zset    meeting ids of a room/ExternalMeetingId, scored by createdAt
//   idle, created     zset    meeting ids by idleSince / createdAt (the expiry sweep)
//   meetings          set     every meeting id (Stats)
//   tok:<token>       string  ClientRequestToken -> meeting id;  m:<id>:tok  set of its tokens
//   m:<id>:a          zset    attendee ids scored by seq (creation order, the page cursor)
//   a:<mid>:<aid>     hash    the attendee's fields
//   m:<id>:ext        hash    ExternalUserId -> first attendee id;  m:<id>:jt  JoinToken -> attendee id
//   seq, attendees    counters: the attendee sequence, the number of attendees
// Two connections, each behind its own mutex: reads never queue behind a write.
#include <mutex>
#include <string>

#include "store/RedisConnection.hpp"
#include "store/Store.hpp"

namespace medicall::store {

class RedisStore final : public Store {
 public:
  // Does not connect: the first command does (and each after an outage). Throws nothing.
  explicit RedisStore(const RedisEndpoint& endpoint,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(1000));

  // Connects and PINGs; throws ServiceUnavailable naming the address when Redis cannot be reached.
  void Ping();

  void InsertMeeting(const MeetingRecord& meeting, const std::vector<AttendeeRecord>& attendees,
                     const std::string& clientRequestToken) override;
  std::optional<MeetingRecord> ClaimRoom(const MeetingRecord& meeting) override;
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
  std::optional<MeetingRecord> ReadMeetingLocked(const std::string& meetingId);
  std::optional<AttendeeRecord> FindAttendeeByIndexLocked(const std::string& meetingId, const char* index,
                                                          const std::string& key);
  std::vector<AttendeeRecord> ReadAttendeesLocked(const std::string& meetingId,
                                                  const std::vector<std::string>& attendeeIds);

  std::mutex writeMutex_;
  std::mutex readMutex_;
  RedisConnection write_;
  RedisConnection read_;
};

}  // namespace medicall::store
