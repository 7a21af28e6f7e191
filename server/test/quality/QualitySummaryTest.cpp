#include "quality/QualitySummary.hpp"

#include <gtest/gtest.h>

namespace medicall::quality {
namespace {

using store::QualityColumn;
using store::QualitySample;

// 10:00:00 UTC on some day, in ms.
constexpr int64_t kTen = (1'700'000'000'000 / 86'400'000) * 86'400'000 + 10 * 3'600'000;

QualitySample At(const std::string& who, int64_t atMs, double uplinkLoss, std::optional<double> fps = {}) {
  QualitySample s;
  s.meetingId = "m";
  s.attendeeId = who;
  s.atMs = atMs;
  s[QualityColumn::kUplinkLossPct] = uplinkLoss;
  s[QualityColumn::kSendFps] = fps;
  return s;
}

TEST(QualitySummaryTest, NamesTheAttendeeTheLossAndItsWindow) {
  std::vector<QualitySample> samples;
  // Every 5 s from 10:00:05 to 10:10:00; Bob loses 12 % from 10:04:00 to 10:07:00 (samples
  // 10:04:05..10:07:00).
  for (int64_t t = kTen + 5000; t <= kTen + 600'000; t += 5000) {
    const bool lossy = t > kTen + 240'000 && t <= kTen + 420'000;
    samples.push_back(At("bob-id", t, lossy ? 12 : 0.5, lossy ? 4.0 : 15.0));
    samples.push_back(At("alice-id", t, 0));
  }
  const auto findings = QualitySummary::Summarize(samples, {}, {{"bob-id", "Bob"}, {"alice-id", "Alice"}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].attendeeId, "bob-id");
  EXPECT_EQ(findings[0].kind, "upload_loss");
  EXPECT_EQ(findings[0].fromMs, kTen + 240'000);
  EXPECT_EQ(findings[0].toMs, kTen + 420'000);
  EXPECT_EQ(findings[0].text, "Bob's upload was lost 12% from 10:04 to 10:07; video fell to 4 fps.");
}

TEST(QualitySummaryTest, ShortRunsGetSecondsAndOneGoodSampleDoesNotSplitARun) {
  std::vector<QualitySample> samples = {At("a", kTen, 0),         At("a", kTen + 5000, 20),
                                        At("a", kTen + 10000, 1), At("a", kTen + 15000, 10),
                                        At("a", kTen + 20000, 0), At("a", kTen + 25000, 0)};
  const auto f = QualitySummary::Summarize(samples, {}, {{"a", "Chris"}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].text, "Chris' upload was lost 15% from 10:00:00 to 10:00:15.");
}

TEST(QualitySummaryTest, DownloadRttFreezesDropsAndTimeZones) {
  QualitySample s = At("x1234567890", kTen + 5000, 0);
  s[QualityColumn::kDownlinkLossPct] = 9;
  s[QualityColumn::kRttMs] = 450;
  s[QualityColumn::kFreezes] = 3;
  const std::vector<store::QualityEvent> events = {{"m", "x1234567890", kTen + 7000, "dropped"},
                                                   {"m", "x1234567890", kTen + 1000, "joined"}};
  const auto f = QualitySummary::Summarize({s}, events, {}, 60);
  ASSERT_EQ(f.size(), 4u);
  std::vector<std::string> texts;
  for (const auto& x : f) texts.push_back(x.text);
  EXPECT_EQ(
      texts[0],
      "Attendee x1234567's download was lost 9% from 11:00:00 to 11:00:05.");  // started one interval earlier
  EXPECT_EQ(texts[1], "Attendee x1234567's round trip was 450 ms from 11:00:00 to 11:00:05.");
  EXPECT_EQ(texts[2], "Attendee x1234567's received video froze 3 times.");
  EXPECT_EQ(texts[3], "Attendee x1234567's connection dropped at 11:00:07.");
}

// Issue 16: without the client's figure (no CLIENT_METRIC, or not that one) the download loss comes from
// the attendee's receiver reports; where the client has a figure, that one counts.
TEST(QualitySummaryTest, DownloadLossFromTheServersViewWhenTheClientSaysNothing) {
  std::vector<QualitySample> samples;
  for (int64_t t = kTen + 5000; t <= kTen + 60'000; t += 5000) {
    QualitySample s = At("bob-id", t, 0);
    const bool lossy = t > kTen + 10'000 && t <= kTen + 25'000;  // 10:00:15, :20, :25
    s[QualityColumn::kServerDownLossPct] = lossy ? 9 : 0.2;
    samples.push_back(s);
    QualitySample alice = At("alice-id", t, 0);
    alice[QualityColumn::kDownlinkLossPct] = 0.5;   // her client saw a clean download
    alice[QualityColumn::kServerDownLossPct] = 30;  // what her reports said is not used then
    samples.push_back(alice);
  }
  const auto f = QualitySummary::Summarize(samples, {}, {{"bob-id", "Bob"}, {"alice-id", "Alice"}});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].attendeeId, "bob-id");
  EXPECT_EQ(f[0].kind, "download_loss");
  EXPECT_EQ(f[0].fromMs, kTen + 10'000);
  EXPECT_EQ(f[0].toMs, kTen + 25'000);
  EXPECT_DOUBLE_EQ(f[0].value, 9);
  EXPECT_EQ(f[0].text, "Bob's download was lost 9% from 10:00:10 to 10:00:25.");
}

TEST(QualitySummaryTest, AGoodCallHasNoFindings) {
  EXPECT_TRUE(QualitySummary::Summarize({At("a", kTen, 1), At("a", kTen + 5000, 2)}, {}, {}).empty());
  EXPECT_EQ(QualitySummary::FormatTime(kTen - 1000, -90, true), "08:29:59");
}

}  // namespace
}  // namespace medicall::quality
