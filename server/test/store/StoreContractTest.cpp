// The behaviour every Store must have, run against each implementation: SqliteStore on a
// temporary directory and RedisStore on a real redis-server the test starts, in the clear
// (redis://) and over TLS (rediss://, a password too).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "store/RedisServerProcess.hpp"
#include "store/RedisStore.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::store {
namespace {

// Where a store's state lives; Open() gives a new store object on it (a reopen, another node).
class SqliteBacking {
 public:
  SqliteBacking() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("medicall-contract-" + std::to_string(rd()));
  }
  ~SqliteBacking() { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> Open() { return std::make_unique<SqliteStore>(dir_.string()); }

 private:
  std::filesystem::path dir_;
};

class RedisBacking {
 public:
  std::unique_ptr<Store> Open() { return std::make_unique<RedisStore>(server_.Endpoint()); }

 private:
  test::RedisServerProcess server_;
};

class RedisTlsBacking {
 public:
  std::unique_ptr<Store> Open() { return std::make_unique<RedisStore>(server_.Endpoint()); }

 private:
  test::RedisServerProcess server_{test::RedisServerOptions::Tls().Password("contract-pw")};
};

template <typename Backing>
class StoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = backing_.Open(); }

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

  Backing backing_;
  std::unique_ptr<Store> store_;
};

using Backings = ::testing::Types<SqliteBacking, RedisBacking, RedisTlsBacking>;
class BackingNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, SqliteBacking>) return "Sqlite";
    return std::is_same_v<T, RedisBacking> ? "Redis" : "RedisTls";
  }
};
TYPED_TEST_SUITE(StoreContractTest, Backings, BackingNames);

TYPED_TEST(StoreContractTest, MeetingRoundTripSurvivesReopen) {
  this->store_->InsertMeeting(this->Meeting("m1", "room-a", 10), {this->Attendee("m1", "a1", "Alice")},
                              "tok-1");
  this->store_.reset();
  auto store = this->backing_.Open();
  auto m = store->FindMeeting("m1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->externalMeetingId, "room-a");
  EXPECT_EQ(m->meetingHostId, "host-m1");
  EXPECT_EQ(m->mediaRegion, "us-east-1");
  EXPECT_EQ(m->featuresJson, R"({"Audio":{"EchoReduction":"AVAILABLE"}})");
  EXPECT_EQ(m->tagsJson, R"([{"Key":"k","Value":"v"}])");
  EXPECT_EQ(m->notificationsJson, "");
  EXPECT_EQ(m->createdAt, 10);
  EXPECT_EQ(m->idleSince, 10);
  EXPECT_EQ(store->FindMeetingIdByToken("tok-1"), std::optional<std::string>("m1"));
  auto a = store->FindAttendee("m1", "a1");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->meetingId, "m1");
  EXPECT_EQ(a->name, "Alice");
  EXPECT_EQ(a->externalUserId, "user-a1");
  EXPECT_EQ(a->joinToken, "") << "only the token's SHA-256 is kept";
  EXPECT_EQ(store->FindAttendeeByJoinToken("m1", "token-a1")->attendeeId, "a1");
  EXPECT_EQ(a->video, "Receive");
  EXPECT_EQ(a->audio, "SendReceive");
  EXPECT_EQ(a->createdAt, 100);
  EXPECT_GT(a->seq, 0);
}

TYPED_TEST(StoreContractTest, MissingRowsAreEmpty) {
  auto& store = *this->store_;
  EXPECT_FALSE(store.FindMeeting("nope"));
  EXPECT_FALSE(store.FindMeetingByExternalId("nope"));
  EXPECT_FALSE(store.FindMeetingIdByToken("nope"));
  EXPECT_FALSE(store.FindAttendee("m", "a"));
  EXPECT_FALSE(store.FindAttendeeByJoinToken("m", "t"));
  EXPECT_FALSE(store.FindAttendeeByExternalUserId("m", "u"));
  EXPECT_FALSE(store.DeleteMeeting("nope"));
  EXPECT_FALSE(store.DeleteAttendee("m", "a"));
  EXPECT_FALSE(store.SetAttendeeLeftAt("m", "a", 5));
  EXPECT_EQ(store.CountAttendees("m"), 0);
  EXPECT_TRUE(store.ListAttendees("m", 0, 10).attendees.empty());
  EXPECT_EQ(store.Stats().meetings, 0);
  EXPECT_EQ(store.Stats().attendees, 0);
}

TYPED_TEST(StoreContractTest, ExternalIdLookupReturnsNewestMeeting) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("old", "room", 10), {}, "");
  store.InsertMeeting(this->Meeting("new", "room", 20), {}, "");
  store.InsertMeeting(this->Meeting("other", "room-2", 30), {}, "");
  EXPECT_EQ(store.FindMeetingByExternalId("room")->meetingId, "new");
  store.DeleteMeeting("new");
  EXPECT_EQ(store.FindMeetingByExternalId("room")->meetingId, "old");
  // Same second: the one inserted last.
  store.InsertMeeting(this->Meeting("b-later", "tie", 5), {}, "");
  store.InsertMeeting(this->Meeting("a-latest", "tie", 5), {}, "");
  EXPECT_EQ(store.FindMeetingByExternalId("tie")->meetingId, "a-latest");
}

TYPED_TEST(StoreContractTest, AttendeeLookupsByExternalIdAndToken) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("m1", "r", 1), {}, "");
  store.InsertAttendees({this->Attendee("m1", "a1", "A"), this->Attendee("m1", "a2", "B")});
  EXPECT_EQ(store.FindAttendeeByExternalUserId("m1", "user-a2")->attendeeId, "a2");
  EXPECT_EQ(store.FindAttendeeByJoinToken("m1", "token-a1")->attendeeId, "a1");
  EXPECT_FALSE(store.FindAttendeeByJoinToken("other", "token-a1"));
  EXPECT_EQ(store.CountAttendees("m1"), 2);
  EXPECT_TRUE(store.DeleteAttendee("m1", "a1"));
  EXPECT_FALSE(store.FindAttendeeByJoinToken("m1", "token-a1"));
  EXPECT_FALSE(store.FindAttendeeByExternalUserId("m1", "user-a1"));
  EXPECT_FALSE(store.DeleteAttendee("m1", "a1"));
  EXPECT_EQ(store.CountAttendees("m1"), 1);
  EXPECT_EQ(store.Stats().attendees, 1);
}

TYPED_TEST(StoreContractTest, PaginationWalksAllAttendeesInOrder) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("m1", "r", 1), {}, "");
  std::vector<AttendeeRecord> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(this->Attendee("m1", "a" + std::to_string(i), ""));
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
  auto exact = store.ListAttendees("m1", 0, 7);  // exactly a full page: no next cursor
  EXPECT_EQ(exact.attendees.size(), 7u);
  EXPECT_FALSE(exact.nextCursor);
}

TYPED_TEST(StoreContractTest, DeleteMeetingRemovesAttendeesAndTokens) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("m1", "r", 1), {this->Attendee("m1", "a1", "A")}, "tok");
  store.InsertMeeting(this->Meeting("m2", "r2", 1), {this->Attendee("m2", "b1", "B")}, "");
  EXPECT_TRUE(store.DeleteMeeting("m1"));
  EXPECT_FALSE(store.FindMeeting("m1"));
  EXPECT_FALSE(store.FindMeetingByExternalId("r"));
  EXPECT_FALSE(store.FindAttendee("m1", "a1"));
  EXPECT_FALSE(store.FindMeetingIdByToken("tok"));
  EXPECT_TRUE(store.ListExpiryCandidates(1000, 1000).size() == 1u);
  EXPECT_EQ(store.Stats().attendees, 1);
  EXPECT_EQ(store.Stats().meetings, 1);
}

TYPED_TEST(StoreContractTest, DuplicateAttendeeFailsAtomically) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("m1", "r", 1), {}, "");
  EXPECT_THROW(store.InsertAttendees({this->Attendee("m1", "x", ""), this->Attendee("m1", "x", "")}),
               std::runtime_error);
  EXPECT_EQ(store.CountAttendees("m1"), 0);  // the first row was rolled back too
  store.InsertAttendees({this->Attendee("m1", "y", "")});
  EXPECT_THROW(store.InsertAttendees({this->Attendee("m1", "z", ""), this->Attendee("m1", "y", "")}),
               std::runtime_error);
  EXPECT_EQ(store.CountAttendees("m1"), 1);
  EXPECT_EQ(store.Stats().attendees, 1);
}

TYPED_TEST(StoreContractTest, ExpiryCandidates) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("idle", "r", 100), {}, "");
  store.InsertMeeting(this->Meeting("fresh", "r", 500), {}, "");
  store.SetMeetingIdleSince("idle", 150);
  store.SetMeetingIdleSince("gone", 1);  // no such meeting: nothing happens
  auto c = store.ListExpiryCandidates(200, 0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].meetingId, "idle");
  EXPECT_EQ(c[0].idleSince, 150);
  EXPECT_EQ(store.ListExpiryCandidates(0, 1000).size(), 2u);
  EXPECT_FALSE(store.FindMeeting("gone"));
}

TYPED_TEST(StoreContractTest, ConcurrentWritersAllLand) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("m1", "r", 1), {}, "");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i)
        store.InsertAttendees({this->Attendee("m1", std::to_string(t) + "-" + std::to_string(i), "")});
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(store.CountAttendees("m1"), 100);
  EXPECT_EQ(store.Stats().attendees, 100);
  EXPECT_EQ(store.Stats().meetings, 1);
}

TYPED_TEST(StoreContractTest, AttendeeLeftAtRoundTrips) {
  auto& store = *this->store_;
  store.InsertMeeting(this->Meeting("m1", "room", 1), {this->Attendee("m1", "a1", "Alice")}, "");
  EXPECT_EQ(store.FindAttendee("m1", "a1")->leftAt, 0);
  EXPECT_TRUE(store.SetAttendeeLeftAt("m1", "a1", 500));
  EXPECT_EQ(store.FindAttendee("m1", "a1")->leftAt, 500);
  EXPECT_EQ(store.ListAttendees("m1", 0, 10).attendees[0].leftAt, 500);
  EXPECT_TRUE(store.SetAttendeeLeftAt("m1", "a1", 0));
  EXPECT_EQ(store.FindAttendee("m1", "a1")->leftAt, 0);
  EXPECT_FALSE(store.SetAttendeeLeftAt("m1", "nobody", 5));
}

TYPED_TEST(StoreContractTest, ClaimRoomKeepsTheFirstMeeting) {
  auto& store = *this->store_;
  EXPECT_FALSE(store.ClaimRoom(this->Meeting("first", "room", 10)));
  auto again = store.ClaimRoom(this->Meeting("second", "room", 11));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->meetingId, "first");
  EXPECT_FALSE(store.FindMeeting("second"));
  EXPECT_EQ(store.Stats().meetings, 1);
}

}  // namespace
}  // namespace medicall::store
