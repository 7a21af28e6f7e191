#pragma once
// How the meetings service tells its owner (the signaling layer) that a meeting or an attendee is
// gone, so that live sessions can be closed. Called without the service's lock held, on the thread
// that made the change (an API request or Sweep).
#include <string>

namespace medicall::meetings {

enum class MeetingEndReason {
  Deleted,      // DeleteMeeting
  Idle,         // nobody connected for meetingIdleSeconds
  MaxDuration,  // older than meetingMaxSeconds
};

const char* ToString(MeetingEndReason reason);

class MeetingsListener {
 public:
  virtual ~MeetingsListener() = default;
  virtual void OnMeetingEnded(const std::string& meetingId, MeetingEndReason reason) = 0;
  virtual void OnAttendeeDeleted(const std::string& meetingId, const std::string& attendeeId) = 0;
};

}  // namespace medicall::meetings
