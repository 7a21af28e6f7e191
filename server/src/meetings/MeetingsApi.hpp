#pragma once
// HTTP binding (restJson1) of the Chime SDK Meetings API, chime-protocol.md section 5:
//   POST   /meetings                                         CreateMeeting
//   POST   /meetings?operation=create-attendees              CreateMeetingWithAttendees
//   GET    /meetings/{MeetingId}                             GetMeeting
//   DELETE /meetings/{MeetingId}                             DeleteMeeting (204)
//   POST   /meetings/{MeetingId}/attendees                   CreateAttendee
//   POST   /meetings/{MeetingId}/attendees?operation=batch-create   BatchCreateAttendee
//   GET    /meetings/{MeetingId}/attendees?next-token=&max-results= ListAttendees
//   GET    /meetings/{MeetingId}/attendees/{AttendeeId}      GetAttendee
//   DELETE /meetings/{MeetingId}/attendees/{AttendeeId}      DeleteAttendee (204)
// Auth: with configured credentials every request needs a valid SigV4 (service "chime"); without,
// only loopback clients are served. Errors: `x-amzn-errortype` header + {"Code","Message"} body.
#include <optional>
#include <string_view>

#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "meetings/MeetingsService.hpp"
#include "meetings/SigV4Verifier.hpp"

namespace medicall::meetings {

class MeetingsApi {
 public:
  MeetingsApi(MeetingsService& service, const Config& config, const Clock& clock = Clock::System());

  // True for the paths this API answers (the server runs them on the store thread).
  static bool Owns(std::string_view path);
  // nullopt for paths this API does not own (anything outside /meetings).
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  HttpResponse Dispatch(const HttpRequest& request);
  void Authenticate(const HttpRequest& request) const;

  MeetingsService& service_;
  const Config& config_;
  std::optional<SigV4Verifier> verifier_;
};

}  // namespace medicall::meetings
