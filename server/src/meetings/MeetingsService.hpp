#pragma once
// The Chime SDK Meetings control plane: meetings, attendees, join tokens and their lifetimes,
// on top of a store::Store. Thread-safe. Errors are thrown as medicall::ApiError subclasses
// (BadRequest, NotFound, LimitExceeded, ...), which the API layers turn into replies.
//
// Lifetimes (Config): at most maxAttendees attendees per meeting (LimitExceeded beyond); a meeting
// with nobody connected for meetingIdleSeconds (counted from creation or the last disconnect)
// ends, and so does one older than meetingMaxSeconds. Sweep(now) applies both; the owner calls it
// periodically. Connection state is kept in memory (it does not survive a restart: clients
// reconnect), the rest is in the store. So after a restart nobody is connected yet while the
// clients are still reconnecting: meetings that existed before start-up get a grace period of
// kReconnectWindowSeconds (or the idle time, if longer) from start-up before they can end idle.
//
// Roster (ListRoster): the attendees who have not left. LEAVE marks an attendee as left at once
// (persisted); a dropped attendee (connection lost, may reconnect) stays until it has been gone
// for kReconnectWindowSeconds, then Sweep marks it left. Connecting again clears the mark.
//
// Threads: the signaling hooks (AttendeeConnected, AttendeeDisconnected, the reads) are called
// on the HTTP/signaling thread and never wait for a store write: with SetWriteExecutor, their
// writes run on the store thread (API calls and Sweep run there too).
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/ApiError.hpp"  // the error types thrown, for callers to catch
#include "common/Config.hpp"
#include "common/Clock.hpp"
#include "meetings/MeetingTypes.hpp"
#include "meetings/MeetingPlacement.hpp"
#include "meetings/MeetingsListener.hpp"
#include "meetings/RemoteChime.hpp"
#include "store/Store.hpp"
#include "store/StoreExecutor.hpp"

namespace medicall::meetings {

class MeetingsService {
 public:
  static constexpr int kMaxPageSize = 100;
  static constexpr int kMaxBatchAttendees = 100;      // BatchCreateAttendee
  static constexpr int kMaxCreateWithAttendees = 10;  // CreateMeetingWithAttendees
  // How long a dropped client may take to come back: amazon-chime-sdk-js's default
  // reconnectTimeoutMs (120 s). Also the grace period of meetings at start-up.
  static constexpr int64_t kReconnectWindowSeconds = 120;

  // How a signaling session ended, as far as the roster and the idle clock care.
  enum class Departure {
    kLeft,     // LEAVE: gone now
    kDropped,  // connection lost: may reconnect within kReconnectWindowSeconds
  };

  // Start-up is now (the clock's wall time): the grace period counts from here.
  MeetingsService(store::Store& store, const Config& config, const Clock& clock = Clock::System());

  // Not owned; may be null. Set before serving requests.
  void SetListener(MeetingsListener* listener) { listener_ = listener; }
  // Not owned; may be null (writes then run on the caller's thread). Set before serving requests.
  void SetWriteExecutor(store::StoreExecutor* executor) { writeExecutor_ = executor; }
  // Not owned; null on a single node. With one, new meetings are placed on a node and meetings
  // come back with that node's AudioHostUrl; Sweep ends only meetings hosted here.
  void SetPlacement(MeetingPlacement* placement) { placement_ = placement; }
  // Not owned; null unless AWS mode. With one, rooms' meetings and their attendees are created on
  // the remote endpoint (this store keeps the room map and the roster), and Sweep ends nothing
  // (the endpoint ends its meetings; a room whose meeting has ended there gets a new one).
  void SetRemote(RemoteChime* remote) { remote_ = remote; }

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
  // The attendees who have not left, in creation order.
  std::vector<AttendeeRecord> ListRoster(const std::string& meetingId);
  void DeleteAttendee(const std::string& meetingId, const std::string& attendeeId);
  void DeleteMeeting(const std::string& meetingId);

  // MediCall rooms: the room's active meeting (ExternalMeetingId == roomId), created if there is
  // none. Concurrent calls for a new room return the same meeting.
  MeetingRecord FindOrCreateMeetingForRoom(const std::string& roomId, const std::string& mediaRegion);
  std::optional<MeetingRecord> FindMeetingForRoom(const std::string& roomId);

  // Hooks for the signaling layer.
  std::optional<AttendeeRecord> FindAttendeeByJoinToken(const std::string& meetingId,
                                                        const std::string& token);
  void AttendeeConnected(const std::string& meetingId, const std::string& attendeeId);
  void AttendeeDisconnected(const std::string& meetingId, const std::string& attendeeId, Departure how);
  // Ends idle and over-age meetings (returns how many ended) and marks attendees dropped for
  // longer than the reconnect window as left. `now` in Unix seconds.
  int Sweep(int64_t now);
  int Sweep() { return Sweep(NowSeconds()); }
  int64_t StartedAt() const { return startedAt_; }
  MeetingsStats Stats();

  const Config& GetConfig() const { return config_; }

 private:
  std::vector<AttendeeRecord> MakeAttendees(const std::string& meetingId,
                                            const std::vector<CreateAttendeeParams>& params,
                                            std::vector<AttendeeError>& errors, int64_t now) const;
  MeetingRecord MakeMeeting(const CreateMeetingParams& params, int64_t now) const;
  void EndMeeting(const std::string& meetingId, MeetingEndReason reason);
  // Runs a store write on the write executor (or here without one).
  void Write(std::function<void()> write);
  void MarkDroppedAttendeesLeft(int64_t now);
  MeetingRecord Placed(MeetingRecord meeting);  // fills audioHostUrl from the placement
  MeetingRecord FindOrCreateRemoteMeetingLocked(const std::string& roomId, const std::string& mediaRegion);
  int64_t NowSeconds() const { return clock_.WallNowUs() / 1'000'000; }

  store::Store& store_;
  const Config& config_;
  const Clock& clock_;
  const int64_t startedAt_;
  MeetingsListener* listener_ = nullptr;
  store::StoreExecutor* writeExecutor_ = nullptr;
  MeetingPlacement* placement_ = nullptr;
  RemoteChime* remote_ = nullptr;
  std::mutex mutex_;  // serialises creations (limits, idempotency, find-or-create)
  std::mutex connectedMutex_;
  std::map<std::string, std::set<std::string>> connected_;  // meetingId -> connected attendeeIds
  // meetingId -> attendeeId -> when it dropped (Unix s), until it reconnects or the window passes
  std::map<std::string, std::map<std::string, int64_t>> dropped_;
};

}  // namespace medicall::meetings
