// The behaviour every ClinicStore must have, run against each implementation: SqliteClinicStore on
// a temporary directory and RedisClinicStore on a real redis-server the test starts. Open() gives
// a second store object on the same state: another node (Redis) or another connection (SQLite).
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <thread>

#include "common/Digest.hpp"
#include "store/RedisClinicStore.hpp"
#include "store/RedisServerProcess.hpp"
#include "store/SqliteClinicStore.hpp"

namespace medicall::store {
namespace {

class SqliteClinicBacking {
 public:
  SqliteClinicBacking() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("medicall-clinic-contract-" + std::to_string(rd()));
  }
  ~SqliteClinicBacking() { std::filesystem::remove_all(dir_); }
  std::unique_ptr<ClinicStore> Open() { return std::make_unique<SqliteClinicStore>(dir_.string()); }

 private:
  std::filesystem::path dir_;
};

class RedisClinicBacking {
 public:
  std::unique_ptr<ClinicStore> Open() { return std::make_unique<RedisClinicStore>(server_.Endpoint()); }

 private:
  test::RedisServerProcess server_;
};

// The chain rule (as clinic::AuditLog, which this module does not link).
std::string HashOf(const AuditRecord& e) {
  return digest::Sha256Hex(e.prevHash + std::to_string(e.seq) + "|" + std::to_string(e.time) + "|" + e.actor +
                           "|" + e.action + "|" + e.visitId + "|" + e.meetingId + "|" + e.target + "|" +
                           e.detail);
}

template <typename Backing>
class ClinicStoreContractTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = backing_.Open(); }

  static UserRecord User(const std::string& id, const std::string& email, int64_t createdAt) {
    UserRecord u;
    u.userId = id;
    u.email = email;
    u.name = "Dr " + id;
    u.role = "clinician";
    u.clinic = "main";
    u.createdAt = createdAt;
    return u;
  }
  static VisitRecord Visit(const std::string& id, int64_t createdAt, int64_t scheduledAt = 0) {
    VisitRecord v;
    v.visitId = id;
    v.clinic = "main";
    v.clinicianId = "u1";
    v.patientName = "Pat " + id;
    v.scheduledAt = scheduledAt;
    v.createdAt = createdAt;
    v.linkHash = "link-" + id;
    v.linkExpiresAt = createdAt + 1000;
    return v;
  }
  static WaitRecord Wait(const std::string& id, const std::string& visitId, int64_t since) {
    WaitRecord w;
    w.waitId = id;
    w.visitId = visitId;
    w.clinic = "main";
    w.name = "Pat " + id;
    w.since = since;
    return w;
  }
  static SessionRecord SessionOf(const std::string& hash, const std::string& userId, int64_t nowUs) {
    SessionRecord s;
    s.idHash = hash;
    s.role = userId.empty() ? "patient" : "clinician";
    s.userId = userId;
    s.waitId = userId.empty() ? "w-" + hash : "";
    s.csrfToken = "csrf-" + hash;
    s.createdUs = s.lastSeenUs = nowUs;
    s.idleUs = 30'000'000;
    s.maxUs = 100'000'000;
    return s;
  }
  static std::vector<std::string> Ids(const std::vector<VisitRecord>& visits) {
    std::vector<std::string> out;
    for (const auto& v : visits) out.push_back(v.visitId);
    return out;
  }
  static std::vector<std::string> Ids(const std::vector<WaitRecord>& waits) {
    std::vector<std::string> out;
    for (const auto& w : waits) out.push_back(w.waitId);
    return out;
  }
  std::vector<AuditRecord> Audit(int64_t from = 0, int64_t to = 0) {
    std::vector<AuditRecord> out;
    store_->ForEachAudit(from, to, [&](const AuditRecord& e) { out.push_back(e); });
    return out;
  }
  AuditRecord Append(ClinicStore& store, const std::string& action, int64_t time) {
    AuditRecord e;
    e.time = time;
    e.actor = "u1";
    e.action = action;
    return store.AppendAudit(e, HashOf);
  }

  Backing backing_;
  std::unique_ptr<ClinicStore> store_;
};

using Backings = ::testing::Types<SqliteClinicBacking, RedisClinicBacking>;
class BackingNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    return std::is_same_v<T, SqliteClinicBacking> ? "Sqlite" : "Redis";
  }
};
TYPED_TEST_SUITE(ClinicStoreContractTest, Backings, BackingNames);

TYPED_TEST(ClinicStoreContractTest, UsersRoundTripAndEmailsAreUnique) {
  auto& s = *this->store_;
  auto b = this->User("u2", "b@example.org", 200);
  b.onDuty = false;
  ASSERT_TRUE(s.InsertUser(b));
  ASSERT_TRUE(s.InsertUser(this->User("u1", "a@example.org", 100)));
  EXPECT_FALSE(s.InsertUser(this->User("u3", "a@example.org", 300))) << "email taken";
  EXPECT_FALSE(s.FindUserById("u3"));
  const auto found = s.FindUserByEmail("b@example.org");
  ASSERT_TRUE(found);
  EXPECT_EQ(found->userId, "u2");
  EXPECT_EQ(found->name, "Dr u2");
  EXPECT_EQ(found->clinic, "main");
  EXPECT_FALSE(found->onDuty);
  EXPECT_FALSE(found->disabled);
  EXPECT_EQ(found->createdAt, 200);
  const auto all = s.ListUsers();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].userId, "u1") << "by creation";
  EXPECT_TRUE(s.SetUserDisabled("a@example.org", true));
  EXPECT_FALSE(s.SetUserDisabled("nobody@example.org", true));
  EXPECT_TRUE(s.FindUserById("u1")->disabled);
  EXPECT_TRUE(s.SetPasswordHash("u1", "$argon2id$x"));
  EXPECT_FALSE(s.SetPasswordHash("nobody", "$argon2id$x"));
  // Another node (or a reopen) sees the same accounts.
  auto other = this->backing_.Open();
  EXPECT_EQ(other->FindUserByEmail("a@example.org")->passwordHash, "$argon2id$x");
  EXPECT_FALSE(other->FindUserByEmail("c@example.org"));
}

TYPED_TEST(ClinicStoreContractTest, PasswordTokenIsSingleUseAndExpires) {
  auto& s = *this->store_;
  s.InsertPasswordToken({"t1", "u1", 1000, 0});
  s.InsertPasswordToken({"t2", "u2", 1000, 0});
  std::string userId;
  EXPECT_EQ(s.UsePasswordToken("nope", 10, userId), ClinicStore::TokenUse::kUnknown);
  EXPECT_EQ(s.UsePasswordToken("t2", 1000, userId), ClinicStore::TokenUse::kExpired);
  EXPECT_EQ(s.UsePasswordToken("t1", 10, userId), ClinicStore::TokenUse::kOk);
  EXPECT_EQ(userId, "u1");
  EXPECT_EQ(s.UsePasswordToken("t1", 11, userId), ClinicStore::TokenUse::kUsed);
}

TYPED_TEST(ClinicStoreContractTest, ConcurrentUsesOfOneToken_ExactlyOneWins) {
  this->store_->InsertPasswordToken({"t1", "u1", 1000, 0});
  auto other = this->backing_.Open();
  std::atomic<int> ok{0};
  auto use = [&](ClinicStore& s) {
    for (int i = 0; i < 20; ++i) {
      std::string userId;
      if (s.UsePasswordToken("t1", 10 + i, userId) == ClinicStore::TokenUse::kOk) ++ok;
    }
  };
  std::thread a(use, std::ref(*this->store_));
  std::thread b(use, std::ref(*other));
  a.join();
  b.join();
  EXPECT_EQ(ok.load(), 1);
}

TYPED_TEST(ClinicStoreContractTest, VisitsAreFoundByIdLinkAndMeeting) {
  auto& s = *this->store_;
  s.InsertVisit(this->Visit("v1", 100, 500));
  EXPECT_FALSE(s.FindVisit("v2"));
  EXPECT_FALSE(s.FindVisitByMeeting(""));
  EXPECT_FALSE(s.FindVisitByLinkHash("link-v2"));
  auto v = s.FindVisitByLinkHash("link-v1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->patientName, "Pat v1");
  EXPECT_EQ(v->scheduledAt, 500);
  EXPECT_EQ(v->linkExpiresAt, 1100);
  EXPECT_EQ(v->meetingId, "");
  v->meetingId = "m1";
  v->clinicianId = "u2";
  s.UpdateVisit(*v);
  EXPECT_EQ(s.FindVisitByMeeting("m1")->visitId, "v1");
  v->meetingId = "m2";  // its meeting expired: a new one
  v->endedAt = 900;
  v->linkState = "removed";
  s.UpdateVisit(*v);
  EXPECT_FALSE(s.FindVisitByMeeting("m1"));
  const auto after = s.FindVisitByMeeting("m2");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->clinicianId, "u2");
  EXPECT_EQ(after->endedAt, 900);
  EXPECT_EQ(after->linkState, "removed");
  EXPECT_EQ(after->patientName, "Pat v1") << "UpdateVisit writes only its fields";
  EXPECT_ANY_THROW(s.InsertVisit(this->Visit("v1", 100))) << "the id exists";
}

TYPED_TEST(ClinicStoreContractTest, ListVisitsSinceOrWithSomeoneWaitingInScheduleOrder) {
  auto& s = *this->store_;
  s.InsertVisit(this->Visit("old", 10));
  s.InsertVisit(this->Visit("old-waiting", 20));
  s.InsertVisit(this->Visit("late", 300));
  s.InsertVisit(this->Visit("scheduled-early", 150, 200));
  s.InsertVisit(this->Visit("old-but-scheduled", 30, 400));
  auto other = this->Visit("other-clinic", 300);
  other.clinic = "elsewhere";
  s.InsertVisit(other);
  s.InsertWait(this->Wait("w1", "old-waiting", 25));
  EXPECT_EQ(this->Ids(s.ListVisits("main", 100)),
            (std::vector<std::string>{"old-waiting", "scheduled-early", "late", "old-but-scheduled"}));
  s.SetWaitState("w1", "left", "");
  EXPECT_EQ(this->Ids(s.ListVisits("main", 100)),
            (std::vector<std::string>{"scheduled-early", "late", "old-but-scheduled"}));
  EXPECT_EQ(this->Ids(s.ListVisits("elsewhere", 0)), (std::vector<std::string>{"other-clinic"}));
}

TYPED_TEST(ClinicStoreContractTest, WaitsOfAVisitAndTheQueueInArrivalOrder) {
  auto& s = *this->store_;
  s.InsertVisit(this->Visit("v1", 100));
  s.InsertWait(this->Wait("q2", "", 50));  // arrival order, not `since`
  s.InsertWait(this->Wait("a", "v1", 10));
  s.InsertWait(this->Wait("q1", "", 40));
  s.InsertWait(this->Wait("b", "v1", 5));
  auto elsewhere = this->Wait("q3", "", 60);
  elsewhere.clinic = "elsewhere";
  s.InsertWait(elsewhere);
  EXPECT_EQ(this->Ids(s.ListWaitsOfVisit("v1")), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(this->Ids(s.ListQueue("main")), (std::vector<std::string>{"q2", "q1"}));
  s.SetWaitState("q2", "left", "");
  s.SetWaitState("a", "admitted", "att-1");
  EXPECT_EQ(this->Ids(s.ListQueue("main")), (std::vector<std::string>{"q1"}));
  const auto a = s.FindWait("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->state, "admitted");
  EXPECT_EQ(a->attendeeId, "att-1");
  EXPECT_EQ(a->since, 10);
  EXPECT_EQ(a->name, "Pat a");
  EXPECT_EQ(s.ListWaitsOfVisit("v1").size(), 2u) << "every state";
  s.SetWaitState("q2", "waiting", "");  // back (as SQLite lets it)
  EXPECT_EQ(this->Ids(s.ListQueue("main")), (std::vector<std::string>{"q2", "q1"}));
  EXPECT_FALSE(s.FindWait("nobody"));
}

TYPED_TEST(ClinicStoreContractTest, TakeQueuedWaitMovesItIntoANewVisitOnce) {
  auto& s = *this->store_;
  s.InsertWait(this->Wait("q1", "", 40));
  s.InsertWait(this->Wait("q2", "", 41));
  ASSERT_TRUE(s.TakeQueuedWait("q1", this->Visit("v1", 100)));
  EXPECT_FALSE(s.TakeQueuedWait("q1", this->Visit("v2", 100))) << "taken already";
  EXPECT_FALSE(s.FindVisit("v2")) << "the loser writes nothing";
  EXPECT_FALSE(s.TakeQueuedWait("nobody", this->Visit("v3", 100)));
  EXPECT_EQ(s.FindWait("q1")->visitId, "v1");
  EXPECT_EQ(this->Ids(s.ListWaitsOfVisit("v1")), (std::vector<std::string>{"q1"}));
  EXPECT_EQ(this->Ids(s.ListQueue("main")), (std::vector<std::string>{"q2"}));
  s.SetWaitState("q2", "left", "");
  EXPECT_FALSE(s.TakeQueuedWait("q2", this->Visit("v4", 100))) << "no longer waiting";
  // The taken visit lists as one with someone waiting.
  EXPECT_EQ(this->Ids(s.ListVisits("main", 1'000'000)), (std::vector<std::string>{"v1"}));
}

TYPED_TEST(ClinicStoreContractTest, ConcurrentTakesFromTwoNodes_ExactlyOneWins) {
  auto other = this->backing_.Open();
  for (int round = 0; round < 10; ++round) {
    const std::string waitId = "q" + std::to_string(round);
    this->store_->InsertWait(this->Wait(waitId, "", round));
    std::atomic<int> wins{0};
    auto take = [&](ClinicStore& s, const std::string& visitId) {
      if (s.TakeQueuedWait(waitId, this->Visit(visitId, 100))) ++wins;
    };
    std::thread a(take, std::ref(*this->store_), waitId + "-a");
    std::thread b(take, std::ref(*other), waitId + "-b");
    a.join();
    b.join();
    ASSERT_EQ(wins.load(), 1) << round;
    const auto w = this->store_->FindWait(waitId);
    ASSERT_TRUE(w);
    EXPECT_TRUE(this->store_->FindVisit(w->visitId));
    EXPECT_FALSE(this->store_->FindVisit(w->visitId == waitId + "-a" ? waitId + "-b" : waitId + "-a"));
  }
  EXPECT_TRUE(this->store_->ListQueue("main").empty());
}

TYPED_TEST(ClinicStoreContractTest, AuditEntriesChainAndSelectByTime) {
  auto& s = *this->store_;
  const auto first = this->Append(s, "a", 100);
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(first.prevHash, std::string(64, '0'));
  EXPECT_EQ(first.hash, HashOf(first));
  const auto second = this->Append(s, "b", 200);
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(second.prevHash, first.hash);
  this->Append(s, "c", 150);  // a node whose clock is behind: still last in the chain
  const auto all = this->Audit();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].hash, second.hash);
  EXPECT_EQ(all[2].action, "c");
  EXPECT_EQ(all[2].prevHash, second.hash);
  const auto range = this->Audit(150, 200);
  ASSERT_EQ(range.size(), 1u);
  EXPECT_EQ(range[0].action, "c");
  const auto from = this->Audit(150, 0);
  ASSERT_EQ(from.size(), 2u);
  EXPECT_EQ(from[0].action, "b") << "in seq order";
}

TYPED_TEST(ClinicStoreContractTest, ConcurrentAppendsFromTwoNodesFormOneValidChain) {
  auto other = this->backing_.Open();
  constexpr int kEach = 150;
  auto append = [&](ClinicStore& s, const std::string& who) {
    for (int i = 0; i < kEach; ++i) this->Append(s, who + std::to_string(i), 1000 + i);
  };
  std::thread a(append, std::ref(*this->store_), "a");
  std::thread b(append, std::ref(*other), "b");
  a.join();
  b.join();
  const auto all = this->Audit();
  ASSERT_EQ(all.size(), 2u * kEach);
  std::string prev(64, '0');
  for (size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i].seq, static_cast<int64_t>(i + 1));
    ASSERT_EQ(all[i].prevHash, prev) << i;
    ASSERT_EQ(all[i].hash, HashOf(all[i])) << i;
    prev = all[i].hash;
  }
}

TYPED_TEST(ClinicStoreContractTest, PurgeDeletesOldVisitsTheirWaitsAndOldQueueWaits) {
  auto& s = *this->store_;
  auto ended = this->Visit("ended", 100);
  ended.endedAt = 200;
  ended.meetingId = "m-ended";
  s.InsertVisit(ended);
  s.InsertVisit(this->Visit("never-admitted", 100));  // link expires at 1100
  auto inCall = this->Visit("in-call", 100);
  inCall.meetingId = "m-live";
  s.InsertVisit(inCall);
  s.InsertVisit(this->Visit("recent", 5000));
  s.InsertWait(this->Wait("w-ended", "ended", 150));
  s.InsertWait(this->Wait("w-recent", "recent", 5000));
  s.InsertWait(this->Wait("q-old", "", 100));
  s.InsertWait(this->Wait("q-new", "", 3000));
  this->Append(s, "kept", 100);
  EXPECT_EQ(s.PurgeBefore(2000), 2);
  EXPECT_FALSE(s.FindVisit("ended"));
  EXPECT_FALSE(s.FindVisitByMeeting("m-ended"));
  EXPECT_FALSE(s.FindVisitByLinkHash("link-ended"));
  EXPECT_FALSE(s.FindVisit("never-admitted"));
  EXPECT_TRUE(s.FindVisit("in-call"));
  EXPECT_TRUE(s.FindVisit("recent"));
  EXPECT_FALSE(s.FindWait("w-ended"));
  EXPECT_FALSE(s.FindWait("q-old"));
  EXPECT_TRUE(s.FindWait("w-recent"));
  EXPECT_EQ(this->Ids(s.ListQueue("main")), (std::vector<std::string>{"q-new"}));
  EXPECT_EQ(this->Audit().size(), 1u) << "the audit trail is not purged";
  EXPECT_EQ(s.PurgeBefore(2000), 0);
}

TYPED_TEST(ClinicStoreContractTest, SessionsEndWhenIdleOrTooOldAndAreSharedByNodes) {
  auto& s = *this->store_;
  constexpr int64_t t0 = 1'700'000'000'000'000;
  s.InsertSession(this->SessionOf("h1", "u1", t0));
  s.InsertSession(this->SessionOf("h2", "u1", t0));
  s.InsertSession(this->SessionOf("h3", "", t0));
  EXPECT_EQ(s.CountSessions(), 3);
  auto other = this->backing_.Open();
  auto found = other->FindSession("h1", t0 + 29'000'000, true);
  ASSERT_TRUE(found) << "made on one node, valid on the other";
  EXPECT_EQ(found->userId, "u1");
  EXPECT_EQ(found->role, "clinician");
  EXPECT_EQ(found->csrfToken, "csrf-h1");
  EXPECT_EQ(found->lastSeenUs, t0 + 29'000'000);
  EXPECT_EQ(found->createdUs, t0);
  EXPECT_FALSE(s.FindSession("nope", t0, true));
  // A touch less than a second after the last one is not written (a burst of requests, one write).
  s.InsertSession(this->SessionOf("h7", "u4", t0));
  EXPECT_EQ(s.FindSession("h7", t0 + 999'999, true)->lastSeenUs, t0);
  EXPECT_EQ(s.FindSession("h7", t0 + 1'000'000, true)->lastSeenUs, t0 + 1'000'000);
  s.DeleteSession("h7");
  // Touched at 29 s: alive at 58 s; h2 was not touched: over at 30 s, and gone.
  EXPECT_TRUE(s.FindSession("h1", t0 + 58'000'000, false));
  EXPECT_FALSE(s.FindSession("h2", t0 + 30'000'000, false));
  EXPECT_FALSE(s.FindSession("h2", t0, false)) << "deleted when found over";
  const auto patient = s.FindSession("h3", t0 + 1, true);
  ASSERT_TRUE(patient);
  EXPECT_EQ(patient->waitId, "w-h3");
  // The absolute lifetime (100 s) ends even a busy session.
  for (int64_t t = t0 + 20'000'000; t < t0 + 100'000'000; t += 20'000'000)
    ASSERT_TRUE(s.FindSession("h1", t, true)) << t - t0;
  EXPECT_FALSE(s.FindSession("h1", t0 + 100'000'000, true));
  // Logout and the end of all of a user's sessions.
  s.InsertSession(this->SessionOf("h4", "u2", t0));
  s.InsertSession(this->SessionOf("h5", "u2", t0));
  s.DeleteSession("h4");
  EXPECT_FALSE(other->FindSession("h4", t0, false));
  other->DeleteSessionsOf("u2");
  EXPECT_FALSE(s.FindSession("h5", t0, false));
  // The sweep: h3 (touched at t0 + 1) is over at t0 + 31 s.
  s.InsertSession(this->SessionOf("h6", "u3", t0 + 20'000'000));
  EXPECT_EQ(s.PurgeSessions(t0 + 31'000'000), 1);
  EXPECT_EQ(s.CountSessions(), 1);
  EXPECT_TRUE(s.FindSession("h6", t0 + 31'000'000, false));
}

}  // namespace
}  // namespace medicall::store
