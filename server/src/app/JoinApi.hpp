#pragma once
// The MediCall app API (what the original Express backend offered):
//   POST /join {"name","roomId"}  -> {"JoinInfo": {"Meeting": {...}, "Attendee": {...}}}
//     finds the room's active meeting (ExternalMeetingId = roomId) or creates one, creates an
//     attendee for the name and keeps the name in the roster;
//   GET /api/roster/:roomId       -> {"roster": {"<attendeeId>": "<name>", ...}}: the attendees of the
//     room's meeting who have not left (LEAVE, DeleteAttendee; a dropped one stays for the
//     reconnect window), 404 if the room has no meeting.
// Clinic (issue 12): with MEDICALL_OPEN_ROOMS=0 both answer 403 OpenRoomsDisabled for open rooms;
// room ids starting "visit-" are clinic visits' meetings: /join never enters them (403), and their
// roster is served only when the authorizer allows the request (the visit's join tokens or sessions).
// Validation: name 1-64 characters after trimming (no control characters), roomId 1-64 of
// [A-Za-z0-9_-], JSON body (400 if malformed), Content-Type application/json (415).
// Errors: {"error": "<code>", "message": "<text>"} with the matching status.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "meetings/MeetingsService.hpp"

namespace medicall::app {

class JoinApi {
 public:
  JoinApi(meetings::MeetingsService& service, const Config& config);

  // nullopt: the request may see this meeting's roster; else the error reply.
  using MeetingAuthorizer =
      std::function<std::optional<HttpResponse>(const std::string& meetingId, const HttpRequest& request)>;
  void SetMeetingAuthorizer(MeetingAuthorizer authorizer) { authorize_ = std::move(authorizer); }
  static constexpr std::string_view kVisitRoomPrefix = "visit-";

  // True for the paths this API answers (the server runs them on the store thread).
  static bool Owns(std::string_view path);
  // nullopt for paths this API does not own.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

  // Validation helpers, public for tests.
  static bool IsValidRoomId(std::string_view roomId);
  // Trimmed name, or nullopt if it is empty, longer than 64 characters, not UTF-8 or has control characters.
  static std::optional<std::string> NormalizeName(std::string_view name);
  // A valid Chime ExternalUserId (2-64 characters) for the name: its letters, digits, '-' and '_'
  // (spaces as '_', at most 40), then '-' and 8 random characters so that equal names stay distinct.
  static std::string ExternalUserIdFor(std::string_view name);

 private:
  HttpResponse Join(const HttpRequest& request);
  HttpResponse Roster(const HttpRequest& request, const std::string& roomId);

  meetings::MeetingsService& service_;
  const Config& config_;
  MeetingAuthorizer authorize_;
};

}  // namespace medicall::app
