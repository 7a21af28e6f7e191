#pragma once
// ISO 8601 times of the clinic API.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medicall::clinic {

class TimeText {
 public:
  // Unix ms -> "2026-12-01T09:30:00.000Z".
  static std::string Iso(int64_t unixMs);
  // "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM|-HH:MM]" (no zone: the server's local time), or digits
  // (Unix ms) -> Unix ms; nullopt when malformed.
  static std::optional<int64_t> Parse(std::string_view text);
  // The server's local midnight of the day of `unixMs`.
  static int64_t LocalMidnight(int64_t unixMs);
};

}  // namespace medicall::clinic
