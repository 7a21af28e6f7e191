#include "app/JoinApi.hpp"

#include <nlohmann/json.hpp>
#include <strings.h>

#include "common/ApiError.hpp"
#include "common/Logger.hpp"
#include "meetings/ChimeJson.hpp"
#include "meetings/IdGenerator.hpp"
#include "meetings/RequestValidator.hpp"

namespace medicall::app {

namespace {

using nlohmann::json;

constexpr std::string_view kRosterPrefix = "/api/roster/";

HttpResponse Error(int status, std::string_view code, std::string_view message) {
  json body = {{"error", code}, {"message", message}};
  return HttpResponse::FromJson(status, body);
}

HttpResponse MethodNotAllowed(const char* allow) {
  HttpResponse r = Error(405, "method_not_allowed", std::string("Use ") + allow + ".");
  r.headers.emplace_back("Allow", allow);
  return r;
}

// Error code for an ApiError thrown by the meetings service.
std::string CodeFor(const ApiError& e) {
  switch (e.Status()) {
    case 400:
      return "bad_request";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 429:
      return "limit_exceeded";
    case 503:
      return "service_unavailable";
    default:
      return "internal_error";
  }
}

HttpResponse OpenRoomsDisabled() {
  return Error(
      403, "OpenRoomsDisabled",
      "Open rooms are turned off on this server: use the visit link your clinic sent you, or log in.");
}

bool IsJsonContentType(const std::string* contentType) {
  if (!contentType) return false;
  std::string_view v = *contentType;
  const size_t semi = v.find(';');
  v = v.substr(0, semi);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  return v.size() == kJson.size() && strncasecmp(v.data(), kJson.data(), kJson.size()) == 0;
}

}  // namespace

JoinApi::JoinApi(meetings::MeetingsService& service, const Config& config)
    : service_(service), config_(config) {}

bool JoinApi::IsValidRoomId(std::string_view roomId) {
  if (roomId.empty() || roomId.size() > 64) return false;
  for (unsigned char c : roomId)
    if (!(std::isalnum(c) || c == '_' || c == '-')) return false;
  return true;
}

std::optional<std::string> JoinApi::NormalizeName(std::string_view name) {
  auto isSpace = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  while (!name.empty() && isSpace(name.front())) name.remove_prefix(1);
  while (!name.empty() && isSpace(name.back())) name.remove_suffix(1);
  const int length = meetings::RequestValidator::Utf8Length(name);
  if (length < 1 || length > 64) return std::nullopt;
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return std::nullopt;
  return std::string(name);
}

std::string JoinApi::ExternalUserIdFor(std::string_view name) {
  std::string base;
  for (unsigned char c : name) {
    if (base.size() >= 40) break;
    if (std::isalnum(c) || c == '-' || c == '_')
      base.push_back(static_cast<char>(c));
    else if (c == ' ')
      base.push_back('_');
  }
  if (base.empty()) base = "user";
  return base + "-" + meetings::IdGenerator::RandomBase64Url(6);
}

bool JoinApi::Owns(std::string_view path) { return path == "/join" || path.starts_with(kRosterPrefix); }

std::optional<HttpResponse> JoinApi::Handle(const HttpRequest& request) {
  if (!Owns(request.path)) return std::nullopt;
  const bool isJoin = request.path == "/join";
  try {
    if (isJoin) {
      if (request.method != "POST") return MethodNotAllowed("POST");
      return Join(request);
    }
    if (request.method != "GET" && request.method != "HEAD") return MethodNotAllowed("GET");
    return Roster(request, request.path.substr(kRosterPrefix.size()));
  } catch (const ApiError& e) {
    return Error(e.Status(), CodeFor(e), e.what());
  } catch (const std::exception& e) {
    log::Error("api", "{} {} failed: {}", request.method, request.path, e.what());
    return Error(500, "internal_error", "The server could not complete the request.");
  }
}

HttpResponse JoinApi::Join(const HttpRequest& request) {
  if (!IsJsonContentType(request.Header("content-type")))
    return Error(415, "unsupported_media_type", "Content-Type must be application/json.");
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) return Error(400, "invalid_json", "The request body is not valid JSON.");
  if (!body.is_object()) return Error(400, "invalid_json", "The request body must be a JSON object.");

  auto nameIt = body.find("name");
  if (nameIt == body.end() || !nameIt->is_string())
    return Error(400, "invalid_name", "name is required and must be a string.");
  auto name = NormalizeName(nameIt->get_ref<const std::string&>());
  if (!name) return Error(400, "invalid_name", "name must be 1-64 characters without control characters.");

  auto roomIt = body.find("roomId");
  if (roomIt == body.end() || !roomIt->is_string())
    return Error(400, "invalid_room_id", "roomId is required and must be a string.");
  const std::string& roomId = roomIt->get_ref<const std::string&>();
  if (!IsValidRoomId(roomId))
    return Error(400, "invalid_room_id", "roomId must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'.");
  if (roomId.starts_with(kVisitRoomPrefix))
    return Error(403, "VisitRoom", "This is a clinic visit: join it through your visit link.");
  if (!config_.openRooms) return OpenRoomsDisabled();

  meetings::CreateAttendeeParams params;
  params.externalUserId = ExternalUserIdFor(*name);
  params.name = *name;
  // The room's meeting may end between the lookup and the attendee creation: try once more.
  for (int attempt = 0;; ++attempt) {
    const auto meeting = service_.FindOrCreateMeetingForRoom(roomId, config_.awsRegion);
    try {
      const auto attendee = service_.CreateAttendee(meeting.meetingId, params);
      const std::string host = meetings::ChimeJson::ResolveHost(request, config_);
      json out = {{"JoinInfo",
                   {{"Meeting", meetings::ChimeJson::Meeting(meeting, host, config_)},
                    {"Attendee", meetings::ChimeJson::Attendee(attendee)}}}};
      return HttpResponse::FromJson(200, out);
    } catch (const NotFound&) {
      if (attempt >= 1) throw;
    }
  }
}

HttpResponse JoinApi::Roster(const HttpRequest& request, const std::string& roomId) {
  if (!IsValidRoomId(roomId))
    return Error(400, "invalid_room_id", "roomId must be 1-64 characters of A-Z, a-z, 0-9, '_' and '-'.");
  const bool visit = roomId.starts_with(kVisitRoomPrefix);
  if (!visit && !config_.openRooms) return OpenRoomsDisabled();
  const auto meeting = service_.FindMeetingForRoom(roomId);
  if (!meeting) return Error(404, "room_not_found", "No active meeting for this room.");
  if (authorize_) {
    if (auto denied = authorize_(meeting->meetingId, request)) return std::move(*denied);
  } else if (visit) {
    return Error(403, "Forbidden", "Only this visit's participants and clinicians may see this.");
  }
  json roster = json::object();
  for (const auto& a : service_.ListRoster(meeting->meetingId))
    roster[a.attendeeId] = a.name.empty() ? a.externalUserId : a.name;
  return HttpResponse::FromJson(200, json{{"roster", roster}});
}

}  // namespace medicall::app
