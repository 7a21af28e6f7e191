#include "media/audio/LevelReporter.hpp"

#include <gtest/gtest.h>

namespace medicall::media::audio {
namespace {

using Kind = JitterFrame::Kind;

TEST(LevelReporterTest, VolumeIsPositiveAttenuationInDb) {
  EXPECT_EQ(LevelReporter::VolumeFromDbov(-20.4f), 20u);
  EXPECT_EQ(LevelReporter::VolumeFromDbov(0.0f), 0u);
  EXPECT_EQ(LevelReporter::VolumeFromDbov(3.0f), 0u);
  EXPECT_EQ(LevelReporter::VolumeFromDbov(-127.0f), 127u);
  EXPECT_EQ(LevelReporter::VolumeFromDbov(-300.0f), 127u);
}

TEST(LevelReporterTest, ClientMapsMinusVolumeOverMinus42ToMinus14) {
  EXPECT_DOUBLE_EQ(LevelReporter::ClientNormalizedVolume(14), 1.0);
  EXPECT_DOUBLE_EQ(LevelReporter::ClientNormalizedVolume(0), 1.0);
  EXPECT_DOUBLE_EQ(LevelReporter::ClientNormalizedVolume(28), 0.5);
  EXPECT_DOUBLE_EQ(LevelReporter::ClientNormalizedVolume(42), 0.0);
  EXPECT_DOUBLE_EQ(LevelReporter::ClientNormalizedVolume(LevelReporter::kSilentVolume), 0.0);
  // The SDK's active speaker policy counts a volume above 0.2 as speech: -36.4 dBFS.
  EXPECT_GT(LevelReporter::ClientNormalizedVolume(LevelReporter::VolumeFromDbov(-30.0f)), 0.2);
}

TEST(LevelReporterTest, ReportsFiveTimesASecondWithThePeakOfTheWindow) {
  LevelReporter reporter;  // 10 ticks
  int reports = 0;
  for (int tick = 0; tick < 50; ++tick) {
    reporter.Observe(7, tick % 10 == 3 ? -18.0f : -40.0f, Kind::kPacket, false);
    reporter.Observe(9, kSilenceDbov, Kind::kSilent, false);
    auto report = reporter.EndTick();
    if (report.empty()) continue;
    ++reports;
    ASSERT_EQ(report.size(), 2u);
    EXPECT_EQ(report[0].id, 7u);
    EXPECT_EQ(report[0].volume, 18u);
    EXPECT_EQ(report[0].signalStrength, 2u);
    EXPECT_FALSE(report[0].muted);
    EXPECT_EQ(report[1].id, 9u);
    EXPECT_EQ(report[1].volume, LevelReporter::kSilentVolume);
    EXPECT_EQ(report[1].signalStrength, 0u);  // nothing received
  }
  EXPECT_EQ(reports, 5);  // 50 ticks = 1 s
}

TEST(LevelReporterTest, SignalStrengthFollowsLoss) {
  LevelReporter reporter;
  auto window = [&](int lostOfTen) {
    std::span<const AttendeeLevel> report;
    for (int i = 0; i < 10; ++i) {
      reporter.Observe(1, -20.0f, i < lostOfTen ? Kind::kLost : Kind::kPacket, false);
      report = reporter.EndTick();
    }
    return report.empty() ? 99u : report[0].signalStrength;
  };
  EXPECT_EQ(window(0), 2u);
  EXPECT_EQ(window(1), 1u);
  EXPECT_EQ(window(5), 0u);
}

TEST(LevelReporterTest, MutedAttendeeIsReportedMutedAndSilent) {
  LevelReporter reporter;
  std::span<const AttendeeLevel> report;
  for (int i = 0; i < 10; ++i) {
    reporter.Observe(3, -10.0f, Kind::kPacket, true);
    report = reporter.EndTick();
  }
  ASSERT_EQ(report.size(), 1u);
  EXPECT_TRUE(report[0].muted);
  EXPECT_EQ(report[0].volume, LevelReporter::kSilentVolume);
}

TEST(LevelReporterTest, RemovedAttendeeLeavesTheReport) {
  LevelReporter reporter;
  std::span<const AttendeeLevel> report;
  for (int i = 0; i < 10; ++i) {
    reporter.Observe(1, -20.0f, Kind::kPacket, false);
    reporter.Observe(2, -20.0f, Kind::kPacket, false);
    if (i == 5) reporter.Remove(1);
    report = reporter.EndTick();
  }
  ASSERT_EQ(report.size(), 2u);  // 1 observed again after removal, as a new window
  reporter.Remove(2);
  for (int i = 0; i < 10; ++i) {
    reporter.Observe(1, -20.0f, Kind::kPacket, false);
    report = reporter.EndTick();
  }
  ASSERT_EQ(report.size(), 1u);
  EXPECT_EQ(report[0].id, 1u);
}

}  // namespace
}  // namespace medicall::media::audio
