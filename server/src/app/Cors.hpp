#pragma once
// CORS (WHATWG Fetch, "CORS protocol") for the app endpoints that a frontend hosted on another origin
// calls: POST /join, GET /api/roster/:roomId and POST /events (the SDK's event ingestion URL).
// Origins come from MEDICALL_CORS_ORIGINS, exact "scheme://host[:port]" values; none by default: the
// web app the server itself serves is same-origin and needs no CORS. Nothing else (the meetings API,
// signaling, static files) ever answers CORS.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/HttpTypes.hpp"

namespace medicall::app {

class Cors {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit Cors(std::vector<std::string> allowedOrigins);

  // Whether CORS applies to `path` at all.
  static bool Covers(std::string_view path);

  // An OPTIONS preflight to a covered path: 204 with the Access-Control-* headers for a listed
  // origin, 403 without them for any other. nullopt for every other request, and for every request
  // when no origin is configured (the endpoints then answer OPTIONS as they always did).
  std::optional<HttpResponse> Preflight(const HttpRequest& request) const;

  // Headers to add to the response of an actual request: Access-Control-Allow-Origin for a listed
  // origin on a covered path, and Vary: Origin on covered paths whenever origins are configured.
  // Nothing for OPTIONS: Preflight's answer has its own.
  Headers ResponseHeaders(const HttpRequest& request) const;

 private:
  bool Allowed(const HttpRequest& request) const;

  std::vector<std::string> origins_;
};

}  // namespace medicall::app
