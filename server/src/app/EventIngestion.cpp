#include "app/EventIngestion.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "common/ApiError.hpp"
#include "meetings/MeetingsService.hpp"

namespace medicall::app {

namespace {
HttpResponse Error(int status, const char* code, const char* message) {
  return HttpResponse::FromJson(status, nlohmann::json{{"error", code}, {"message", message}});
}

bool PlainName(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}
}  // namespace

EventIngestion::EventIngestion(meetings::MeetingsService& meetings, Metrics& metrics)
    : meetings_(meetings), metrics_(metrics) {}

std::optional<HttpResponse> EventIngestion::Handle(const HttpRequest& request) {
  if (!Owns(request.path)) return std::nullopt;
  if (request.method != "POST") return Error(405, "MethodNotAllowed", "POST events here");

  const auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return Error(400, "BadRequest", "body is not a JSON object");

  std::string token;
  if (const std::string* auth = request.Header("Authorization"); auth && auth->rfind("Bearer ", 0) == 0) {
    token = auth->substr(7);
  } else if (body.contains("authorization") && body["authorization"].is_string()) {
    token = body["authorization"].get<std::string>();  // navigator.sendBeacon cannot set headers
  }
  if (token.empty()) return Error(401, "Unauthorized", "a join token is required");

  const auto metadata = body.value("metadata", nlohmann::json::object());
  const std::string meetingId = metadata.is_object() ? metadata.value("meetingId", "") : "";
  const std::string attendeeId = metadata.is_object() ? metadata.value("attendeeId", "") : "";
  if (meetingId.empty() || attendeeId.empty())
    return Error(400, "BadRequest", "metadata names no meeting or attendee");
  std::optional<store::AttendeeRecord> attendee;
  try {
    attendee = meetings_.FindAttendeeByJoinToken(meetingId, token);
  } catch (const ApiError&) {
    attendee.reset();
  }
  if (!attendee || attendee->attendeeId != attendeeId)
    return Error(403, "Forbidden", "unknown attendee or token");

  const auto events = body.value("events", nlohmann::json::array());
  if (!events.is_array()) return Error(400, "BadRequest", "events is not an array");
  size_t counted = 0;
  for (const auto& batch : events) {
    if (!batch.is_object() || !batch.contains("payloads") || !batch["payloads"].is_array()) continue;
    for (const auto& payload : batch["payloads"]) {
      if (!payload.is_object() || !payload.contains("name") || !payload["name"].is_string()) continue;
      const std::string name = payload["name"].get<std::string>();
      metrics_.CountClientEvent(PlainName(name) ? name : "other", kMaxEventNames);
      ++counted;
    }
  }
  return HttpResponse::FromJson(200, nlohmann::json{{"accepted", counted}});
}

}  // namespace medicall::app
