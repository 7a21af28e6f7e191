#include "meetings/MeetingsApi.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/ApiError.hpp"
#include "common/Logger.hpp"
#include "meetings/ChimeJson.hpp"
#include "meetings/IdGenerator.hpp"

namespace medicall::meetings {

namespace {

using nlohmann::json;

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

json ParseBody(const HttpRequest& request) {
  if (request.body.empty()) return json::object();
  json j = json::parse(request.body, nullptr, false);
  if (j.is_discarded()) throw BadRequest("The request body is not valid JSON.");
  if (!j.is_object()) throw BadRequest("The request body must be a JSON object.");
  return j;
}

std::string OptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) throw BadRequest(std::string(key) + " must be a string.");
  return it->get<std::string>();
}

std::string ReqString(const json& j, const char* key) {
  std::string v = OptString(j, key);
  if (v.empty()) throw BadRequest(std::string(key) + " is required.");
  return v;
}

// The member as compact JSON text when present, checked to be of the right kind.
std::string OptRaw(const json& j, const char* key, bool wantArray) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (wantArray ? !it->is_array() : !it->is_object())
    throw BadRequest(std::string(key) + (wantArray ? " must be a list." : " must be an object."));
  return DumpJson(*it);
}

CreateMeetingParams ParseMeetingParams(const json& body) {
  CreateMeetingParams p;
  p.clientRequestToken = OptString(body, "ClientRequestToken");
  p.mediaRegion = ReqString(body, "MediaRegion");
  p.externalMeetingId = ReqString(body, "ExternalMeetingId");
  p.meetingHostId = OptString(body, "MeetingHostId");
  p.primaryMeetingId = OptString(body, "PrimaryMeetingId");
  p.featuresJson = OptRaw(body, "MeetingFeatures", false);
  p.notificationsJson = OptRaw(body, "NotificationsConfiguration", false);
  p.tagsJson = OptRaw(body, "Tags", true);
  p.tenantIdsJson = OptRaw(body, "TenantIds", true);
  if (!p.tagsJson.empty()) {
    const json tags = json::parse(p.tagsJson);
    if (tags.size() > 50) throw BadRequest("Tags must contain at most 50 items.");
    for (const auto& t : tags) {
      if (!t.is_object()) throw BadRequest("Each tag must be an object with Key and Value.");
      const std::string key = ReqString(t, "Key");
      if (key.size() > 128) throw BadRequest("Tag keys are at most 128 characters.");
      if (!t.contains("Value") || !t["Value"].is_string() || t["Value"].get<std::string>().size() > 256)
        throw BadRequest("Tag values must be strings of at most 256 characters.");
    }
  }
  if (!p.tenantIdsJson.empty()) {
    const json ids = json::parse(p.tenantIdsJson);
    if (ids.empty() || ids.size() > 5) throw BadRequest("TenantIds must contain 1-5 items.");
    for (const auto& id : ids)
      if (!id.is_string() || id.get<std::string>().size() < 2 || id.get<std::string>().size() > 256)
        throw BadRequest("TenantIds must be strings of 2-256 characters.");
  }
  return p;
}

CreateAttendeeParams ParseAttendeeParams(const json& item) {
  if (!item.is_object()) throw BadRequest("Each attendee must be an object.");
  CreateAttendeeParams p;
  p.externalUserId = ReqString(item, "ExternalUserId");
  auto caps = item.find("Capabilities");
  if (caps != item.end() && !caps->is_null()) {
    if (!caps->is_object()) throw BadRequest("Capabilities must be an object.");
    // AWS requires all three members when Capabilities is given.
    p.capabilities.audio = ReqString(*caps, "Audio");
    p.capabilities.video = ReqString(*caps, "Video");
    p.capabilities.content = ReqString(*caps, "Content");
  }
  return p;
}

std::vector<CreateAttendeeParams> ParseAttendeeList(const json& body, bool required) {
  auto it = body.find("Attendees");
  if (it == body.end() || it->is_null()) {
    if (required) throw BadRequest("Attendees is required.");
    return {};
  }
  if (!it->is_array()) throw BadRequest("Attendees must be a list.");
  std::vector<CreateAttendeeParams> out;
  for (const auto& item : *it) out.push_back(ParseAttendeeParams(item));
  return out;
}

json AttendeeArray(const std::vector<AttendeeRecord>& attendees) {
  json a = json::array();
  for (const auto& r : attendees) a.push_back(ChimeJson::Attendee(r));
  return a;
}

json ErrorArray(const std::vector<AttendeeError>& errors) {
  json a = json::array();
  for (const auto& e : errors) a.push_back(ChimeJson::Error(e));
  return a;
}

std::optional<int> ParseMaxResults(const HttpRequest& request) {
  auto raw = request.QueryParam("max-results");
  if (!raw) return std::nullopt;
  int v = 0;
  const auto [ptr, ec] = std::from_chars(raw->data(), raw->data() + raw->size(), v);
  if (ec != std::errc() || ptr != raw->data() + raw->size())
    throw BadRequest("MaxResults must be an integer.");
  return v;
}

HttpResponse Ok(const json& body) { return HttpResponse::FromJson(200, body); }

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

[[noreturn]] void UnknownOperation(const HttpRequest& request) {
  throw ApiError(404, "UnknownOperationException",
                 "No operation matches " + request.method + " " + request.path + ".");
}

}  // namespace

MeetingsApi::MeetingsApi(MeetingsService& service, const Config& config, const Clock& clock)
    : service_(service), config_(config) {
  if (config.HasCredentials())
    verifier_.emplace(config.awsAccessKeyId, config.awsSecretAccessKey, config.awsRegion, "chime",
                      config.sigv4SkewSeconds, clock);
}

void MeetingsApi::Authenticate(const HttpRequest& request) const {
  if (verifier_) {
    verifier_->Verify(request);
  } else if (!request.remoteIsLoopback) {
    throw Forbidden("The meetings API only answers on loopback when no credentials are configured.");
  }
}

bool MeetingsApi::Owns(std::string_view path) {
  return path == "/meetings" || path.starts_with("/meetings/");
}

std::optional<HttpResponse> MeetingsApi::Handle(const HttpRequest& request) {
  if (!Owns(request.path)) return std::nullopt;
  HttpResponse response;
  try {
    Authenticate(request);
    response = Dispatch(request);
  } catch (const ApiError& e) {
    response = HttpResponse::AwsError(e.Status(), e.Type(), e.what());
  } catch (const json::exception& e) {
    response =
        HttpResponse::AwsError(400, "BadRequestException", std::string("Invalid request: ") + e.what());
  } catch (const std::exception& e) {
    log::Error("api", "{} {} failed: {}", request.method, request.path, e.what());
    response =
        HttpResponse::AwsError(500, "ServiceFailureException", "The service encountered an internal error.");
  }
  response.headers.emplace_back("x-amzn-RequestId", IdGenerator::NewUuid());
  return response;
}

HttpResponse MeetingsApi::Dispatch(const HttpRequest& request) {
  const auto parts = SplitPath(request.path);  // parts[0] == "meetings"
  const std::string operation = request.QueryParam("operation").value_or("");
  const std::string& method = request.method;
  const std::string host = ChimeJson::ResolveHost(request, config_);

  if (parts.size() == 1) {
    if (method != "POST") UnknownOperation(request);
    const json body = ParseBody(request);
    const CreateMeetingParams params = ParseMeetingParams(body);
    if (operation == "create-attendees") {
      const auto attendees = ParseAttendeeList(body, true);
      if (attendees.empty()) throw BadRequest("Attendees must contain 1-10 items.");
      const auto result = service_.CreateMeetingWithAttendees(params, attendees);
      return Ok({{"Meeting", ChimeJson::Meeting(result.meeting, host, config_)},
                 {"Attendees", AttendeeArray(result.attendees)},
                 {"Errors", ErrorArray(result.errors)}});
    }
    if (!operation.empty()) UnknownOperation(request);
    return Ok({{"Meeting", ChimeJson::Meeting(service_.CreateMeeting(params), host, config_)}});
  }

  const std::string& meetingId = parts[1];
  if (parts.size() == 2) {
    if (method == "GET")
      return Ok({{"Meeting", ChimeJson::Meeting(service_.GetMeeting(meetingId), host, config_)}});
    if (method == "DELETE") {
      service_.DeleteMeeting(meetingId);
      return NoContent();
    }
    UnknownOperation(request);
  }

  if (parts[2] != "attendees" || parts.size() > 4) UnknownOperation(request);
  if (parts.size() == 3) {
    if (method == "GET") {
      const auto page =
          service_.ListAttendees(meetingId, request.QueryParam("next-token"), ParseMaxResults(request));
      json body = {{"Attendees", AttendeeArray(page.attendees)}};
      if (!page.nextToken.empty()) body["NextToken"] = page.nextToken;
      return Ok(body);
    }
    if (method != "POST") UnknownOperation(request);
    const json body = ParseBody(request);
    if (operation == "batch-create") {
      const auto result = service_.BatchCreateAttendee(meetingId, ParseAttendeeList(body, true));
      return Ok({{"Attendees", AttendeeArray(result.attendees)}, {"Errors", ErrorArray(result.errors)}});
    }
    if (!operation.empty()) UnknownOperation(request);
    return Ok(
        {{"Attendee", ChimeJson::Attendee(service_.CreateAttendee(meetingId, ParseAttendeeParams(body)))}});
  }

  const std::string& attendeeId = parts[3];
  if (method == "GET")
    return Ok({{"Attendee", ChimeJson::Attendee(service_.GetAttendee(meetingId, attendeeId))}});
  if (method == "DELETE") {
    service_.DeleteAttendee(meetingId, attendeeId);
    return NoContent();
  }
  UnknownOperation(request);
}

}  // namespace medicall::meetings
