#include "quality/QualityApi.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>

#include "common/ApiError.hpp"
#include "meetings/MeetingsService.hpp"
#include "quality/QualitySummary.hpp"

namespace medicall::quality {

namespace {

using nlohmann::json;
using store::kQualityColumnCount;
using store::QualityColumn;
using store::QualityColumnName;

constexpr std::string_view kPrefix = "/api/meetings/";
constexpr std::string_view kSuffix = "/quality";

std::string MeetingIdOf(std::string_view path) {
  if (!path.starts_with(kPrefix) || !path.ends_with(kSuffix)) return {};
  const auto id = path.substr(kPrefix.size(), path.size() - kPrefix.size() - kSuffix.size());
  if (id.empty() || id.find('/') != std::string_view::npos) return {};
  return std::string(id);
}

bool WantsCsv(const HttpRequest& request) {
  if (auto format = request.QueryParam("format")) return *format == "csv";
  const std::string* accept = request.Header("Accept");
  return accept && accept->find("text/csv") != std::string::npos;
}

std::string CsvNumber(const std::optional<double>& v) {
  if (!v) return {};
  if (std::floor(*v) == *v && std::abs(*v) < 1e15) return fmt::format("{}", static_cast<int64_t>(*v));
  return fmt::format("{:.3f}", *v);
}

// A field of a CSV row: quoted when it holds a separator, a quote or a line break.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

QualityApi::QualityApi(store::QualityStore& store, meetings::MeetingsService& meetings, const Config& config)
    : store_(store), meetings_(meetings) {
  if (!config.awsAccessKeyId.empty() && !config.awsSecretAccessKey.empty())
    verifier_.emplace(config.awsAccessKeyId, config.awsSecretAccessKey, config.awsRegion, "chime",
                      config.sigv4SkewSeconds);
}

bool QualityApi::Owns(std::string_view path) { return path.starts_with(kPrefix) && path.ends_with(kSuffix); }

bool QualityApi::MayRead(const HttpRequest& request, const std::string& meetingId, int& status,
                         std::string& why) const {
  if (visitAuthorizer_) {
    if (auto verdict = visitAuthorizer_(meetingId, request, status, why)) {
      if (*verdict) return true;
      // A visit's participants and clinicians were refused: the operator may still read it.
      int signedStatus = 0;
      std::string signedWhy;
      return request.Header("Authorization") != nullptr && verifier_ &&
             SignedByOperator(request, signedStatus, signedWhy);
    }
  }
  // An open room's meeting: loopback or the meetings API credentials.
  if (request.remoteIsLoopback) return true;
  if (!verifier_) {
    status = 403;
    why = "Call-quality reports are served on loopback only when no meetings API credentials are configured.";
    return false;
  }
  return SignedByOperator(request, status, why);
}

bool QualityApi::SignedByOperator(const HttpRequest& request, int& status, std::string& why) const {
  if (!verifier_) return false;
  try {
    verifier_->Verify(request);
    return true;
  } catch (const ApiError& e) {
    status = e.Status();
    why = e.what();
    return false;
  }
}

std::optional<HttpResponse> QualityApi::Handle(const HttpRequest& request) {
  if (!Owns(request.path)) return std::nullopt;
  const std::string meetingId = MeetingIdOf(request.path);
  if (meetingId.empty()) return HttpResponse::AwsError(404, "NotFoundException", "no such report");
  if (request.method != "GET" && request.method != "HEAD")
    return HttpResponse::AwsError(405, "MethodNotAllowedException", "GET only");
  int status = 403;
  std::string why;
  if (!MayRead(request, meetingId, status, why)) {
    return HttpResponse::AwsError(status, status == 401 ? "UnauthorizedException" : "ForbiddenException",
                                  why);
  }
  int tz = 0;
  if (auto text = request.QueryParam("tz")) {
    int v = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec == std::errc() && end == text->data() + text->size() && v >= -14 * 60 && v <= 14 * 60) tz = v;
  }

  const auto samples = store_.ListSamples(meetingId, kMaxSamples);
  const auto events = store_.ListEvents(meetingId, kMaxEvents);
  // A meeting that ended and was deleted keeps its figures until the retention ends, without names.
  std::map<std::string, std::string> names;
  for (const auto& a : meetings_.ListAllAttendees(meetingId))
    names[a.attendeeId] = a.name.empty() ? a.externalUserId : a.name;
  if (names.empty() && samples.empty() && events.empty())
    return HttpResponse::AwsError(404, "NotFoundException", "no such meeting");

  if (WantsCsv(request)) {
    std::string csv = "meeting_id,attendee_id,at_ms";
    for (size_t i = 0; i < kQualityColumnCount; ++i)
      csv += fmt::format(",{}", QualityColumnName(static_cast<QualityColumn>(i)));
    csv += "\r\n";
    for (const auto& s : samples) {
      csv += CsvField(s.meetingId) + "," + CsvField(s.attendeeId) + "," + std::to_string(s.atMs);
      for (const auto& v : s.values) csv += "," + CsvNumber(v);
      csv += "\r\n";
    }
    auto response = HttpResponse::Text(200, std::move(csv), "text/csv; charset=utf-8");
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"quality-" + meetingId + ".csv\"");
    return response;
  }

  json body;
  body["meetingId"] = meetingId;
  json columns = json::array();
  for (size_t i = 0; i < kQualityColumnCount; ++i)
    columns.push_back(QualityColumnName(static_cast<QualityColumn>(i)));
  body["columns"] = columns;
  std::map<std::string, bool> seen;
  json attendees = json::array();
  auto addAttendee = [&](const std::string& id) {
    if (seen[id]) return;
    seen[id] = true;
    auto it = names.find(id);
    attendees.push_back({{"attendeeId", id}, {"name", it == names.end() ? json(nullptr) : json(it->second)}});
  };
  json rows = json::array();
  for (const auto& s : samples) {
    addAttendee(s.attendeeId);
    json row = {{"attendeeId", s.attendeeId}, {"atMs", s.atMs}};
    for (size_t i = 0; i < kQualityColumnCount; ++i) {
      const auto& v = s.values[i];
      row[std::string(QualityColumnName(static_cast<QualityColumn>(i)))] = v ? json(*v) : json(nullptr);
    }
    rows.push_back(std::move(row));
  }
  json eventRows = json::array();
  for (const auto& e : events) {
    addAttendee(e.attendeeId);
    eventRows.push_back({{"attendeeId", e.attendeeId}, {"atMs", e.atMs}, {"kind", e.kind}});
  }
  json summary = json::array();
  for (const auto& f : QualitySummary::Summarize(samples, events, names, tz))
    summary.push_back({{"attendeeId", f.attendeeId},
                       {"kind", f.kind},
                       {"fromMs", f.fromMs},
                       {"toMs", f.toMs},
                       {"value", f.value},
                       {"text", f.text}});
  body["attendees"] = std::move(attendees);
  body["samples"] = std::move(rows);
  body["events"] = std::move(eventRows);
  body["summary"] = std::move(summary);
  return HttpResponse::FromJson(200, body);
}

}  // namespace medicall::quality
