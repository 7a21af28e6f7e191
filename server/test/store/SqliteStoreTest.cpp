#include "store/SqliteStore.hpp"

#include <gtest/gtest.h>

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
  EXPECT_EQ(a->joinToken, "token-a1");
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

TEST_F(SqliteStoreTest, UnwritableDataDirThrows) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "file") << "x";
  EXPECT_THROW(SqliteStore((dir_ / "file" / "sub").string()), std::runtime_error);
}

}  // namespace
}  // namespace medicall::store
