#include "app/JoinApi.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "meetings/IdGenerator.hpp"
#include "meetings/RequestValidator.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::app {
namespace {

using nlohmann::json;

class JoinApiTest : public ::testing::Test {
 protected:
  JoinApiTest() : store_(dir_.Path()), service_(store_, config_), api_(service_, config_) {}

  static HttpRequest Post(const std::string& body, const std::string& contentType = "application/json") {
    HttpRequest r;
    r.method = "POST";
    r.path = r.rawPath = r.target = "/join";
    r.body = body;
    r.headers["Host"] = "localhost:3001";
    if (!contentType.empty()) r.headers["Content-Type"] = contentType;
    r.remoteIsLoopback = true;
    return r;
  }
  static HttpRequest Get(const std::string& path) {
    HttpRequest r;
    r.method = "GET";
    r.path = r.rawPath = r.target = path;
    r.headers["Host"] = "localhost:3001";
    return r;
  }
  HttpResponse Call(const HttpRequest& r) {
    auto response = api_.Handle(r);
    EXPECT_TRUE(response.has_value());
    return response.value_or(HttpResponse{});
  }
  json Join(const std::string& name, const std::string& room) {
    const auto r = Call(Post(json{{"name", name}, {"roomId", room}}.dump()));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["JoinInfo"];
  }
  void ExpectError(const HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    const json body = json::parse(r.body);
    EXPECT_EQ(body["error"], code) << r.body;
    EXPECT_TRUE(body["message"].is_string());
  }

  testing::TempDir dir_;
  Config config_;
  store::SqliteStore store_;
  meetings::MeetingsService service_;
  JoinApi api_;
};

TEST_F(JoinApiTest, IgnoresOtherPaths) {
  EXPECT_FALSE(api_.Handle(Get("/meetings")));
  EXPECT_FALSE(api_.Handle(Get("/")));
  EXPECT_FALSE(api_.Handle(Get("/joinx")));
}

TEST_F(JoinApiTest, JoinReturnsChimeJoinInfo) {
  const json info = Join("  Dr. Alice Smith ", "room-1");
  const json& m = info["Meeting"];
  const json& a = info["Attendee"];
  const std::string meetingId = m["MeetingId"];
  EXPECT_TRUE(meetings::IdGenerator::IsUuid(meetingId));
  EXPECT_EQ(m["ExternalMeetingId"], "room-1");
  EXPECT_EQ(m["MediaPlacement"]["SignalingUrl"], "ws://localhost:3001/control/" + meetingId);
  EXPECT_FALSE(m["MediaPlacement"]["AudioHostUrl"].get<std::string>().empty());
  EXPECT_TRUE(meetings::IdGenerator::IsUuid(a["AttendeeId"].get<std::string>()));
  EXPECT_EQ(a["JoinToken"].get<std::string>().size(), 43u);
  const std::string ext = a["ExternalUserId"];
  EXPECT_TRUE(meetings::RequestValidator::IsValidExternalId(ext)) << ext;
  EXPECT_EQ(ext.rfind("Dr_Alice_Smith-", 0), 0u) << ext;
}

TEST_F(JoinApiTest, SameRoomSameMeetingAndRoster) {
  const json alice = Join("Alice", "room-1");
  const json bob = Join("Bob", "room-1");
  const json other = Join("Carol", "room-2");
  EXPECT_EQ(alice["Meeting"]["MeetingId"], bob["Meeting"]["MeetingId"]);
  EXPECT_NE(alice["Meeting"]["MeetingId"], other["Meeting"]["MeetingId"]);
  EXPECT_NE(alice["Attendee"]["AttendeeId"], bob["Attendee"]["AttendeeId"]);

  const auto r = Call(Get("/api/roster/room-1"));
  ASSERT_EQ(r.status, 200);
  const json roster = json::parse(r.body)["roster"];
  EXPECT_EQ(roster.size(), 2u);
  EXPECT_EQ(roster[alice["Attendee"]["AttendeeId"].get<std::string>()], "Alice");
  EXPECT_EQ(roster[bob["Attendee"]["AttendeeId"].get<std::string>()], "Bob");

  // A deleted attendee leaves the roster.
  service_.DeleteAttendee(bob["Meeting"]["MeetingId"], bob["Attendee"]["AttendeeId"]);
  const json after = json::parse(Call(Get("/api/roster/room-1")).body)["roster"];
  EXPECT_EQ(after.size(), 1u);
  EXPECT_TRUE(after.contains(alice["Attendee"]["AttendeeId"].get<std::string>()));
}

TEST_F(JoinApiTest, EqualNamesGetDistinctAttendees) {
  const json a = Join("Sam", "room-1");
  const json b = Join("Sam", "room-1");
  EXPECT_NE(a["Attendee"]["AttendeeId"], b["Attendee"]["AttendeeId"]);
  EXPECT_NE(a["Attendee"]["ExternalUserId"], b["Attendee"]["ExternalUserId"]);
}

TEST_F(JoinApiTest, ConcurrentJoinsToANewRoomShareOneMeeting) {
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> meetingsSeen, attendees;
  for (int i = 0; i < 10; ++i)
    threads.emplace_back([&, i] {
      const auto r = api_.Handle(Post(json{{"name", "p" + std::to_string(i)}, {"roomId", "fresh"}}.dump()));
      const json info = json::parse(r->body)["JoinInfo"];
      std::lock_guard lock(mutex);
      meetingsSeen.insert(info["Meeting"]["MeetingId"]);
      attendees.insert(info["Attendee"]["AttendeeId"]);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(meetingsSeen.size(), 1u);
  EXPECT_EQ(attendees.size(), 10u);
  EXPECT_EQ(json::parse(Call(Get("/api/roster/fresh")).body)["roster"].size(), 10u);
}

TEST_F(JoinApiTest, RosterOmitsAttendeesWhoLeft) {
  const json ann = Join("Ann", "leaving-room");
  const json ben = Join("Ben", "leaving-room");
  const std::string meetingId = ann["Meeting"]["MeetingId"];
  const std::string annId = ann["Attendee"]["AttendeeId"];
  const std::string benId = ben["Attendee"]["AttendeeId"];
  for (const auto& id : {annId, benId}) service_.AttendeeConnected(meetingId, id);
  // Ann leaves (LEAVE); Ben's connection drops: he may come back, so he stays listed.
  service_.AttendeeDisconnected(meetingId, annId, meetings::MeetingsService::Departure::kLeft);
  service_.AttendeeDisconnected(meetingId, benId, meetings::MeetingsService::Departure::kDropped);
  const json roster = json::parse(Call(Get("/api/roster/leaving-room")).body)["roster"];
  EXPECT_FALSE(roster.contains(annId));
  EXPECT_EQ(roster.value(benId, ""), "Ben");
  EXPECT_EQ(roster.size(), 1u);
}

TEST_F(JoinApiTest, RosterErrors) {
  ExpectError(Call(Get("/api/roster/unknown-room")), 404, "room_not_found");
  ExpectError(Call(Get("/api/roster/bad%20room")), 400, "invalid_room_id");
  ExpectError(Call(Get("/api/roster/")), 400, "invalid_room_id");
}

TEST_F(JoinApiTest, JoinValidation) {
  ExpectError(Call(Post("{", "application/json")), 400, "invalid_json");
  ExpectError(Call(Post("[]")), 400, "invalid_json");
  ExpectError(Call(Post(R"({"name":"A","roomId":"r"})", "text/plain")), 415, "unsupported_media_type");
  ExpectError(Call(Post(R"({"name":"A","roomId":"r"})", "")), 415, "unsupported_media_type");
  EXPECT_EQ(Call(Post(R"({"name":"A","roomId":"r"})", "Application/JSON; charset=utf-8")).status, 200);
  ExpectError(Call(Post(R"({"roomId":"r"})")), 400, "invalid_name");
  ExpectError(Call(Post(R"({"name":"   ","roomId":"r"})")), 400, "invalid_name");
  ExpectError(Call(Post(R"({"name":5,"roomId":"r"})")), 400, "invalid_name");
  ExpectError(Call(Post(json{{"name", std::string(65, 'x')}, {"roomId", "r"}}.dump())), 400, "invalid_name");
  EXPECT_EQ(Call(Post(json{{"name", std::string(64, 'x')}, {"roomId", "r"}}.dump())).status, 200);
  ExpectError(Call(Post(R"({"name":"a\u0007b","roomId":"r"})")), 400, "invalid_name");
  ExpectError(Call(Post(R"({"name":"A"})")), 400, "invalid_room_id");
  ExpectError(Call(Post(R"({"name":"A","roomId":""})")), 400, "invalid_room_id");
  ExpectError(Call(Post(R"({"name":"A","roomId":"a b"})")), 400, "invalid_room_id");
  ExpectError(Call(Post(R"({"name":"A","roomId":"../x"})")), 400, "invalid_room_id");
  ExpectError(Call(Post(json{{"name", "A"}, {"roomId", std::string(65, 'r')}}.dump())), 400,
              "invalid_room_id");
  EXPECT_EQ(Call(Post(json{{"name", "A"}, {"roomId", std::string(64, 'r')}}.dump())).status, 200);
  auto get = Get("/join");
  const auto r = Call(get);
  EXPECT_EQ(r.status, 405);
}

TEST_F(JoinApiTest, RoomAtCapacityIsLimitExceeded) {
  config_.maxAttendees = 2;
  Join("A", "small");
  Join("B", "small");
  ExpectError(Call(Post(R"({"name":"C","roomId":"small"})")), 429, "limit_exceeded");
}

TEST(JoinApiStatic, NameRules) {
  EXPECT_EQ(JoinApi::NormalizeName("  Zo\xc3\xab  "), std::optional<std::string>("Zo\xc3\xab"));
  EXPECT_FALSE(JoinApi::NormalizeName(""));
  EXPECT_FALSE(JoinApi::NormalizeName("\xff"));
  EXPECT_EQ(JoinApi::NormalizeName("x"), std::optional<std::string>("x"));
  std::string sixtyFourCjk;
  for (int i = 0; i < 64; ++i) sixtyFourCjk += "\xe6\x9d\x8e";
  EXPECT_TRUE(JoinApi::NormalizeName(sixtyFourCjk));  // characters, not bytes
  EXPECT_FALSE(JoinApi::NormalizeName(sixtyFourCjk + "\xe6\x9d\x8e"));
}

TEST(JoinApiStatic, ExternalUserIdIsAlwaysValid) {
  for (const std::string& name : std::vector<std::string>{"A", "\xe6\x9d\x8e\xe6\x9d\x8e", "O'Brien, Pat",
                                                          std::string(64, 'z'), "a b-c_d"}) {
    const std::string id = JoinApi::ExternalUserIdFor(name);
    EXPECT_TRUE(meetings::RequestValidator::IsValidExternalId(id)) << id;
    EXPECT_LE(id.size(), 64u);
    for (char c : id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << id;
  }
  EXPECT_EQ(JoinApi::ExternalUserIdFor("\xe6\x9d\x8e").rfind("user-", 0), 0u);
  EXPECT_NE(JoinApi::ExternalUserIdFor("Sam"), JoinApi::ExternalUserIdFor("Sam"));
}

TEST(JoinApiStatic, RoomIdRules) {
  EXPECT_TRUE(JoinApi::IsValidRoomId("a"));
  EXPECT_TRUE(JoinApi::IsValidRoomId("Room_1-x"));
  EXPECT_FALSE(JoinApi::IsValidRoomId(""));
  EXPECT_FALSE(JoinApi::IsValidRoomId("a.b"));
  EXPECT_FALSE(JoinApi::IsValidRoomId(std::string(65, 'a')));
}

}  // namespace
}  // namespace medicall::app
