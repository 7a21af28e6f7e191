#include "quality/MediaMetrics.hpp"

#include <gtest/gtest.h>

namespace medicall::quality {
namespace {

TEST(MediaMetricsTest, PublishesSumsAndKeepsTheCountsOfSourcesThatWent) {
  MediaMetrics m;
  uint64_t videoIn = 10;
  const uint64_t a = m.Register([&](MediaMetrics::Counts& c) {
    c[MediaMetrics::kVideoIn] += videoIn;
    c[MediaMetrics::kTransportsActive] += 2;
  });
  m.Register([](MediaMetrics::Counts& c) { c[MediaMetrics::kVideoIn] += 5; });
  EXPECT_EQ(m.Published(MediaMetrics::kVideoIn), 0u);  // nothing until the worker publishes
  m.Publish(1500);
  EXPECT_EQ(m.Published(MediaMetrics::kVideoIn), 15u);
  EXPECT_EQ(m.Published(MediaMetrics::kTransportsActive), 2u);
  videoIn = 30;
  m.Unregister(a);
  m.Publish(500);
  EXPECT_EQ(m.Published(MediaMetrics::kVideoIn), 35u);          // a counter never goes back
  EXPECT_EQ(m.Published(MediaMetrics::kTransportsActive), 0u);  // a gauge goes with its source
  const std::string text = m.Render();
  EXPECT_NE(text.find("medicall_media_rtp_packets_total{stream=\"video_in\"} 35\n"), std::string::npos);
  EXPECT_NE(text.find("medicall_media_worker_loop_lag_seconds 0.000500\n"), std::string::npos);
  EXPECT_NE(text.find("medicall_media_worker_loop_lag_max_seconds 0.001500\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE medicall_media_dropped_total counter\n"), std::string::npos);
  // One HELP/TYPE per metric name.
  EXPECT_EQ(text.find("# TYPE medicall_media_rtp_packets_total"),
            text.rfind("# TYPE medicall_media_rtp_packets_total"));
}

TEST(MediaMetricsTest, RendersTheSumOfSeveralWorkers) {
  MediaMetrics w0, w1;
  w0.Register([](MediaMetrics::Counts& c) {
    c[MediaMetrics::kVideoIn] += 7;
    c[MediaMetrics::kTransportsActive] += 2;
  });
  w1.Register([](MediaMetrics::Counts& c) {
    c[MediaMetrics::kVideoIn] += 5;
    c[MediaMetrics::kTransportsActive] += 3;
  });
  w0.Publish(200);
  w1.Publish(900);
  w1.CountClientMetric(true);
  w0.CountClientMetric(false);
  w0.CountClientMetric(true);
  const MediaMetrics* workers[] = {&w0, &w1};
  const std::string text = MediaMetrics::Render(workers);
  EXPECT_NE(text.find("medicall_media_rtp_packets_total{stream=\"video_in\"} 12\n"), std::string::npos);
  EXPECT_NE(text.find("medicall_media_transports_active 5\n"), std::string::npos);
  EXPECT_NE(text.find("medicall_media_worker_loop_lag_seconds 0.000900\n"),
            std::string::npos);  // the largest
  EXPECT_NE(text.find("medicall_client_metrics_total{result=\"accepted\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("medicall_client_metrics_total{result=\"dropped\"} 1\n"), std::string::npos);
  // Still one HELP per metric name.
  size_t helps = 0;
  for (size_t at = text.find("# HELP medicall_media_rtp_packets_total"); at != std::string::npos;
       at = text.find("# HELP medicall_media_rtp_packets_total", at + 1))
    ++helps;
  EXPECT_EQ(helps, 1u);
}

TEST(MediaMetricsTest, CountsClientMetricFrames) {
  MediaMetrics m;
  m.CountClientMetric(true);
  m.CountClientMetric(true);
  m.CountClientMetric(false);
  const std::string text = m.Render();
  EXPECT_NE(text.find("medicall_client_metrics_total{result=\"accepted\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("medicall_client_metrics_total{result=\"dropped\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace medicall::quality
