#include "meetings/MeetingsService.hpp"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <chrono>
#include <set>
#include <thread>

#include "common/ApiError.hpp"
#include "common/Clock.hpp"
#include "meetings/IdGenerator.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteStore.hpp"
#include "store/StoreExecutor.hpp"

namespace medicall::meetings {
namespace {

struct RecordingListener : MeetingsListener {
  void OnMeetingEnded(const std::string& id, MeetingEndReason reason) override {
    ended.emplace_back(id, reason);
  }
  void OnAttendeeDeleted(const std::string& m, const std::string& a) override { deleted.emplace_back(m, a); }
  std::vector<std::pair<std::string, MeetingEndReason>> ended;
  std::vector<std::pair<std::string, std::string>> deleted;
};

class MeetingsServiceTest : public ::testing::Test {
 protected:
  MeetingsServiceTest() : store_(std::make_unique<store::SqliteStore>(dir_.Path())) {
    config_.maxAttendees = 5;
    config_.meetingIdleSeconds = 300;
    config_.meetingMaxSeconds = 86400;
    service_ = std::make_unique<MeetingsService>(*store_, config_, clock_);
    service_->SetListener(&listener_);
  }
  // Moves the clock (and now_) forward by `seconds`.
  void Advance(int64_t seconds) {
    clock_.AdvanceUs(seconds * 1'000'000);
    now_ += seconds;
  }
  // A crash and a restart: a new store and service on the same data directory, started now.
  void Restart() {
    service_.reset();
    store_ = std::make_unique<store::SqliteStore>(dir_.Path());
    service_ = std::make_unique<MeetingsService>(*store_, config_, clock_);
    service_->SetListener(&listener_);
  }

  static CreateMeetingParams Params(const std::string& token = "") {
    CreateMeetingParams p;
    p.clientRequestToken = token;
    p.mediaRegion = "us-east-1";
    p.externalMeetingId = "ext-meeting";
    return p;
  }
  static CreateAttendeeParams Attendee(const std::string& externalUserId) {
    CreateAttendeeParams p;
    p.externalUserId = externalUserId;
    return p;
  }
  template <typename F>
  static void ExpectError(F&& f, int status, const std::string& type) {
    try {
      f();
      ADD_FAILURE() << "expected " << type;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.Status(), status);
      EXPECT_EQ(e.Type(), type);
    }
  }

  testing::TempDir dir_;
  Config config_;
  int64_t now_ = 1'700'000'000;  // Unix seconds, what clock_ reads
  ManualClock clock_{1'000'000'000, now_ * 1'000'000};
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<MeetingsService> service_;
  RecordingListener listener_;
};

TEST_F(MeetingsServiceTest, CreateAndGetMeeting) {
  auto p = Params();
  p.meetingHostId = "host-1";
  p.featuresJson = R"({"Audio":{"EchoReduction":"AVAILABLE"}})";
  const auto m = service_->CreateMeeting(p);
  EXPECT_TRUE(IdGenerator::IsUuid(m.meetingId));
  EXPECT_EQ(m.createdAt, now_);
  const auto got = service_->GetMeeting(m.meetingId);
  EXPECT_EQ(got.externalMeetingId, "ext-meeting");
  EXPECT_EQ(got.meetingHostId, "host-1");
  EXPECT_EQ(got.featuresJson, p.featuresJson);
}

TEST_F(MeetingsServiceTest, ClientRequestTokenMakesCreateIdempotent) {
  const auto a = service_->CreateMeeting(Params("token-1"));
  const auto b = service_->CreateMeeting(Params("token-1"));
  const auto c = service_->CreateMeeting(Params("token-2"));
  EXPECT_EQ(a.meetingId, b.meetingId);
  EXPECT_NE(a.meetingId, c.meetingId);
  EXPECT_EQ(service_->Stats().activeMeetings, 2);
  // Once the meeting is gone the token makes a new one.
  service_->DeleteMeeting(a.meetingId);
  EXPECT_NE(service_->CreateMeeting(Params("token-1")).meetingId, a.meetingId);
}

TEST_F(MeetingsServiceTest, CreateMeetingValidation) {
  auto p = Params();
  p.mediaRegion = "";
  ExpectError([&] { service_->CreateMeeting(p); }, 400, "BadRequestException");
  p = Params();
  p.externalMeetingId = "x";
  ExpectError([&] { service_->CreateMeeting(p); }, 400, "BadRequestException");
  p = Params("bad token!");
  ExpectError([&] { service_->CreateMeeting(p); }, 400, "BadRequestException");
  EXPECT_EQ(service_->Stats().activeMeetings, 0);
}

TEST_F(MeetingsServiceTest, AttendeesRoundTrip) {
  const auto m = service_->CreateMeeting(Params());
  CreateAttendeeParams p = Attendee("alice");
  p.capabilities.video = "Receive";
  const auto a = service_->CreateAttendee(m.meetingId, p);
  EXPECT_TRUE(IdGenerator::IsUuid(a.attendeeId));
  EXPECT_EQ(a.joinToken.size(), 43u);
  const auto got = service_->GetAttendee(m.meetingId, a.attendeeId);
  EXPECT_EQ(got.externalUserId, "alice");
  EXPECT_EQ(got.joinToken, "") << "the token is returned once, at creation (only its SHA-256 is stored)";
  EXPECT_EQ(got.video, "Receive");
  EXPECT_EQ(service_->FindAttendeeByJoinToken(m.meetingId, a.joinToken)->attendeeId, a.attendeeId);
  EXPECT_FALSE(service_->FindAttendeeByJoinToken(m.meetingId, a.joinToken + "x"));
  EXPECT_FALSE(service_->FindAttendeeByJoinToken(m.meetingId, ""));
}

TEST_F(MeetingsServiceTest, SameExternalUserIdReturnsSameAttendee) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  const auto b = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  EXPECT_EQ(a.attendeeId, b.attendeeId);
  EXPECT_EQ(b.joinToken, "") << "the existing attendee's token is not known any more";
  EXPECT_EQ(service_->FindAttendeeByJoinToken(m.meetingId, a.joinToken)->attendeeId, b.attendeeId);
  EXPECT_EQ(service_->ListAllAttendees(m.meetingId).size(), 1u);
}

TEST_F(MeetingsServiceTest, NotFoundAndBadIds) {
  const std::string unknown = IdGenerator::NewUuid();
  ExpectError([&] { service_->GetMeeting(unknown); }, 404, "NotFoundException");
  ExpectError([&] { service_->GetMeeting("nope"); }, 400, "BadRequestException");
  ExpectError([&] { service_->CreateAttendee(unknown, Attendee("alice")); }, 404, "NotFoundException");
  const auto m = service_->CreateMeeting(Params());
  ExpectError([&] { service_->GetAttendee(m.meetingId, unknown); }, 404, "NotFoundException");
  ExpectError([&] { service_->DeleteAttendee(m.meetingId, unknown); }, 404, "NotFoundException");
  ExpectError([&] { service_->DeleteMeeting(unknown); }, 404, "NotFoundException");
  ExpectError([&] { service_->CreateAttendee(m.meetingId, Attendee("a")); }, 400, "BadRequestException");
}

TEST_F(MeetingsServiceTest, AttendeeLimit) {
  const auto m = service_->CreateMeeting(Params());
  for (int i = 0; i < 5; ++i) service_->CreateAttendee(m.meetingId, Attendee("user-" + std::to_string(i)));
  ExpectError([&] { service_->CreateAttendee(m.meetingId, Attendee("user-5")); }, 429,
              "LimitExceededException");
  // Returning an existing attendee does not count against the limit.
  EXPECT_NO_THROW(service_->CreateAttendee(m.meetingId, Attendee("user-0")));
  service_->DeleteAttendee(m.meetingId, service_->ListAllAttendees(m.meetingId)[0].attendeeId);
  EXPECT_NO_THROW(service_->CreateAttendee(m.meetingId, Attendee("user-5")));
}

TEST_F(MeetingsServiceTest, BatchCreateReportsItemErrorsAndLimits) {
  const auto m = service_->CreateMeeting(Params());
  const auto r = service_->BatchCreateAttendee(
      m.meetingId, {Attendee("ok-1"), Attendee("x"), Attendee("ok-2"), Attendee("ok-1")});
  ASSERT_EQ(r.attendees.size(), 2u);
  EXPECT_EQ(r.attendees[0].externalUserId, "ok-1");
  EXPECT_EQ(r.attendees[1].externalUserId, "ok-2");
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0].externalUserId, "ok-1");  // duplicate within the batch
  EXPECT_EQ(r.errors[1].externalUserId, "x");
  EXPECT_EQ(r.errors[1].errorCode, "BadRequest");
  ExpectError(
      [&] {
        service_->BatchCreateAttendee(m.meetingId,
                                      {Attendee("a1"), Attendee("a2"), Attendee("a3"), Attendee("a4")});
      },
      429, "LimitExceededException");
  EXPECT_EQ(service_->ListAllAttendees(m.meetingId).size(), 2u);  // nothing of the refused batch landed
  ExpectError([&] { service_->BatchCreateAttendee(m.meetingId, {}); }, 400, "BadRequestException");
}

TEST_F(MeetingsServiceTest, CreateMeetingWithAttendees) {
  const auto r = service_->CreateMeetingWithAttendees(Params("cmwa"),
                                                      {Attendee("alice"), Attendee("bob"), Attendee("?")});
  EXPECT_EQ(r.attendees.size(), 2u);
  EXPECT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(service_->ListAllAttendees(r.meeting.meetingId).size(), 2u);
  const auto again =
      service_->CreateMeetingWithAttendees(Params("cmwa"), {Attendee("alice"), Attendee("bob")});
  EXPECT_EQ(again.meeting.meetingId, r.meeting.meetingId);
  EXPECT_EQ(again.attendees.size(), 2u);
  std::vector<CreateAttendeeParams> tooMany;
  for (int i = 0; i < 11; ++i) tooMany.push_back(Attendee("u" + std::to_string(i)));
  ExpectError([&] { service_->CreateMeetingWithAttendees(Params(), tooMany); }, 400, "BadRequestException");
}

TEST_F(MeetingsServiceTest, ListAttendeesPagination) {
  config_.maxAttendees = 250;
  const auto m = service_->CreateMeeting(Params());
  std::vector<CreateAttendeeParams> batch;
  for (int i = 0; i < 23; ++i) batch.push_back(Attendee("user-" + std::to_string(i)));
  service_->BatchCreateAttendee(m.meetingId, batch);
  std::vector<std::string> seen;
  std::optional<std::string> token;
  int pages = 0;
  do {
    auto page = service_->ListAttendees(m.meetingId, token, 10);
    ++pages;
    EXPECT_LE(page.attendees.size(), 10u);
    for (const auto& a : page.attendees) seen.push_back(a.externalUserId);
    token = page.nextToken.empty() ? std::nullopt : std::optional(page.nextToken);
  } while (token);
  EXPECT_EQ(pages, 3);
  ASSERT_EQ(seen.size(), 23u);
  for (int i = 0; i < 23; ++i) EXPECT_EQ(seen[i], "user-" + std::to_string(i));
  EXPECT_EQ(service_->ListAttendees(m.meetingId, std::nullopt, std::nullopt).attendees.size(), 23u);
  ExpectError([&] { service_->ListAttendees(m.meetingId, std::nullopt, 0); }, 400, "BadRequestException");
  ExpectError([&] { service_->ListAttendees(m.meetingId, std::nullopt, 101); }, 400, "BadRequestException");
  ExpectError([&] { service_->ListAttendees(m.meetingId, std::string("garbage"), 10); }, 400,
              "BadRequestException");
  EXPECT_EQ(service_->ListAttendees(m.meetingId, std::nullopt, 100).attendees.size(), 23u);
}

TEST_F(MeetingsServiceTest, DeleteNotifiesListener) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  service_->DeleteAttendee(m.meetingId, a.attendeeId);
  ASSERT_EQ(listener_.deleted.size(), 1u);
  EXPECT_EQ(listener_.deleted[0], std::make_pair(m.meetingId, a.attendeeId));
  service_->DeleteMeeting(m.meetingId);
  ASSERT_EQ(listener_.ended.size(), 1u);
  EXPECT_EQ(listener_.ended[0].second, MeetingEndReason::Deleted);
  EXPECT_FALSE(service_->FindAttendeeByJoinToken(m.meetingId, a.joinToken));
}

TEST_F(MeetingsServiceTest, SweepEndsIdleMeetings) {
  const auto idle = service_->CreateMeeting(Params());
  const auto busy = service_->CreateMeeting(Params());
  const auto bob = service_->CreateAttendee(busy.meetingId, Attendee("bob"));
  service_->AttendeeConnected(busy.meetingId, bob.attendeeId);
  EXPECT_EQ(service_->Sweep(now_ + 299), 0);
  EXPECT_EQ(service_->Sweep(now_ + 300), 1);
  EXPECT_THROW(service_->GetMeeting(idle.meetingId), NotFound);
  EXPECT_NO_THROW(service_->GetMeeting(busy.meetingId));
  ASSERT_EQ(listener_.ended.size(), 1u);
  EXPECT_EQ(listener_.ended[0], std::make_pair(idle.meetingId, MeetingEndReason::Idle));
  EXPECT_EQ(service_->Stats().connectedAttendees, 1);

  // Bob leaves at +1000: the idle clock starts there.
  Advance(1000);
  service_->AttendeeDisconnected(busy.meetingId, bob.attendeeId, MeetingsService::Departure::kLeft);
  EXPECT_EQ(service_->Sweep(now_ + 299), 0);
  EXPECT_EQ(service_->Sweep(now_ + 300), 1);
  EXPECT_EQ(listener_.ended.back(), std::make_pair(busy.meetingId, MeetingEndReason::Idle));
}

TEST_F(MeetingsServiceTest, SweepEndsOverAgeMeetingsEvenWithPeopleIn) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  service_->AttendeeConnected(m.meetingId, a.attendeeId);
  EXPECT_EQ(service_->Sweep(now_ + 86399), 0);
  EXPECT_EQ(service_->Sweep(now_ + 86400), 1);
  EXPECT_EQ(listener_.ended.back(), std::make_pair(m.meetingId, MeetingEndReason::MaxDuration));
  EXPECT_EQ(service_->Stats().connectedAttendees, 0);
  EXPECT_EQ(service_->Stats().attendees, 0);
}

TEST_F(MeetingsServiceTest, IdleClockSurvivesRestart) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  service_->AttendeeConnected(m.meetingId, a.attendeeId);
  Advance(5000);
  service_->AttendeeDisconnected(m.meetingId, a.attendeeId, MeetingsService::Departure::kDropped);
  Restart();
  EXPECT_EQ(service_->FindAttendeeByJoinToken(m.meetingId, a.joinToken)->attendeeId, a.attendeeId);
  EXPECT_EQ(service_->Sweep(now_ + 299), 0);  // idle since the disconnect, not since creation
  EXPECT_EQ(service_->Sweep(now_ + 300), 1);
}

TEST_F(MeetingsServiceTest, MeetingsFromBeforeARestartGetAGracePeriodWhileClientsReconnect) {
  config_.meetingIdleSeconds = 3;  // short, as in the end-to-end test
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  service_->AttendeeConnected(m.meetingId, a.attendeeId);  // connected when the server dies:
  Advance(1000);                                           // idle_since is still the creation time
  Restart();
  // The first sweeps after start-up find nobody connected yet (the SDK is reconnecting).
  EXPECT_EQ(service_->Sweep(now_ + 5), 0);
  EXPECT_EQ(service_->Sweep(now_ + MeetingsService::kReconnectWindowSeconds - 1), 0);
  EXPECT_NO_THROW(service_->GetMeeting(m.meetingId));
  // Nobody came back: it ends once the grace period is over.
  EXPECT_EQ(service_->Sweep(now_ + MeetingsService::kReconnectWindowSeconds), 1);
  EXPECT_EQ(listener_.ended.back(), std::make_pair(m.meetingId, MeetingEndReason::Idle));
}

TEST_F(MeetingsServiceTest, AReconnectDuringTheGracePeriodKeepsTheMeeting) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  service_->AttendeeConnected(m.meetingId, a.attendeeId);
  Advance(1000);  // older than the idle limit (300 s)
  Restart();
  EXPECT_EQ(service_->Sweep(now_ + 5), 0);
  Advance(10);
  service_->AttendeeConnected(m.meetingId, a.attendeeId);
  EXPECT_EQ(service_->Sweep(now_ + 10'000), 0);
  // With the idle limit longer than the grace period, the idle clock restarts at start-up.
  service_->AttendeeDisconnected(m.meetingId, a.attendeeId, MeetingsService::Departure::kDropped);
  EXPECT_EQ(service_->Sweep(now_ + 299), 0);
  EXPECT_EQ(service_->Sweep(now_ + 300), 1);
}

TEST_F(MeetingsServiceTest, MeetingsCreatedAfterStartUpHaveNoGracePeriod) {
  config_.meetingIdleSeconds = 3;
  Restart();
  const auto m = service_->CreateMeeting(Params());
  EXPECT_EQ(service_->Sweep(now_ + 2), 0);
  EXPECT_EQ(service_->Sweep(now_ + 3), 1);
}

TEST_F(MeetingsServiceTest, RosterListsTheAttendeesWhoHaveNotLeft) {
  const auto m = service_->CreateMeeting(Params());
  const auto ann = service_->CreateAttendee(m.meetingId, Attendee("ann"));
  const auto ben = service_->CreateAttendee(m.meetingId, Attendee("ben"));
  const auto cat = service_->CreateAttendee(m.meetingId, Attendee("cat"));
  const auto dan = service_->CreateAttendee(m.meetingId, Attendee("dan"));  // never connects
  auto roster = [&] {
    std::vector<std::string> ids;
    for (const auto& a : service_->ListRoster(m.meetingId)) ids.push_back(a.externalUserId);
    return ids;
  };
  for (const auto* a : {&ann, &ben, &cat}) service_->AttendeeConnected(m.meetingId, a->attendeeId);
  EXPECT_EQ(roster(), (std::vector<std::string>{"ann", "ben", "cat", "dan"}));

  // LEAVE: gone at once. Dropped: stays for the reconnect window. Deleted: gone.
  service_->AttendeeDisconnected(m.meetingId, ann.attendeeId, MeetingsService::Departure::kLeft);
  service_->AttendeeDisconnected(m.meetingId, ben.attendeeId, MeetingsService::Departure::kDropped);
  service_->DeleteAttendee(m.meetingId, cat.attendeeId);
  EXPECT_EQ(roster(), (std::vector<std::string>{"ben", "dan"}));
  EXPECT_EQ(service_->ListAllAttendees(m.meetingId).size(), 3u);  // ListAttendees still has Ann
  service_->Sweep(now_ + MeetingsService::kReconnectWindowSeconds - 1);
  EXPECT_EQ(roster(), (std::vector<std::string>{"ben", "dan"}));
  service_->Sweep(now_ + MeetingsService::kReconnectWindowSeconds);
  EXPECT_EQ(roster(), (std::vector<std::string>{"dan"}));  // Ben never came back

  // Leaving survives a restart; coming back (the join token still admits) puts one back.
  Restart();
  EXPECT_EQ(roster(), (std::vector<std::string>{"dan"}));
  service_->AttendeeConnected(m.meetingId, ann.attendeeId);
  EXPECT_EQ(roster(), (std::vector<std::string>{"ann", "dan"}));
}

TEST_F(MeetingsServiceTest, ADroppedAttendeeWhoReconnectsStaysOnTheRoster) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  service_->AttendeeConnected(m.meetingId, a.attendeeId);
  service_->AttendeeDisconnected(m.meetingId, a.attendeeId, MeetingsService::Departure::kDropped);
  Advance(30);
  service_->AttendeeConnected(m.meetingId, a.attendeeId);
  service_->Sweep(now_ + 10 * MeetingsService::kReconnectWindowSeconds);
  ASSERT_EQ(service_->ListRoster(m.meetingId).size(), 1u);
}

TEST_F(MeetingsServiceTest, SignalingHooksNeverWaitForAStalledStoreWrite) {
  const auto m = service_->CreateMeeting(Params());
  const auto a = service_->CreateAttendee(m.meetingId, Attendee("alice"));
  store::StoreExecutor executor;
  service_->SetWriteExecutor(&executor);
  service_->AttendeeConnected(m.meetingId, a.attendeeId);

  // Another writer holds the database lock: every write waits (as on a disk that stalls fsync).
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(store_->Path().c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  const auto start = std::chrono::steady_clock::now();
  // What the signaling thread does when a session ends and the next one authenticates.
  service_->AttendeeDisconnected(m.meetingId, a.attendeeId, MeetingsService::Departure::kLeft);
  EXPECT_TRUE(service_->FindAttendeeByJoinToken(m.meetingId, a.joinToken));
  EXPECT_NO_THROW(service_->GetMeeting(m.meetingId));
  // Without the executor the disconnect would have waited out the 5 s busy timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_EQ(service_->ListRoster(m.meetingId).size(), 1u);  // the write has not landed yet

  sqlite3_exec(other, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  executor.Stop();
  EXPECT_TRUE(service_->ListRoster(m.meetingId).empty());
  service_->SetWriteExecutor(nullptr);
}

TEST_F(MeetingsServiceTest, RoomMeetingIsFoundOrCreatedOnce) {
  EXPECT_FALSE(service_->FindMeetingForRoom("room-1"));
  std::vector<std::thread> threads;
  std::mutex mutex;
  std::set<std::string> ids;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&] {
      const auto m = service_->FindOrCreateMeetingForRoom("room-1", "us-east-1");
      std::lock_guard lock(mutex);
      ids.insert(m.meetingId);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ids.size(), 1u);
  EXPECT_EQ(service_->FindMeetingForRoom("room-1")->meetingId, *ids.begin());
  EXPECT_NE(service_->FindOrCreateMeetingForRoom("room-2", "us-east-1").meetingId, *ids.begin());
  EXPECT_EQ(service_->Stats().activeMeetings, 2);
}

TEST_F(MeetingsServiceTest, ConcurrentCreatesRespectTheLimit) {
  const auto m = service_->CreateMeeting(Params());
  std::atomic<int> ok{0}, limited{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 12; ++i)
    threads.emplace_back([&, i] {
      try {
        service_->CreateAttendee(m.meetingId, Attendee("user-" + std::to_string(i)));
        ++ok;
      } catch (const LimitExceeded&) {
        ++limited;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5);
  EXPECT_EQ(limited.load(), 7);
  EXPECT_EQ(service_->ListAllAttendees(m.meetingId).size(), 5u);
}

}  // namespace
}  // namespace medicall::meetings
