#pragma once
// The Chime SDK Meetings control plane: meetings, attendees, join tokens and their lifetimes,
// on top of a store::Store. Thread-safe. Errors are thrown as medicall::ApiError subclasses
// (BadRequest, NotFound, LimitExceeded, ...), which the API layers turn into replies.
//
// Lifetimes (Config): at most maxAttendees attendees per meeting (LimitExceeded beyond); a meeting
// with nobody connected for meetingIdleSeconds (counted from creation or the last disconnect)
// ends, and so does one older than meetingMaxSeconds. Sweep(now) applies both; the owner calls it
// periodically. Connection state is kept in memory (it does not survive a restart: clients
// reconnect), the rest is in the store.
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/ApiError.hpp"  // the error types thrown, for callers to catch
#include "common/Config.hpp"
#include "meetings/Clock.hpp"
#include "meetings/MeetingTypes.hpp"
#include "meetings/MeetingsListener.hpp"
#include "store/Store.hpp"

namespace medicall::meetings {

class MeetingsService {
 public:
  static constexpr int kMaxPageSize = 100;
  static constexpr int kMaxBatchAttendees = 100;      // BatchCreateAttendee
  static constexpr int kMaxCreateWithAttendees = 10;  // CreateMeetingWithAttendees

  MeetingsService(store::Store& store, const Config& config, Clock clock = SystemClockSeconds);

  // Not owned; may be null. Set before serving requests.
  void SetListener(MeetingsListener* listener) { listener_ = listener; }

  MeetingRecord CreateMeeting(const CreateMeetingParams& params);
  MeetingWithAttendees CreateMeetingWithAttendees(const CreateMeetingParams& params,
                                                  const std::vector<CreateAttendeeParams>& attendees);
  // An attendee with the same ExternalUserId in the meeting is returned as is (as AWS does).
  AttendeeRecord CreateAttendee(const std::string& meetingId, const CreateAttendeeParams& params);
  BatchCreateResult BatchCreateAttendee(const std::string& meetingId,
                                        const std::vector<CreateAttendeeParams>& attendees);
  MeetingRecord GetMeeting(const std::string& meetingId);
  AttendeeRecord GetAttendee(const std::string& meetingId, const std::string& attendeeId);
  // maxResults 1..100 (default 100); nextToken from a previous page.
  AttendeeListPage ListAttendees(const std::string& meetingId, const std::optional<std::string>& nextToken,
                                 std::optional<int> maxResults);
  std::vector<AttendeeRecord> ListAllAttendees(const std::string& meetingId);
  void DeleteAttendee(const std::string& meetingId, const std::string& attendeeId);
  void DeleteMeeting(const std::string& meetingId);

  // MediCall rooms: the room's active meeting (ExternalMeetingId == roomId), created if there is
  // none. Concurrent calls for a new room return the same meeting.
  MeetingRecord FindOrCreateMeetingForRoom(const std::string& roomId, const std::string& mediaRegion);
  std::optional<MeetingRecord> FindMeetingForRoom(const std::string& roomId);

  // Hooks for the signaling layer.
  std::optional<AttendeeRecord> FindAttendeeByJoinToken(const std::string& meetingId,
                                                        const std::string& token);
  void SetAttendeeConnected(const std::string& meetingId, const std::string& attendeeId, bool connected);
  // Ends idle and over-age meetings; returns how many ended.
  int Sweep(int64_t now);
  int Sweep() { return Sweep(clock_()); }
  MeetingsStats Stats();

  const Config& GetConfig() const { return config_; }

 private:
  std::vector<AttendeeRecord> MakeAttendees(const std::string& meetingId,
                                            const std::vector<CreateAttendeeParams>& params,
                                            std::vector<AttendeeError>& errors, int64_t now) const;
  MeetingRecord MakeMeeting(const CreateMeetingParams& params, int64_t now) const;
  void EndMeeting(const std::string& meetingId, MeetingEndReason reason);

  store::Store& store_;
  const Config& config_;
  Clock clock_;
  MeetingsListener* listener_ = nullptr;
  std::mutex mutex_;  // serialises creations (limits, idempotency, find-or-create)
  std::mutex connectedMutex_;
  std::map<std::string, std::set<std::string>> connected_;  // meetingId -> connected attendeeIds
};

}  // namespace medicall::meetings
