// What only the Redis store has: its URL, several nodes on one Redis, outages and restarts. The
// behaviour it shares with SqliteStore is in StoreContractTest.cpp.
#include "store/RedisStore.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "common/ApiError.hpp"
#include "store/RedisServerProcess.hpp"

namespace medicall::store {
namespace {

MeetingRecord Meeting(const std::string& id, const std::string& room) {
  MeetingRecord m;
  m.meetingId = id;
  m.externalMeetingId = room;
  m.mediaRegion = "us-east-1";
  m.createdAt = m.idleSince = 1;
  return m;
}

TEST(RedisEndpointTest, ParsesHostPortDatabaseAndPassword) {
  std::string error;
  auto e = RedisEndpoint::Parse("redis://:s3cret@10.1.2.3:6380/2", "", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->host, "10.1.2.3");
  EXPECT_EQ(e->port, 6380);
  EXPECT_EQ(e->db, 2);
  EXPECT_EQ(e->password, "s3cret");
  EXPECT_EQ(e->Describe(), "10.1.2.3:6380/2");  // never the password

  e = RedisEndpoint::Parse("redis://redis.internal", "from-setting", error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "redis.internal");
  EXPECT_EQ(e->port, 6379);
  EXPECT_EQ(e->db, 0);
  EXPECT_EQ(e->password, "from-setting");

  e = RedisEndpoint::Parse("redis://app:pw@[::1]:7000/0", "", error);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->host, "::1");
  EXPECT_EQ(e->port, 7000);
  EXPECT_EQ(e->user, "app");
  EXPECT_EQ(e->password, "pw");
}

TEST(RedisEndpointTest, RefusesBadUrlsWithAReason) {
  std::string error;
  for (const char* bad : {"http://host", "redis://", "redis://host:0", "redis://host:99999",
                          "redis://host/16", "redis://host/x", "redis://[::1"}) {
    error.clear();
    EXPECT_FALSE(RedisEndpoint::Parse(bad, "", error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(RedisStoreTest, UnreachableRedisIsServiceUnavailable) {
  RedisEndpoint nowhere;
  {
    test::RedisServerProcess server;  // a port that was free a moment ago, now closed again
    nowhere = server.Endpoint();
  }
  RedisStore store(nowhere, std::chrono::milliseconds(200));
  try {
    store.FindMeeting("m1");
    FAIL() << "expected ServiceUnavailable";
  } catch (const ServiceUnavailable& e) {
    EXPECT_EQ(e.Status(), 503);
    EXPECT_EQ(e.Type(), "ServiceUnavailableException");
    EXPECT_NE(std::string(e.what()).find(nowhere.Describe()), std::string::npos);
  }
  EXPECT_THROW(store.Ping(), ServiceUnavailable);
}

TEST(RedisStoreTest, PasswordAndDatabaseFromTheEndpointAreUsed) {
  test::RedisServerProcess server;
  RedisConnection admin(server.Endpoint(), std::chrono::milliseconds(500));
  admin.Command({"CONFIG", "SET", "requirepass", "pw"});
  auto endpoint = server.Endpoint();
  EXPECT_THROW(RedisStore(endpoint).Ping(), ServiceUnavailable);  // no password: refused
  endpoint.password = "pw";
  endpoint.db = 3;
  RedisStore store(endpoint);
  store.InsertMeeting(Meeting("m1", "r"), {}, "");
  RedisConnection db3(endpoint, std::chrono::milliseconds(500));
  EXPECT_EQ(db3.Command({"EXISTS", "medicall:m:m1"}).integer, 1);
  endpoint.db = 0;
  RedisConnection db0(endpoint, std::chrono::milliseconds(500));
  EXPECT_EQ(db0.Command({"EXISTS", "medicall:m:m1"}).integer, 0);
}

TEST(RedisStoreTest, ConcurrentClaimsOfANewRoomThroughSeveralNodesLandInOneMeeting) {
  test::RedisServerProcess server;
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<RedisStore>> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(std::make_unique<RedisStore>(server.Endpoint()));
  for (int round = 0; round < 20; ++round) {
    const std::string room = "room-" + std::to_string(round);
    std::vector<std::string> winners(kNodes);
    std::vector<std::thread> threads;
    for (int i = 0; i < kNodes; ++i)
      threads.emplace_back([&, i] {
        const std::string id = room + "-node-" + std::to_string(i);
        auto existing = nodes[i]->ClaimRoom(Meeting(id, room));
        winners[i] = existing ? existing->meetingId : id;
      });
    for (auto& t : threads) t.join();
    for (int i = 1; i < kNodes; ++i) EXPECT_EQ(winners[i], winners[0]) << room;
  }
  EXPECT_EQ(nodes[0]->Stats().meetings, 20);
}

TEST(RedisStoreTest, ReconnectsByItselfAfterARestartAndAppendOnlyKeepsEverything) {
  test::RedisServerProcess server(/*appendOnly=*/true);
  RedisStore store(server.Endpoint(), std::chrono::milliseconds(300));
  AttendeeRecord a;
  a.meetingId = "m1";
  a.attendeeId = "a1";
  a.externalUserId = "u1";
  a.joinToken = "t1";
  a.name = "Alice";
  store.InsertMeeting(Meeting("m1", "room"), {a}, "tok");
  server.Kill();
  EXPECT_THROW(store.FindMeeting("m1"), ServiceUnavailable);
  EXPECT_THROW(store.InsertAttendees({a}), ServiceUnavailable);
  server.Restart(/*appendOnly=*/true);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past the reconnect interval
  auto m = store.FindMeeting("m1");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->externalMeetingId, "room");
  EXPECT_EQ(store.FindAttendeeByJoinToken("m1", "t1")->name, "Alice");
  EXPECT_EQ(store.FindMeetingIdByToken("tok"), std::optional<std::string>("m1"));
  EXPECT_TRUE(store.DeleteMeeting("m1"));  // the scripts are loaded again after the restart
}

}  // namespace
}  // namespace medicall::store
