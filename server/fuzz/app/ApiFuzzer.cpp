// api_fuzzer: HTTP requests with JSON bodies into the API layer as the application chains it
// (MeetingsApi, then JoinApi), on a fresh SQLite store per input. The input is a sequence of requests
// separated by a line "---":
//     METHOD /target?query        (percent-decoded as the HTTP server does; a bad escape is a 400 there)
//     Header: value               (any number; "Content-Type: application/json" is added when absent)
//                                 (empty line)
//     body
// "{M}" and "{A}" in a target or body stand for the last MeetingId and AttendeeId returned, so
// sequences reach beyond creation. An input starting with "AUTH\n" runs with AWS credentials
// configured and a non-loopback client (every request then needs a SigV4 signature).
// Checked for every request:
//   - no exception escapes a handler and no input yields a 500 (bad input gets a typed 4xx);
//   - a handler answers exactly the paths it owns;
//   - MeetingsApi: an x-amzn-RequestId; an error carries x-amzn-errortype equal to the body's "Code"
//     and a string "Message"; a 204 has no body; everything else is a JSON object;
//   - JoinApi: errors are {"error": string, "message": string}; successes are JSON objects;
// and, after a success: a created meeting or attendee reads back equal (GET), a deleted one reads
// 404, a /join lists its attendee in the room's roster.
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "app/JoinApi.hpp"
#include "common/Clock.hpp"
#include "common/Config.hpp"
#include "common/FuzzCheck.hpp"
#include "common/HttpTypes.hpp"
#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"
#include "meetings/MeetingsApi.hpp"
#include "meetings/MeetingsService.hpp"
#include "store/SqliteStore.hpp"

namespace {

using namespace medicall;
using nlohmann::json;

std::filesystem::path gDataDir;

std::string Replace(std::string s, std::string_view key, const std::string& value) {
  for (size_t at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size())) {
    s.replace(at, key.size(), value);
  }
  return s;
}

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (CaseInsensitiveLess{}(k, name) == false && CaseInsensitiveLess{}(name, k) == false) return v;
  }
  return {};
}

class Api {
 public:
  explicit Api(bool withCredentials) {
    config_.maxAttendees = 5;
    if (withCredentials) {
      config_.awsAccessKeyId = "AKIDEXAMPLE";
      config_.awsSecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    }
    loopback_ = !withCredentials;
    std::error_code ec;
    std::filesystem::remove_all(gDataDir, ec);
    store_.emplace(gDataDir.string());
    service_.emplace(*store_, config_, clock_);
    meetings_.emplace(*service_, config_, clock_);
    join_.emplace(*service_, config_);
  }

  // One request from its text form (ignored when it is not one the HTTP server would pass on).
  void Run(std::string_view text) {
    const size_t lineEnd = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, lineEnd);
    const size_t space = line.find(' ');
    if (space == std::string_view::npos || space == 0) return;
    HttpRequest r;
    r.method = std::string(line.substr(0, space));
    if (!IsToken(r.method)) return;  // the HTTP parser refuses a method that is no token (RFC 9110 5.6.2)
    r.target = Substitute(std::string(line.substr(space + 1)));
    if (r.target.empty() || r.target[0] != '/') return;  // the HTTP server refuses these (400)
    const size_t q = r.target.find('?');
    r.rawPath = r.target.substr(0, q);
    r.rawQuery = q == std::string::npos ? std::string() : r.target.substr(q + 1);
    auto path = PercentDecode(r.rawPath, false);
    auto query = ParseQuery(r.rawQuery);
    if (!path || !query) return;  // also a 400 from the HTTP server
    r.path = std::move(*path);
    r.query = std::move(*query);
    size_t pos = lineEnd + 1;
    while (pos < text.size()) {
      const size_t end = std::min(text.find('\n', pos), text.size());
      const std::string_view header = text.substr(pos, end - pos);
      pos = end + 1;
      if (header.empty()) break;
      const size_t colon = header.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      r.headers[std::string(header.substr(0, colon))] = std::string(value);
    }
    if (!r.Header("Content-Type")) r.headers["Content-Type"] = "application/json";
    if (!r.Header("Host")) r.headers["Host"] = "127.0.0.1:3001";
    if (pos < text.size()) r.body = Substitute(std::string(text.substr(pos)));
    r.remoteIsLoopback = loopback_;
    r.remoteAddress = loopback_ ? "127.0.0.1" : "192.0.2.7";
    Call(r, true);
    clock_.AdvanceMs(1000);
  }

 private:
  std::string Substitute(std::string s) const {
    return Replace(Replace(std::move(s), "{M}", meetingId_), "{A}", attendeeId_);
  }

  static HttpRequest Follow(const HttpRequest& like, std::string method, std::string path) {
    HttpRequest r = like;
    r.method = std::move(method);
    r.path = r.rawPath = r.target = std::move(path);
    r.rawQuery.clear();
    r.query.clear();
    r.body.clear();
    return r;
  }

  static bool IsToken(std::string_view s) {
    constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    for (unsigned char ch : s) {
      if (!std::isalnum(ch) && kSpecials.find(static_cast<char>(ch)) == std::string_view::npos) return false;
    }
    return true;
  }
  static bool IsMeetingsPath(const std::string& p) {
    return p == "/meetings" || p.rfind("/meetings/", 0) == 0;
  }
  static bool IsJoinPath(const std::string& p) { return p == "/join" || p.rfind("/api/roster/", 0) == 0; }

  // Runs the request through the handler chain and checks the response; follow: also run the
  // read-back checks after a success.
  std::optional<json> Call(const HttpRequest& r, bool follow) {
    std::optional<HttpResponse> response;
    bool fromMeetings = false;
    try {
      response = meetings_->Handle(r);
      fromMeetings = response.has_value();
      if (!response) response = join_->Handle(r);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s %s: exception escaped the API layer: %s\n", r.method.c_str(), r.target.c_str(),
                   e.what());
      FUZZ_CHECK(false);
    }
    FUZZ_CHECK(fromMeetings == IsMeetingsPath(r.path));
    FUZZ_CHECK(response.has_value() == (IsMeetingsPath(r.path) || IsJoinPath(r.path)));
    if (!response) return std::nullopt;
    if (response->status >= 500) {
      std::fprintf(stderr, "%s %s -> %d %s\n", r.method.c_str(), r.target.c_str(), response->status,
                   response->body.c_str());
    }
    FUZZ_CHECK(response->status >= 200 && response->status < 500);

    if (response->status == 204) {
      FUZZ_CHECK(response->body.empty());
      if (follow && r.method == "DELETE") {  // a deleted meeting or attendee is gone
        HttpRequest get = Follow(r, "GET", r.path);
        FUZZ_CHECK(meetings_->Handle(get)->status == 404);
      }
      return std::nullopt;
    }
    const json body = json::parse(response->body, nullptr, false);
    FUZZ_CHECK(!body.is_discarded() && body.is_object());
    if (fromMeetings) {
      FUZZ_CHECK(!HeaderOf(*response, "x-amzn-RequestId").empty());
      if (response->status >= 400) {
        const std::string type = HeaderOf(*response, "x-amzn-errortype");
        FUZZ_CHECK(!type.empty() && body.value("Code", "") == type);
        FUZZ_CHECK(body.contains("Message") && body["Message"].is_string());
        return std::nullopt;
      }
    } else if (response->status >= 400) {
      FUZZ_CHECK(body.contains("error") && body["error"].is_string());
      FUZZ_CHECK(body.contains("message") && body["message"].is_string());
      return std::nullopt;
    }
    Learn(body);
    if (follow) ReadBack(r, body);
    return body;
  }

  void Learn(const json& body) {
    const json* meeting = nullptr;
    const json* attendee = nullptr;
    if (body.contains("JoinInfo") && body["JoinInfo"].is_object()) {
      meeting = body["JoinInfo"].contains("Meeting") ? &body["JoinInfo"]["Meeting"] : nullptr;
      attendee = body["JoinInfo"].contains("Attendee") ? &body["JoinInfo"]["Attendee"] : nullptr;
    }
    if (body.contains("Meeting")) meeting = &body["Meeting"];
    if (body.contains("Attendee")) attendee = &body["Attendee"];
    if (body.contains("Attendees") && body["Attendees"].is_array() && !body["Attendees"].empty())
      attendee = &body["Attendees"][0];
    if (meeting && meeting->contains("MeetingId")) meetingId_ = (*meeting)["MeetingId"].get<std::string>();
    if (attendee && attendee->contains("AttendeeId"))
      attendeeId_ = (*attendee)["AttendeeId"].get<std::string>();
  }

  void ReadBack(const HttpRequest& r, const json& body) {
    if (IsMeetingsPath(r.path)) {
      if (r.method == "POST" && body.contains("Meeting")) {
        const json& m = body.at("Meeting");
        const std::string id = m.at("MeetingId");
        auto again = Call(Follow(r, "GET", "/meetings/" + id), false);
        FUZZ_CHECK(again && (*again)["Meeting"]["MeetingId"] == id);
        FUZZ_CHECK((*again)["Meeting"]["ExternalMeetingId"] == m.at("ExternalMeetingId"));
      }
      if (r.method == "POST" && body.contains("Attendee")) {
        const json& a = body.at("Attendee");
        const std::string id = a.at("AttendeeId");
        const std::string collection =
            r.path.substr(0, r.path.find("/attendees") + std::string("/attendees").size());
        auto again = Call(Follow(r, "GET", collection + "/" + id), false);
        FUZZ_CHECK(again && (*again)["Attendee"]["AttendeeId"] == id);
        FUZZ_CHECK((*again)["Attendee"]["ExternalUserId"] == a.at("ExternalUserId"));
      }
    }
    if (r.path == "/join") {
      const json request = json::parse(r.body);
      const std::string attendee = body.at("JoinInfo").at("Attendee").at("AttendeeId");
      auto roster = Call(Follow(r, "GET", "/api/roster/" + request["roomId"].get<std::string>()), false);
      FUZZ_CHECK(roster && (*roster)["roster"].contains(attendee));
    }
  }

 private:
  Config config_;
  bool loopback_ = true;
  ManualClock clock_{1'000'000'000, 1'700'000'000'000'000};  // one second per request
  std::optional<store::SqliteStore> store_;
  std::optional<meetings::MeetingsService> service_;
  std::optional<meetings::MeetingsApi> meetings_;
  std::optional<app::JoinApi> join_;
  std::string meetingId_;
  std::string attendeeId_;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  log::SetLevel(log::Level::Off);
  InitLibraries();
  const std::filesystem::path base = std::filesystem::exists("/dev/shm")
                                         ? std::filesystem::path("/dev/shm")
                                         : std::filesystem::temp_directory_path();
  // A crash skips atexit: remove what earlier runs, now gone, left behind.
  const std::string prefix = "medicall-api-fuzzer-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && !std::filesystem::exists("/proc/" + name.substr(prefix.size()))) {
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  gDataDir = base / (prefix + std::to_string(getpid()));
  std::atexit([] {
    std::error_code ec;
    std::filesystem::remove_all(gDataDir, ec);
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kAuth = "AUTH\n";
  const bool auth = input.substr(0, kAuth.size()) == kAuth;
  if (auth) input.remove_prefix(kAuth.size());
  Api api(auth);
  constexpr std::string_view kSeparator = "\n---\n";
  for (int n = 0; n < 32 && !input.empty(); ++n) {
    const size_t end = std::min(input.find(kSeparator), input.size());
    api.Run(input.substr(0, end));
    input.remove_prefix(std::min(input.size(), end + kSeparator.size()));
  }
  return 0;
}
