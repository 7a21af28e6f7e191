#pragma once
// AWS mode (MEDICALL_CHIME_ENDPOINT): meetings and attendees of the app API are created on a Chime
// SDK Meetings endpoint (Amazon's, or another MediCall), whose MediaPlacement the browsers then
// use; this node keeps only the room -> meeting map and the roster names in its store.
#include <optional>
#include <string>

#include "meetings/MeetingTypes.hpp"

namespace medicall::meetings {

class RemoteChime {
 public:
  virtual ~RemoteChime() = default;
  // CreateMeeting there: the meeting as it answered, with mediaPlacementJson filled in.
  virtual MeetingRecord CreateMeeting(const std::string& externalMeetingId,
                                      const std::string& mediaRegion) = 0;
  // GetMeeting there: nullopt when it answers NotFound (the meeting has ended there).
  virtual std::optional<MeetingRecord> GetMeeting(const std::string& meetingId) = 0;
  // CreateAttendee there: the attendee as it answered (id, join token, capabilities).
  virtual AttendeeRecord CreateAttendee(const std::string& meetingId, const CreateAttendeeParams& params) = 0;
};

}  // namespace medicall::meetings
