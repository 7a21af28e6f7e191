#include "clinic/AuditLog.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "common/Digest.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteClinicStore.hpp"

namespace medicall::clinic {
namespace {

void Sql(const std::string& dir, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir + "/medicall.db").c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

class AuditLogTest : public ::testing::Test {
 protected:
  void Write(int n) {
    store::SqliteClinicStore store(dir.Path());
    AuditLog log(store, clock);
    for (int i = 0; i < n; ++i) {
      log.Append("user-" + std::to_string(i), "visit.created", "visit-" + std::to_string(i), "", "",
                 "detail");
      clock.AdvanceMs(10);
    }
  }
  AuditLog::Verification Verify() {
    store::SqliteClinicStore store(dir.Path());
    return AuditLog::Verify(store);
  }
  testing::TempDir dir;
  ManualClock clock;
};

TEST_F(AuditLogTest, EachEntryChainsToThePreviousOne) {
  store::SqliteClinicStore store(dir.Path());
  AuditLog log(store, clock);
  const auto first = log.Append("u1", "auth.login");
  clock.AdvanceMs(5);
  const auto second = log.Append("u1", "visit.created", "v1", "m1", "t1", "d");
  EXPECT_EQ(first.seq, 1);
  EXPECT_EQ(second.seq, 2);
  EXPECT_EQ(first.prevHash, std::string(64, '0'));
  EXPECT_EQ(second.prevHash, first.hash);
  EXPECT_EQ(second.time, clock.WallNowUs() / 1000);
  // hash = SHA-256(previous hash || canonical entry), canonical =
  // [seq,time,actor,action,visit,meeting,target,detail]
  const std::string canonical =
      "[2," + std::to_string(second.time) + ",\"u1\",\"visit.created\",\"v1\",\"m1\",\"t1\",\"d\"]";
  EXPECT_EQ(AuditLog::Canonical(second), canonical);
  EXPECT_EQ(second.hash, digest::Sha256Hex(first.hash + canonical));
  const auto v = AuditLog::Verify(store);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.entries, 2);
}

TEST_F(AuditLogTest, AnAlteredRowIsNamed) {
  Write(5);
  ASSERT_TRUE(Verify().ok);
  Sql(dir.Path(), "UPDATE clinic_audit SET actor = 'someone-else' WHERE seq = 3");
  const auto v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.brokenSeq, 3);
}

TEST_F(AuditLogTest, ARecomputedHashBreaksTheNextRow) {
  Write(5);
  store::AuditRecord row;
  {
    store::SqliteClinicStore store(dir.Path());
    store.ForEachAudit(0, 0, [&](const store::AuditRecord& e) {
      if (e.seq == 2) row = e;
    });
  }
  row.detail = "rewritten";
  row.hash = AuditLog::HashOf(row);
  Sql(dir.Path(), "UPDATE clinic_audit SET detail = 'rewritten', hash = '" + row.hash + "' WHERE seq = 2");
  const auto v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.brokenSeq, 3);
}

TEST_F(AuditLogTest, ADeletedRowIsFoundAtTheGap) {
  Write(5);
  Sql(dir.Path(), "DELETE FROM clinic_audit WHERE seq = 2");
  const auto v = Verify();
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.brokenSeq, 3);
}

TEST_F(AuditLogTest, TimeRangeSelectsEntries) {
  Write(5);  // times t0, t0+10, ..., t0+40 ms
  store::SqliteClinicStore store(dir.Path());
  std::vector<int64_t> seqs;
  int64_t t0 = 0;
  store.ForEachAudit(0, 0, [&](const store::AuditRecord& e) {
    if (e.seq == 1) t0 = e.time;
  });
  store.ForEachAudit(t0 + 10, t0 + 30, [&](const store::AuditRecord& e) { seqs.push_back(e.seq); });
  EXPECT_EQ(seqs, (std::vector<int64_t>{2, 3}));
}

}  // namespace
}  // namespace medicall::clinic
