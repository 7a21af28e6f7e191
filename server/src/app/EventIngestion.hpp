#pragma once
// The Chime client's event ingestion endpoint (MediaPlacement.EventIngestionUrl = /events): the
// SDK POSTs batches of meeting events (joined, failed, reconnected, ...) with
// `Authorization: Bearer <JoinToken>` (beacons carry the token in the body). Events of a valid
// attendee are counted by name in /metrics; nothing else is kept, so no health data is stored.
#include <optional>
#include <string_view>

#include "app/Metrics.hpp"
#include "common/HttpTypes.hpp"

namespace medicall::meetings {
class MeetingsService;
}

namespace medicall::app {

class EventIngestion {
 public:
  static constexpr size_t kMaxEventNames = 64;  // distinct metric labels; the rest count as "other"

  EventIngestion(meetings::MeetingsService& meetings, Metrics& metrics);
  // True for the path this endpoint answers (the server runs it on the store thread).
  static bool Owns(std::string_view path) { return path == "/events"; }
  // nullopt for other paths.
  std::optional<HttpResponse> Handle(const HttpRequest& request);

 private:
  meetings::MeetingsService& meetings_;
  Metrics& metrics_;
};

}  // namespace medicall::app
