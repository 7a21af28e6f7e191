#include "store/SqliteStore.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

namespace medicall::store {
namespace {

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("medicall-store-test-" + std::to_string(rd()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static MeetingRecord Meeting(const std::string& id, const std::string& external, int64_t createdAt) {
    MeetingRecord m;
    m.meetingId = id;
    m.externalMeetingId = external;
    m.meetingHostId = "host-" + id;
    m.mediaRegion = "us-east-1";
    m.featuresJson = R"({"Audio":{"EchoReduction":"AVAILABLE"}})";
    m.tagsJson = R"([{"Key":"k","Value":"v"}])";
    m.createdAt = createdAt;
    m.idleSince = createdAt;
    return m;
  }
  static AttendeeRecord Attendee(const std::string& meetingId, const std::string& id,
                                 const std::string& name) {
    AttendeeRecord a;
    a.meetingId = meetingId;
    a.attendeeId = id;
    a.externalUserId = "user-" + id;
    a.joinToken = "token-" + id;
    a.video = "Receive";
    a.name = name;
    a.createdAt = 100;
    return a;
  }

  std::filesystem::path dir_;
};

TEST_F(SqliteStoreTest, CreatesDataDirectoryAndDatabase) {
  SqliteStore store(dir_.string());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "medicall.db"));
  EXPECT_EQ(store.Stats().meetings, 0);
}

TEST_F(SqliteStoreTest, MeetingRoundTripSurvivesReopen) {
  {
    SqliteStore store(dir_.string());
    store.InsertMeeting(Meeting("m1", "room-a", 10), {Attendee("m1", "a1", "Alice")}, "tok-1");
  }
  SqliteStore store(dir_.string());
  auto m = store.FindMeeting("m1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->externalMeetingId, "room-a");
  EXPECT_EQ(m->meetingHostId, "host-m1");
  EXPECT_EQ(m->mediaRegion, "us-east-1");
  EXPECT_EQ(m->featuresJson, R"({"Audio":{"EchoReduction":"AVAILABLE"}})");
  EXPECT_EQ(m->tagsJson, R"([{"Key":"k","Value":"v"}])");
  EXPECT_EQ(m->createdAt, 10);
  EXPECT_EQ(store.FindMeetingIdByToken("tok-1"), std::optional<std::string>("m1"));
  auto a = store.FindAttendee("m1", "a1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "Alice");
  EXPECT_EQ(a->externalUserId, "user-a1");
  EXPECT_EQ(a->joinToken, "") << "only the token's SHA-256 is kept";
  EXPECT_EQ(store.FindAttendeeByJoinToken("m1", "token-a1")->attendeeId, "a1");
  EXPECT_EQ(a->video, "Receive");
  EXPECT_EQ(a->audio, "SendReceive");
  EXPECT_GT(a->seq, 0);
}

TEST_F(SqliteStoreTest, MissingRowsAreEmpty) {
  SqliteStore store(dir_.string());
  EXPECT_FALSE(store.FindMeeting("nope"));
  EXPECT_FALSE(store.FindMeetingByExternalId("nope"));
  EXPECT_FALSE(store.FindMeetingIdByToken("nope"));
  EXPECT_FALSE(store.FindAttendee("m", "a"));
  EXPECT_FALSE(store.DeleteMeeting("nope"));
  EXPECT_FALSE(store.DeleteAttendee("m", "a"));
}

TEST_F(SqliteStoreTest, ExternalIdLookupReturnsNewestMeeting) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("old", "room", 10), {}, "");
  store.InsertMeeting(Meeting("new", "room", 20), {}, "");
  store.InsertMeeting(Meeting("other", "room-2", 30), {}, "");
  EXPECT_EQ(store.FindMeetingByExternalId("room")->meetingId, "new");
  store.DeleteMeeting("new");
  EXPECT_EQ(store.FindMeetingByExternalId("room")->meetingId, "old");
}

TEST_F(SqliteStoreTest, AttendeeLookupsByExternalIdAndToken) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "r", 1), {}, "");
  store.InsertAttendees({Attendee("m1", "a1", "A"), Attendee("m1", "a2", "B")});
  EXPECT_EQ(store.FindAttendeeByExternalUserId("m1", "user-a2")->attendeeId, "a2");
  EXPECT_EQ(store.FindAttendeeByJoinToken("m1", "token-a1")->attendeeId, "a1");
  EXPECT_FALSE(store.FindAttendeeByJoinToken("other", "token-a1"));
  EXPECT_EQ(store.CountAttendees("m1"), 2);
}

TEST_F(SqliteStoreTest, PaginationWalksAllAttendeesInOrder) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "r", 1), {}, "");
  std::vector<AttendeeRecord> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(Attendee("m1", "a" + std::to_string(i), ""));
  store.InsertAttendees(batch);
  std::vector<std::string> seen;
  int64_t cursor = 0;
  int pages = 0;
  for (;;) {
    auto page = store.ListAttendees("m1", cursor, 3);
    ++pages;
    for (const auto& a : page.attendees) seen.push_back(a.attendeeId);
    if (!page.nextCursor) break;
    cursor = *page.nextCursor;
  }
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(seen[i], "a" + std::to_string(i));
  // Exactly full page: no next cursor.
  auto exact = store.ListAttendees("m1", 0, 7);
  EXPECT_EQ(exact.attendees.size(), 7u);
  EXPECT_FALSE(exact.nextCursor);
}

TEST_F(SqliteStoreTest, DeleteMeetingRemovesAttendeesAndTokens) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "r", 1), {Attendee("m1", "a1", "A")}, "tok");
  EXPECT_TRUE(store.DeleteMeeting("m1"));
  EXPECT_FALSE(store.FindMeeting("m1"));
  EXPECT_FALSE(store.FindAttendee("m1", "a1"));
  EXPECT_FALSE(store.FindMeetingIdByToken("tok"));
  EXPECT_EQ(store.Stats().attendees, 0);
}

TEST_F(SqliteStoreTest, DuplicateAttendeeFailsAtomically) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "r", 1), {}, "");
  EXPECT_THROW(store.InsertAttendees({Attendee("m1", "x", ""), Attendee("m1", "x", "")}), std::runtime_error);
  EXPECT_EQ(store.CountAttendees("m1"), 0);  // the first row was rolled back too
  store.InsertAttendees({Attendee("m1", "y", "")});
  EXPECT_EQ(store.CountAttendees("m1"), 1);
}

TEST_F(SqliteStoreTest, ExpiryCandidates) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("idle", "r", 100), {}, "");
  store.InsertMeeting(Meeting("fresh", "r", 500), {}, "");
  store.SetMeetingIdleSince("idle", 150);
  auto c = store.ListExpiryCandidates(200, 0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].meetingId, "idle");
  EXPECT_EQ(c[0].idleSince, 150);
  EXPECT_EQ(store.ListExpiryCandidates(0, 1000).size(), 2u);
}

TEST_F(SqliteStoreTest, ConcurrentWritersAllLand) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "r", 1), {}, "");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        store.InsertAttendees({Attendee("m1", std::to_string(t) + "-" + std::to_string(i), "")});
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.CountAttendees("m1"), 100);
  EXPECT_EQ(store.Stats().attendees, 100);
  EXPECT_EQ(store.Stats().meetings, 1);
}

TEST_F(SqliteStoreTest, UsesWalJournal) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "r", 1), {}, "");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "medicall.db-wal"));
}

// Another connection (another process, a backup tool) holding the database's write lock: our
// writer waits in SQLite's busy timeout, as it would on a slow fsync.
class WriteLockHolder {
 public:
  explicit WriteLockHolder(const std::string& path) {
    EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  }
  void Release() {
    if (!db_) return;
    sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(db_);
    db_ = nullptr;
  }
  ~WriteLockHolder() { Release(); }

 private:
  sqlite3* db_ = nullptr;
};

TEST_F(SqliteStoreTest, ReadsDoNotWaitForAStalledWrite) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "room", 1), {Attendee("m1", "a1", "Alice")}, "");
  WriteLockHolder lock(store.Path());
  std::atomic<bool> written{false};
  std::thread writer([&] {
    store.InsertAttendees({Attendee("m1", "a2", "Bob")});  // waits for the lock
    written = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the writer reach the lock

  // Every read answers while the write is still stalled (one shared connection would wait ~5 s).
  EXPECT_EQ(store.FindAttendeeByJoinToken("m1", "token-a1")->name, "Alice");
  EXPECT_TRUE(store.FindMeeting("m1"));
  EXPECT_EQ(store.ListAttendees("m1", 0, 10).attendees.size(), 1u);
  EXPECT_EQ(store.Stats().meetings, 1);
  EXPECT_FALSE(written.load());

  lock.Release();
  writer.join();
  EXPECT_TRUE(written.load());
  EXPECT_EQ(store.CountAttendees("m1"), 2);  // and the read connection sees the write at once
}

TEST_F(SqliteStoreTest, AttendeeLeftAtRoundTrips) {
  SqliteStore store(dir_.string());
  store.InsertMeeting(Meeting("m1", "room", 1), {Attendee("m1", "a1", "Alice")}, "");
  EXPECT_EQ(store.FindAttendee("m1", "a1")->leftAt, 0);
  EXPECT_TRUE(store.SetAttendeeLeftAt("m1", "a1", 500));
  EXPECT_EQ(store.FindAttendee("m1", "a1")->leftAt, 500);
  EXPECT_EQ(store.ListAttendees("m1", 0, 10).attendees[0].leftAt, 500);
  EXPECT_TRUE(store.SetAttendeeLeftAt("m1", "a1", 0));
  EXPECT_EQ(store.FindAttendee("m1", "a1")->leftAt, 0);
  EXPECT_FALSE(store.SetAttendeeLeftAt("m1", "nobody", 5));
}

TEST_F(SqliteStoreTest, OlderDatabaseGetsTheLeftAtColumn) {
  std::filesystem::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "medicall.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(db,
                   "CREATE TABLE attendees (seq INTEGER PRIMARY KEY AUTOINCREMENT, meeting_id TEXT NOT NULL, "
                   "attendee_id TEXT NOT NULL, external_user_id TEXT NOT NULL, join_token TEXT NOT NULL, "
                   "audio TEXT NOT NULL, video TEXT NOT NULL, content TEXT NOT NULL, name TEXT NOT NULL, "
                   "created_at INTEGER NOT NULL, UNIQUE(meeting_id, attendee_id));"
                   "INSERT INTO attendees (meeting_id, attendee_id, external_user_id, join_token, audio, "
                   "video, content, name, created_at) VALUES ('m1','a1','u1','t1','S','S','S','Old',5);",
                   nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  SqliteStore store(dir_.string());
  const auto a = store.FindAttendee("m1", "a1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "Old");
  EXPECT_EQ(a->leftAt, 0);
  EXPECT_TRUE(store.SetAttendeeLeftAt("m1", "a1", 9));
}

std::string StoredToken(const std::filesystem::path& db, const std::string& attendeeId) {
  sqlite3* h = nullptr;
  EXPECT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(h, "SELECT join_token FROM attendees WHERE attendee_id = ?", -1, &s, nullptr);
  sqlite3_bind_text(s, 1, attendeeId.c_str(), -1, SQLITE_TRANSIENT);
  std::string out;
  if (sqlite3_step(s) == SQLITE_ROW) out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(h);
  return out;
}

TEST_F(SqliteStoreTest, JoinTokensAreStoredAsSha256) {
  {
    SqliteStore store(dir_.string());
    store.InsertMeeting(Meeting("m1", "room-a", 10), {Attendee("m1", "a1", "Alice")}, "");
    EXPECT_TRUE(store.FindAttendeeByJoinToken("m1", "token-a1"));
    EXPECT_FALSE(store.FindAttendeeByJoinToken("m1", "token-a2"));
  }
  const std::string stored = StoredToken(dir_ / "medicall.db", "a1");
  // SHA-256("token-a1")
  EXPECT_EQ(stored, "2f58c0ce82617fb2d6ad965c333abaccc6a8e76e3dcb8ab4fa71db478052ca5e");
}

TEST_F(SqliteStoreTest, OlderDatabaseJoinTokensAreHashedOnce) {
  std::filesystem::create_directories(dir_);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "medicall.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(
          db,
          "CREATE TABLE attendees (seq INTEGER PRIMARY KEY AUTOINCREMENT, meeting_id TEXT NOT NULL, "
          "attendee_id TEXT NOT NULL, external_user_id TEXT NOT NULL, join_token TEXT NOT NULL, "
          "audio TEXT NOT NULL, video TEXT NOT NULL, content TEXT NOT NULL, name TEXT NOT NULL, "
          "created_at INTEGER NOT NULL, left_at INTEGER NOT NULL DEFAULT 0, UNIQUE(meeting_id, attendee_id));"
          "INSERT INTO attendees (meeting_id, attendee_id, external_user_id, join_token, audio, "
          "video, content, name, created_at) VALUES ('m1','a1','u1','raw-token-1','S','S','S','Old',5);",
          nullptr, nullptr, nullptr),
      SQLITE_OK);
  sqlite3_close(db);
  {
    SqliteStore store(dir_.string());
    EXPECT_EQ(store.FindAttendeeByJoinToken("m1", "raw-token-1")->attendeeId, "a1");
  }
  const std::string once = StoredToken(dir_ / "medicall.db", "a1");
  EXPECT_EQ(once.size(), 64u);
  EXPECT_EQ(once.find("raw-token"), std::string::npos);
  SqliteStore again(dir_.string());  // not hashed a second time
  EXPECT_EQ(StoredToken(dir_ / "medicall.db", "a1"), once);
  EXPECT_EQ(again.FindAttendeeByJoinToken("m1", "raw-token-1")->attendeeId, "a1");
}

TEST_F(SqliteStoreTest, UnwritableDataDirThrows) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(SqliteStore((dir_ / "file" / "sub").string()), std::runtime_error);
}

}  // namespace
}  // namespace medicall::store
