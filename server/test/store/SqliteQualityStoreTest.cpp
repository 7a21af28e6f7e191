#include "store/SqliteQualityStore.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "store/SqliteStore.hpp"

namespace medicall::store {
namespace {

class SqliteQualityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("medicall-quality-test-" + std::to_string(rd()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static QualitySample Sample(const std::string& meeting, const std::string& attendee, int64_t atMs,
                              double loss) {
    QualitySample s;
    s.meetingId = meeting;
    s.attendeeId = attendee;
    s.atMs = atMs;
    s[QualityColumn::kUplinkLossPct] = loss;
    s[QualityColumn::kSendKbps] = 512.5;
    return s;
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteQualityStoreTest, SamplesComeBackInTimeOrderWithAbsentFiguresAbsent) {
  SqliteQualityStore store(dir_.string());
  store.InsertSamples(
      {Sample("m1", "a", 2000, 12.5), Sample("m1", "b", 1000, 0), Sample("m2", "a", 1500, 3)});
  const auto rows = store.ListSamples("m1", 100);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].attendeeId, "b");
  EXPECT_EQ(rows[0].atMs, 1000);
  EXPECT_EQ(rows[1].attendeeId, "a");
  EXPECT_DOUBLE_EQ(*rows[1][QualityColumn::kUplinkLossPct], 12.5);
  EXPECT_DOUBLE_EQ(*rows[1][QualityColumn::kSendKbps], 512.5);
  EXPECT_FALSE(rows[1][QualityColumn::kRttMs].has_value());
  EXPECT_EQ(store.ListSamples("m1", 1).size(), 1u);
  EXPECT_TRUE(store.ListSamples("nobody", 100).empty());
}

TEST_F(SqliteQualityStoreTest, EventsAndPurgeByAge) {
  SqliteQualityStore store(dir_.string());
  store.InsertEvent({"m1", "a", 1000, "joined"});
  store.InsertEvent({"m1", "a", 9000, "dropped"});
  store.InsertSamples({Sample("m1", "a", 1000, 1), Sample("m1", "a", 9000, 2)});
  auto events = store.ListEvents("m1", 10);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].kind, "dropped");
  EXPECT_EQ(store.PurgeBefore(5000), 2);  // one sample, one event
  EXPECT_EQ(store.ListSamples("m1", 10).size(), 1u);
  EXPECT_EQ(store.ListEvents("m1", 10).size(), 1u);
  EXPECT_EQ(store.PurgeBefore(5000), 0);
}

// The quality tables live in the meetings database file, next to SqliteStore's, and survive reopening.
TEST_F(SqliteQualityStoreTest, SharesTheDatabaseFileWithTheMeetingsStore) {
  {
    SqliteStore meetings(dir_.string());
    SqliteQualityStore quality(dir_.string());
    quality.InsertSamples({Sample("m1", "a", 1000, 4)});
    EXPECT_EQ(meetings.Stats().meetings, 0);
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "medicall.db"));
  SqliteQualityStore reopened(dir_.string());
  EXPECT_EQ(reopened.ListSamples("m1", 10).size(), 1u);
}

TEST(QualityColumnTest, NamesAreDistinctSnakeCase) {
  for (size_t i = 0; i < kQualityColumnCount; ++i) {
    const auto name = QualityColumnName(static_cast<QualityColumn>(i));
    EXPECT_NE(name, "?");
    for (size_t j = 0; j < i; ++j) EXPECT_NE(name, QualityColumnName(static_cast<QualityColumn>(j)));
  }
}

}  // namespace
}  // namespace medicall::store
