#pragma once
// The control plane's persistent state behind one interface: SqliteStore embeds it in the data
// directory; RedisStore replaces it when several nodes share state (MEDICALL_REDIS_URL).
//
// Every method is thread-safe and durable when it returns. Writes may wait for the disk; reads must
// not wait for writes (the HTTP/signaling thread reads, a store thread writes). Methods throw
// std::runtime_error on storage failure (disk full, corrupt database); "not found" is an empty optional or
// false.
#include <optional>
#include <string>
#include <vector>

#include "store/Records.hpp"

namespace medicall::store {

class Store {
 public:
  virtual ~Store() = default;

  // Inserts a meeting, its first attendees and (when `clientRequestToken` is not empty) the
  // idempotency token that maps to it, atomically. Attendee `seq` fields are ignored.
  virtual void InsertMeeting(const MeetingRecord& meeting, const std::vector<AttendeeRecord>& attendees,
                             const std::string& clientRequestToken) = 0;
  // A room's meeting, created once however many nodes ask at the same time: inserts `meeting` (no
  // attendees, no token) unless a meeting with its ExternalMeetingId exists, and returns that
  // existing one instead (nullopt: `meeting` was inserted). A store shared by several nodes
  // (RedisStore) makes this one atomic step; this default is for a store only one process uses,
  // whose callers MeetingsService already serialises.
  virtual std::optional<MeetingRecord> ClaimRoom(const MeetingRecord& meeting) {
    if (auto existing = FindMeetingByExternalId(meeting.externalMeetingId)) return existing;
    InsertMeeting(meeting, {}, "");
    return std::nullopt;
  }
  virtual std::optional<MeetingRecord> FindMeeting(const std::string& meetingId) = 0;
  // The newest meeting whose ExternalMeetingId is `externalMeetingId` (a room's active meeting).
  virtual std::optional<MeetingRecord> FindMeetingByExternalId(const std::string& externalMeetingId) = 0;
  // The meeting created with this ClientRequestToken, if it still exists.
  virtual std::optional<std::string> FindMeetingIdByToken(const std::string& clientRequestToken) = 0;
  virtual void SetMeetingIdleSince(const std::string& meetingId, int64_t idleSince) = 0;
  // Meetings idle since before `idleCutoff` or created before `createdCutoff`.
  virtual std::vector<MeetingRecord> ListExpiryCandidates(int64_t idleCutoff, int64_t createdCutoff) = 0;
  // Deletes the meeting, its attendees and its idempotency tokens. False if it did not exist.
  virtual bool DeleteMeeting(const std::string& meetingId) = 0;

  // Inserts attendees of an existing meeting atomically; fills nothing back (use Find).
  virtual void InsertAttendees(const std::vector<AttendeeRecord>& attendees) = 0;
  virtual std::optional<AttendeeRecord> FindAttendee(const std::string& meetingId,
                                                     const std::string& attendeeId) = 0;
  virtual std::optional<AttendeeRecord> FindAttendeeByExternalUserId(const std::string& meetingId,
                                                                     const std::string& externalUserId) = 0;
  virtual std::optional<AttendeeRecord> FindAttendeeByJoinToken(const std::string& meetingId,
                                                                const std::string& joinToken) = 0;
  // Attendees in creation order with seq > afterSeq, at most `limit` (>= 1).
  virtual AttendeePage ListAttendees(const std::string& meetingId, int64_t afterSeq, int limit) = 0;
  virtual int64_t CountAttendees(const std::string& meetingId) = 0;
  virtual bool DeleteAttendee(const std::string& meetingId, const std::string& attendeeId) = 0;
  // Records that the attendee left (leftAt > 0) or came back (0). False if it does not exist.
  virtual bool SetAttendeeLeftAt(const std::string& meetingId, const std::string& attendeeId,
                                 int64_t leftAt) = 0;

  virtual StoreStats Stats() = 0;
};

}  // namespace medicall::store
