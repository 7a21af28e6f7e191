#include "clinic/SessionManager.hpp"

#include <gtest/gtest.h>

#include "common/Digest.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteClinicStore.hpp"

namespace medicall::clinic {
namespace {

constexpr int64_t kMinute = 60'000'000;

// Sessions live in the clinic store (here SQLite; ClinicStoreContractTest runs the store's side
// against Redis too).
class SessionManagerTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  store::SqliteClinicStore store{dir.Path()};
};

TEST_F(SessionManagerTest, IdIs256RandomBitsAndOnlyItsHashIsKept) {
  ManualClock clock;
  SessionManager sessions(store, 30 * kMinute, 12 * 60 * kMinute, clock);
  std::string cookie;
  const Session s = sessions.Create("clinician", "u1", "", cookie);
  EXPECT_EQ(cookie.size(), 43u);  // 32 bytes, base64url without padding
  EXPECT_EQ(s.idHash, digest::Sha256Hex(cookie));
  EXPECT_NE(s.idHash.find_first_not_of("0123456789abcdef"), 0u);
  EXPECT_EQ(s.csrfToken.size(), 43u);
  EXPECT_NE(s.csrfToken, cookie);
  std::string other;
  sessions.Create("clinician", "u1", "", other);
  EXPECT_NE(other, cookie);
  auto found = sessions.Find(cookie);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->userId, "u1");
  EXPECT_FALSE(sessions.Find(s.idHash)) << "the stored hash is not a session id";
  EXPECT_FALSE(sessions.Find(""));
}

TEST_F(SessionManagerTest, IdleTimeoutRestartsWithEachRequest) {
  ManualClock clock;
  SessionManager sessions(store, 30 * kMinute, 12 * 60 * kMinute, clock);
  std::string cookie;
  sessions.Create("clinician", "u1", "", cookie);
  clock.AdvanceUs(29 * kMinute);
  ASSERT_TRUE(sessions.Find(cookie));  // touched
  clock.AdvanceUs(29 * kMinute);
  ASSERT_TRUE(sessions.Find(cookie));
  clock.AdvanceUs(30 * kMinute);
  EXPECT_FALSE(sessions.Find(cookie));
  EXPECT_FALSE(sessions.Find(cookie)) << "gone for good";
}

TEST_F(SessionManagerTest, AbsoluteLifetimeEndsEvenAnActiveSession) {
  ManualClock clock;
  SessionManager sessions(store, 30 * kMinute, 60 * kMinute, clock);
  std::string cookie;
  sessions.Create("clinician", "u1", "", cookie);
  for (int i = 0; i < 5; ++i) {
    clock.AdvanceUs(11 * kMinute);
    ASSERT_TRUE(sessions.Find(cookie)) << i;
  }
  clock.AdvanceUs(5 * kMinute);  // 60 minutes since creation
  EXPECT_FALSE(sessions.Find(cookie));
}

TEST_F(SessionManagerTest, LogoutAndDisableEndSessions) {
  ManualClock clock;
  SessionManager sessions(store, 30 * kMinute, 60 * kMinute, clock);
  std::string a, b, c;
  sessions.Create("clinician", "u1", "", a);
  sessions.Create("clinician", "u1", "", b);
  sessions.Create("admin", "u2", "", c);
  sessions.End(a);
  EXPECT_FALSE(sessions.Find(a));
  EXPECT_TRUE(sessions.Find(b));
  sessions.EndAllOf("u1");
  EXPECT_FALSE(sessions.Find(b));
  EXPECT_TRUE(sessions.Find(c));
}

TEST_F(SessionManagerTest, SweepDropsExpiredSessionsAndTouchKeepsOneAlive) {
  ManualClock clock;
  SessionManager sessions(store, 10 * kMinute, 600 * kMinute, clock);
  std::string a, b;
  const Session kept = sessions.Create("patient", "", "w1", a);
  sessions.Create("patient", "", "w2", b);
  clock.AdvanceUs(9 * kMinute);
  sessions.TouchByHash(kept.idHash);  // its event stream is open
  clock.AdvanceUs(2 * kMinute);
  EXPECT_EQ(sessions.Sweep(), 1u);
  EXPECT_TRUE(sessions.Find(a));
  EXPECT_FALSE(sessions.Find(b));
}

TEST_F(SessionManagerTest, SessionsOutliveTheManagerThatMadeThem) {
  ManualClock clock;
  std::string cookie;
  std::string csrf;
  {
    SessionManager before(store, 30 * kMinute, 60 * kMinute, clock);
    csrf = before.Create("clinician", "u1", "", cookie).csrfToken;
  }
  // A restart, or another node on the same store.
  SessionManager after(store, 30 * kMinute, 60 * kMinute, clock);
  clock.AdvanceUs(kMinute);
  auto found = after.Find(cookie);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->userId, "u1");
  EXPECT_EQ(found->csrfToken, csrf);
  after.End(cookie);
  EXPECT_FALSE(after.Find(cookie));
}

TEST_F(SessionManagerTest, CsrfTokenMustMatchExactly) {
  ManualClock clock;
  SessionManager sessions(store, kMinute, kMinute, clock);
  std::string cookie;
  const Session s = sessions.Create("clinician", "u1", "", cookie);
  const std::string right = s.csrfToken;
  const std::string wrong = std::string(right.size(), 'A');
  const std::string prefix = right.substr(0, right.size() - 1);
  EXPECT_TRUE(SessionManager::CsrfMatches(s, &right));
  EXPECT_FALSE(SessionManager::CsrfMatches(s, &wrong));
  EXPECT_FALSE(SessionManager::CsrfMatches(s, &prefix));
  EXPECT_FALSE(SessionManager::CsrfMatches(s, nullptr));
  EXPECT_FALSE(SessionManager::CsrfMatches(s, &cookie));
}

TEST_F(SessionManagerTest, CookieValueFindsTheSessionCookie) {
  const std::string header = "theme=dark; medicall_session=abc-123_X; other=1";
  EXPECT_EQ(SessionManager::CookieValue(&header, "medicall_session"), "abc-123_X");
  EXPECT_EQ(SessionManager::CookieValue(&header, "theme"), "dark");
  EXPECT_EQ(SessionManager::CookieValue(&header, "missing"), "");
  const std::string quoted = "medicall_session=\"q\"";
  EXPECT_EQ(SessionManager::CookieValue(&quoted, "medicall_session"), "q");
  const std::string lookalike = "xmedicall_session=no";
  EXPECT_EQ(SessionManager::CookieValue(&lookalike, "medicall_session"), "");
  EXPECT_EQ(SessionManager::CookieValue(nullptr, "medicall_session"), "");
}

}  // namespace
}  // namespace medicall::clinic
