#pragma once
// Identifiers the meetings API hands out, all from the CSPRNG (common/Random.hpp):
// - MeetingId / AttendeeId: RFC 4122 version 4 UUIDs, lower-case "8-4-4-4-12" hex (122 random bits);
// - JoinToken: 32 random bytes (256 bits), base64url without padding (43 characters), a valid
//   HTTP token so that it can travel as a WebSocket subprotocol.
#include <cstddef>
#include <string>
#include <string_view>

namespace medicall::meetings {

class IdGenerator {
 public:
  static std::string NewUuid();
  static std::string NewJoinToken();
  // `bytes` random bytes as base64url without padding.
  static std::string RandomBase64Url(size_t bytes);
  // True for a lower- or upper-case 8-4-4-4-12 hex UUID.
  static bool IsUuid(std::string_view text);
  static std::string Base64UrlEncode(const unsigned char* data, size_t size);
};

}  // namespace medicall::meetings
