#include "app/Cors.hpp"

#include <algorithm>

namespace medicall::app {

namespace {

constexpr std::string_view kRosterPrefix = "/api/roster/";
constexpr std::string_view kAllowMethods = "GET, POST, OPTIONS";
// The request headers the browser may send: JSON bodies, and the SDK's bearer token on /events.
constexpr std::string_view kAllowHeaders = "Content-Type, Authorization";
constexpr std::string_view kMaxAgeSeconds = "600";

}  // namespace

Cors::Cors(std::vector<std::string> allowedOrigins) : origins_(std::move(allowedOrigins)) {}

bool Cors::Covers(std::string_view path) {
  if (path == "/join" || path == "/events") return true;
  return path.size() > kRosterPrefix.size() && path.substr(0, kRosterPrefix.size()) == kRosterPrefix;
}

bool Cors::Allowed(const HttpRequest& request) const {
  const std::string* origin = request.Header("Origin");
  return origin != nullptr && std::find(origins_.begin(), origins_.end(), *origin) != origins_.end();
}

std::optional<HttpResponse> Cors::Preflight(const HttpRequest& request) const {
  if (origins_.empty() || request.method != "OPTIONS" || !Covers(request.path)) return std::nullopt;
  HttpResponse response;
  response.headers.emplace_back("Vary", "Origin");
  if (!Allowed(request)) {
    response.status = 403;
    return response;
  }
  response.status = 204;
  response.headers.emplace_back("Access-Control-Allow-Origin", *request.Header("Origin"));
  response.headers.emplace_back("Access-Control-Allow-Methods", kAllowMethods);
  response.headers.emplace_back("Access-Control-Allow-Headers", kAllowHeaders);
  response.headers.emplace_back("Access-Control-Max-Age", kMaxAgeSeconds);
  return response;
}

Cors::Headers Cors::ResponseHeaders(const HttpRequest& request) const {
  Headers headers;
  // A preflight's response carries its headers already (Preflight); repeating them would make the
  // browser reject it ("multiple values" of Access-Control-Allow-Origin).
  if (origins_.empty() || request.method == "OPTIONS" || !Covers(request.path)) return headers;
  headers.emplace_back("Vary", "Origin");
  if (Allowed(request)) headers.emplace_back("Access-Control-Allow-Origin", *request.Header("Origin"));
  return headers;
}

}  // namespace medicall::app
