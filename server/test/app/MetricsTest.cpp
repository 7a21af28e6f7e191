// Metrics: request series are keyed by method and route template, and the method is clamped to
// the standard set so a client cannot create unbounded series with made-up methods.
#include "app/Metrics.hpp"

#include <gtest/gtest.h>

namespace medicall::app {
namespace {

TEST(MetricsTest, RoutesCollapseIdsAndKeepStandardMethods) {
  EXPECT_EQ(Metrics::RouteOf("GET", "/meetings/abc/attendees/def"),
            "GET /meetings/{MeetingId}/attendees/{AttendeeId}");
  EXPECT_EQ(Metrics::RouteOf("POST", "/join"), "POST /join");
  EXPECT_EQ(Metrics::RouteOf("DELETE", "/meetings/abc"), "DELETE /meetings/{MeetingId}");
  EXPECT_EQ(Metrics::RouteOf("GET", "/assets/app.js"), "GET static");
}

TEST(MetricsTest, UnknownMethodsCountAsOther) {
  Metrics metrics;
  for (const char* method : {"FOOBAR", "get", "PROPFIND", "M-SEARCH", "XYZZY"}) {
    metrics.CountRequest(Metrics::RouteOf(method, "/healthz"), 200);
  }
  metrics.CountRequest(Metrics::RouteOf("GET", "/healthz"), 200);
  const std::string text = metrics.Render();
  EXPECT_NE(text.find(R"(medicall_http_requests_total{method="OTHER",route="/healthz",status="200"} 5)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(medicall_http_requests_total{method="GET",route="/healthz",status="200"} 1)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("FOOBAR"), std::string::npos);
  EXPECT_EQ(text.find("PROPFIND"), std::string::npos);
}

TEST(MetricsTest, QualityReportRouteAndTextSources) {
  EXPECT_EQ(Metrics::RouteOf("GET", "/api/meetings/8d3c1f2e-aaaa/quality"),
            "GET /api/meetings/{MeetingId}/quality");
  Metrics metrics;
  int renders = 0;
  metrics.AddText([&renders] {
    ++renders;
    return std::string("# TYPE medicall_x_total counter\nmedicall_x_total{reason=\"a\"} 3\n");
  });
  const std::string text = metrics.Render();
  EXPECT_NE(text.find("medicall_x_total{reason=\"a\"} 3\n"), std::string::npos) << text;
  EXPECT_EQ(renders, 1);
}

}  // namespace
}  // namespace medicall::app
