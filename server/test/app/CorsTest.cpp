// CORS for /join, /api/roster/:roomId and /events (issue 15): only configured origins get
// Access-Control-Allow-Origin; nothing changes when MEDICALL_CORS_ORIGINS is empty; the setting parses.
#include <gtest/gtest.h>

#include <algorithm>

#include "app/Cors.hpp"
#include "common/Config.hpp"

namespace medicall::app {
namespace {

HttpRequest Request(std::string method, std::string path, std::string origin = {}) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  r.target = r.path;
  if (!origin.empty()) r.headers["Origin"] = std::move(origin);
  return r;
}

std::string HeaderOf(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  auto it = std::find_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == name; });
  return it == headers.end() ? std::string() : it->second;
}

const std::string kFrontend = "http://localhost:5173";

TEST(Cors, CoversOnlyTheAppEndpoints) {
  EXPECT_TRUE(Cors::Covers("/join"));
  EXPECT_TRUE(Cors::Covers("/events"));
  EXPECT_TRUE(Cors::Covers("/api/roster/room-1"));
  EXPECT_FALSE(Cors::Covers("/api/roster/"));
  EXPECT_FALSE(Cors::Covers("/meetings"));
  EXPECT_FALSE(Cors::Covers("/"));
  EXPECT_FALSE(Cors::Covers("/joinx"));
}

TEST(Cors, PreflightFromAListedOrigin) {
  Cors cors({kFrontend});
  auto r = cors.Preflight(Request("OPTIONS", "/join", kFrontend));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(HeaderOf(r->headers, "Access-Control-Allow-Origin"), kFrontend);
  EXPECT_NE(HeaderOf(r->headers, "Access-Control-Allow-Methods").find("POST"), std::string::npos);
  EXPECT_NE(HeaderOf(r->headers, "Access-Control-Allow-Headers").find("Content-Type"), std::string::npos);
  EXPECT_EQ(HeaderOf(r->headers, "Vary"), "Origin");
  // The reply path adds ResponseHeaders to every response: a preflight must not get them twice.
  EXPECT_TRUE(cors.ResponseHeaders(Request("OPTIONS", "/join", kFrontend)).empty());
  auto roster = cors.Preflight(Request("OPTIONS", "/api/roster/r1", kFrontend));
  ASSERT_TRUE(roster);
  EXPECT_EQ(roster->status, 204);
}

TEST(Cors, OtherOriginsAndPathsGetNoAllowOrigin) {
  Cors cors({kFrontend});
  auto denied = cors.Preflight(Request("OPTIONS", "/join", "http://evil.example"));
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(HeaderOf(denied->headers, "Access-Control-Allow-Origin"), "");
  EXPECT_FALSE(cors.Preflight(Request("OPTIONS", "/meetings", kFrontend)));  // not covered
  EXPECT_FALSE(cors.Preflight(Request("POST", "/join", kFrontend)));         // not a preflight

  auto h = cors.ResponseHeaders(Request("POST", "/join", "http://evil.example"));
  EXPECT_EQ(HeaderOf(h, "Access-Control-Allow-Origin"), "");
  EXPECT_EQ(HeaderOf(h, "Vary"), "Origin");
  EXPECT_TRUE(cors.ResponseHeaders(Request("POST", "/meetings", kFrontend)).empty());
  EXPECT_TRUE(cors.ResponseHeaders(Request("GET", "/", kFrontend)).empty());
}

TEST(Cors, ActualRequestsFromAListedOrigin) {
  Cors cors({kFrontend, "https://app.example"});
  auto h = cors.ResponseHeaders(Request("GET", "/api/roster/r1", "https://app.example"));
  EXPECT_EQ(HeaderOf(h, "Access-Control-Allow-Origin"), "https://app.example");
  auto events = cors.ResponseHeaders(Request("POST", "/events", kFrontend));
  EXPECT_EQ(HeaderOf(events, "Access-Control-Allow-Origin"), kFrontend);
}

TEST(Cors, NoOriginsConfiguredChangesNothing) {
  Cors cors({});
  EXPECT_FALSE(cors.Preflight(Request("OPTIONS", "/join", kFrontend)));
  EXPECT_TRUE(cors.ResponseHeaders(Request("POST", "/join", kFrontend)).empty());
}

TEST(Cors, SettingParsesAndValidatesOrigins) {
  Config c;
  std::string err;
  bool help = false;
  const char* argv[] = {"medicall", "--cors-origins", " HTTP://LocalHost:5173, https://app.example "};
  ASSERT_TRUE(LoadConfig(3, const_cast<char**>(argv), c, err, help)) << err;
  EXPECT_EQ(c.corsOrigins, (std::vector<std::string>{"http://localhost:5173", "https://app.example"}));

  Config d;
  EXPECT_TRUE(d.corsOrigins.empty());  // none by default
  for (const char* bad : {"localhost:5173", "ftp://a.example", "https://a.example/path", "https://"}) {
    const char* badArgv[] = {"medicall", "--cors-origins", bad};
    EXPECT_FALSE(LoadConfig(3, const_cast<char**>(badArgv), d, err, help)) << bad;
  }
}

}  // namespace
}  // namespace medicall::app
