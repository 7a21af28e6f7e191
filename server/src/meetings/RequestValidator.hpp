#pragma once
// Field checks of the Chime SDK Meetings API (lengths and patterns as AWS documents them).
// Each Check* throws medicall::BadRequest naming the field; Is* only answers.
#include <string>
#include <string_view>

namespace medicall::meetings {

class RequestValidator {
 public:
  // Number of Unicode code points, or -1 if `text` is not valid UTF-8.
  static int Utf8Length(std::string_view text);
  // 2-64 characters of valid UTF-8 without control characters.
  static bool IsValidExternalId(std::string_view text);
  // ClientRequestToken: 2-64 of [-_a-zA-Z0-9].
  static bool IsValidClientRequestToken(std::string_view text);
  // MediaRegion: 2-64 of [a-z0-9-].
  static bool IsValidMediaRegion(std::string_view text);
  static bool IsValidCapability(std::string_view text);

  static void CheckExternalUserId(std::string_view text);
  static void CheckExternalMeetingId(std::string_view text, const char* field = "ExternalMeetingId");
  static void CheckClientRequestToken(std::string_view text);
  static void CheckMediaRegion(std::string_view text);
  static void CheckCapability(std::string_view text, const char* field);
};

}  // namespace medicall::meetings
