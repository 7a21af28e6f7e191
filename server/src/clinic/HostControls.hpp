#pragma once
// What the clinic asks of the live call (implemented by the signaling bridge, on its own thread:
// implementations post and return).
#include <string>

namespace medicall::clinic {

class HostControls {
 public:
  virtual ~HostControls() = default;
  // Muted: the server leaves the attendee's audio out of every mix, whatever its client says;
  // false puts it back (the client's own mute state applies again).
  virtual void SetHostMuted(const std::string& meetingId, const std::string& attendeeId, bool muted) = 0;
  // A DATA_MESSAGE on `topic` from the server to every joined session of the meeting.
  virtual void SendDataMessage(const std::string& meetingId, const std::string& topic,
                               const std::string& data, const std::string& senderAttendeeId,
                               const std::string& senderExternalUserId) = 0;
};

}  // namespace medicall::clinic
