#include "store/SqliteQualityStore.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

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

// Issue 16: the server's view of the downlink went into new columns at the end; they come back like
// the others.
TEST_F(SqliteQualityStoreTest, TheServersDownlinkColumnsRoundTrip) {
  SqliteQualityStore store(dir_.string());
  QualitySample s = Sample("m1", "a", 1000, 0);
  s[QualityColumn::kServerDownLossPct] = 9.5;
  s[QualityColumn::kServerDownJitterMs] = 3.25;
  s[QualityColumn::kServerRttMs] = 41;
  s[QualityColumn::kNacksIn] = 7;
  s[QualityColumn::kPlisIn] = 0;
  s[QualityColumn::kRtxOut] = 12;
  s[QualityColumn::kEstimateKbps] = 2400;
  store.InsertSamples({s});
  const auto rows = store.ListSamples("m1", 10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].values, s.values);
}

// A database made before those columns existed opens: the columns are added, its rows stay, NULL in
// them, and new rows carry them. Opening it again changes nothing.
TEST_F(SqliteQualityStoreTest, AnOlderTableGetsTheNewColumnsAndKeepsItsRows) {
  std::filesystem::create_directories(dir_);
  const std::string path = (dir_ / "medicall.db").string();
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    // The table as the first version made it (up to "plis").
    const char* old =
        "CREATE TABLE quality_samples (meeting_id TEXT NOT NULL, attendee_id TEXT NOT NULL, at_ms INTEGER "
        "NOT "
        "NULL, send_kbps REAL, receive_kbps REAL, send_fps REAL, receive_fps REAL, send_width REAL, "
        "send_height REAL, receive_width REAL, receive_height REAL, uplink_loss_pct REAL, downlink_loss_pct "
        "REAL, jitter_ms REAL, rtt_ms REAL, freezes REAL, audio_packets_per_s REAL, audio_present REAL, "
        "mic_level REAL, signal_strength REAL, nacks REAL, plis REAL);"
        "INSERT INTO quality_samples (meeting_id, attendee_id, at_ms, uplink_loss_pct, rtt_ms, plis) "
        "VALUES ('m1', 'a', 1000, 12.5, 80, 2);";
    ASSERT_EQ(sqlite3_exec(db, old, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  for (int open = 0; open < 2; ++open) {
    SqliteQualityStore store(dir_.string());
    if (open == 0) {
      QualitySample s = Sample("m1", "b", 2000, 1);
      s[QualityColumn::kServerRttMs] = 15;
      s[QualityColumn::kEstimateKbps] = 900;
      store.InsertSamples({s});
    }
    const auto rows = store.ListSamples("m1", 10);
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].attendeeId, "a");
    EXPECT_DOUBLE_EQ(*rows[0][QualityColumn::kUplinkLossPct], 12.5);
    EXPECT_DOUBLE_EQ(*rows[0][QualityColumn::kRttMs], 80);
    EXPECT_DOUBLE_EQ(*rows[0][QualityColumn::kPlis], 2);
    EXPECT_FALSE(rows[0][QualityColumn::kServerRttMs] || rows[0][QualityColumn::kNacksIn] ||
                 rows[0][QualityColumn::kEstimateKbps]);
    EXPECT_DOUBLE_EQ(*rows[1][QualityColumn::kServerRttMs], 15);
    EXPECT_DOUBLE_EQ(*rows[1][QualityColumn::kEstimateKbps], 900);
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  int columns = 0;
  sqlite3_exec(
      db, "PRAGMA table_info(quality_samples)",
      [](void* n, int, char**, char**) {
        ++*static_cast<int*>(n);
        return 0;
      },
      &columns, nullptr);
  sqlite3_close(db);
  EXPECT_EQ(columns, static_cast<int>(3 + kQualityColumnCount));
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
