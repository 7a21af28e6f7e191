#include "clinic/ClinicService.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "clinic/FakeStream.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteClinicStore.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::clinic {
namespace {

using test::FakeStream;

// A clinic on a temporary data directory, with the meetings service on the same database.
class ClinicServiceTest : public ::testing::Test {
 protected:
  ClinicServiceTest()
      : meetingsStore(dir.Path()),
        meetings(meetingsStore, config, clock),
        clinicStore(dir.Path()),
        links(LinkSigner::WithKey(std::string(32, 'k'))),
        service(clinicStore, &meetings, links, config, clock) {}

  store::UserRecord AddClinician(const std::string& name, const std::string& email,
                                 const std::string& password) {
    store::UserRecord u;
    const std::string token = service.AddUser("clinician", name, email, "", u);
    service.SetPassword(token, password);
    return *clinicStore.FindUserById(u.userId);
  }
  template <typename F>
  ClinicError Fails(F&& f) {
    try {
      f();
    } catch (const ClinicError& e) {
      return e;
    }
    ADD_FAILURE() << "no ClinicError";
    return ClinicError(0, "", "");
  }
  std::string AllAuditText() {
    std::string all;
    clinicStore.ForEachAudit(0, 0, [&](const store::AuditRecord& e) {
      all += e.actor + "|" + e.action + "|" + e.target + "|" + e.detail + "\n";
    });
    return all;
  }

  testing::TempDir dir;
  Config config;
  ManualClock clock;
  store::SqliteStore meetingsStore;
  meetings::MeetingsService meetings;
  store::SqliteClinicStore clinicStore;
  LinkSigner links;
  ClinicService service;
};

TEST_F(ClinicServiceTest, ConcurrentTakesOfOneQueuedPatient_ExactlyOneWins) {
  std::vector<store::UserRecord> clinicians;
  for (int i = 0; i < 6; ++i) {
    store::UserRecord u;
    service.AddUser("clinician", "Dr " + std::to_string(i), "c" + std::to_string(i) + "@example.org", "", u);
    clinicians.push_back(u);
  }
  const auto wait = service.WaitInQueue(config.clinicSlug, "Pat Queue");
  std::atomic<int> wins{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  std::atomic<bool> go{false};
  for (const auto& c : clinicians) {
    threads.emplace_back([&, c] {
      while (!go.load()) std::this_thread::yield();
      try {
        service.Take(c, wait.waitId);
        ++wins;
      } catch (const ClinicError& e) {
        (e.Status() == 409 && e.Type() == "AlreadyTaken" ? conflicts : other)++;
      }
    });
  }
  go = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 5);
  EXPECT_EQ(other.load(), 0);
  EXPECT_TRUE(clinicStore.ListQueue(config.clinicSlug).empty());
  const auto taken = clinicStore.FindWait(wait.waitId);
  ASSERT_TRUE(taken);
  ASSERT_FALSE(taken->visitId.empty());
  EXPECT_EQ(clinicStore.ListWaitsOfVisit(taken->visitId).size(), 1u);
  // A later take loses too.
  EXPECT_EQ(Fails([&] { service.Take(clinicians[0], wait.waitId); }).Status(), 409);
}

TEST_F(ClinicServiceTest, EveryBadVisitLinkSaysWhatIsWrong) {
  const auto doctor = AddClinician("Dr Jane Doe", "jane@example.org", "correct horse");
  EXPECT_EQ(Fails([&] { service.OpenLink("nonsense"); }).Type(), "LinkInvalid");
  EXPECT_EQ(Fails([&] { service.OpenLink(std::string(32, 'A')); }).Status(), 404);

  const auto ended = service.CreateVisit(doctor, "", 0);
  const std::string endedToken = links.TokenFor(ended.visitId);
  EXPECT_EQ(service.OpenLink(endedToken).visitId, ended.visitId);
  service.End(doctor, ended.visitId);
  const auto e = Fails([&] { service.OpenLink(endedToken); });
  EXPECT_EQ(e.Status(), 410);
  EXPECT_EQ(e.Type(), "VisitEnded");
  EXPECT_STREQ(e.what(), "This visit has ended.");

  const auto expiring = service.CreateVisit(doctor, "", 0);
  clock.AdvanceUs(ClinicService::kVisitLinkMs * 1000 + 1);
  const auto x = Fails([&] { service.OpenLink(links.TokenFor(expiring.visitId)); });
  EXPECT_EQ(x.Status(), 410);
  EXPECT_EQ(x.Type(), "LinkExpired");
}

TEST_F(ClinicServiceTest, SetPasswordLinkIsSingleUseAndExpires) {
  store::UserRecord u;
  const std::string token = service.AddUser("admin", "Ada Admin", "Ada@Example.org", "", u);
  EXPECT_EQ(u.email, "ada@example.org");
  EXPECT_EQ(Fails([&] { service.SetPassword(token, "short"); }).Type(), "InvalidPassword");
  service.SetPassword(token, "long enough password");
  const auto used = Fails([&] { service.SetPassword(token, "long enough password"); });
  EXPECT_EQ(used.Status(), 410);
  EXPECT_EQ(used.Type(), "LinkUsed");
  EXPECT_EQ(Fails([&] { service.SetPassword("unknown", "long enough password"); }).Type(), "LinkInvalid");

  store::UserRecord v;
  const std::string late = service.AddUser("clinician", "Val", "val@example.org", "", v);
  clock.AdvanceUs(ClinicService::kSetPasswordLinkMs * 1000);
  EXPECT_EQ(Fails([&] { service.SetPassword(late, "long enough password"); }).Type(), "LinkExpired");
  // The password is stored as argon2id, never as given.
  const auto stored = clinicStore.FindUserByEmail("ada@example.org");
  EXPECT_EQ(stored->passwordHash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(stored->passwordHash.find("long enough"), std::string::npos);
}

TEST_F(ClinicServiceTest, LoginFailuresLookTheSameAndAreRateLimited) {
  AddClinician("Dr Jane Doe", "jane@example.org", "correct horse");
  store::UserRecord disabled = AddClinician("Dr Off", "off@example.org", "correct horse");
  clinicStore.SetUserDisabled("off@example.org", true);
  EXPECT_EQ(service.Login("JANE@example.org", "correct horse", "10.0.0.1").email, "jane@example.org");
  const auto wrong = Fails([&] { service.Login("jane@example.org", "wrong password", "10.0.0.1"); });
  const auto unknown = Fails([&] { service.Login("nobody@example.org", "correct horse", "10.0.0.2"); });
  const auto off = Fails([&] { service.Login("off@example.org", "correct horse", "10.0.0.3"); });
  for (const auto& e : {wrong, unknown, off}) {
    EXPECT_EQ(e.Status(), 401);
    EXPECT_EQ(e.Type(), "InvalidCredentials");
    EXPECT_STREQ(e.what(), "The email or password is not right.");
  }
  // Per account: 5 failures in 15 minutes, from any address.
  for (int i = 1; i < ClinicService::kAccountFailures; ++i)
    Fails([&] { service.Login("jane@example.org", "wrong", "10.1.0." + std::to_string(i)); });
  const auto limited = Fails([&] { service.Login("jane@example.org", "correct horse", "10.9.9.9"); });
  EXPECT_EQ(limited.Status(), 429);
  EXPECT_EQ(limited.Type(), "TooManyRequests");
  EXPECT_GT(limited.RetryAfterSeconds(), 0);
  clock.AdvanceUs(ClinicService::kFailureWindowUs);
  EXPECT_NO_THROW(service.Login("jane@example.org", "correct horse", "10.9.9.9"));
  // Per address: 20 failures over any accounts.
  for (int i = 0; i < ClinicService::kAddressFailures; ++i)
    Fails([&] { service.Login("x" + std::to_string(i) + "@example.org", "wrong", "10.6.6.6"); });
  EXPECT_EQ(Fails([&] { service.Login("jane@example.org", "correct horse", "10.6.6.6"); }).Status(), 429);
  EXPECT_NO_THROW(service.Login("jane@example.org", "correct horse", "10.7.7.7"));
  const std::string audit = AllAuditText();
  EXPECT_NE(audit.find("auth.login_failed"), std::string::npos);
  EXPECT_EQ(audit.find("wrong"), std::string::npos) << "no password in the audit trail";
}

TEST_F(ClinicServiceTest, NoAttendeeBeforeAdmissionThenBothJoinOneMeeting) {
  const auto doctor = AddClinician("Dr Jane Doe", "jane@example.org", "correct horse");
  const auto visit = service.CreateVisit(doctor, "Paula Patient", 0);
  const auto wait = service.WaitOnLink(links.TokenFor(visit.visitId), "Paula P");
  EXPECT_EQ(service.VisitJson(*clinicStore.FindVisit(visit.visitId), doctor.userId)["status"], "waiting");
  EXPECT_TRUE(clinicStore.FindVisit(visit.visitId)->meetingId.empty())
      << "no meeting, no attendee before admission";

  const auto join = service.Admit(doctor, visit.visitId, wait.waitId, "127.0.0.1:3001");
  const std::string meetingId = join["Meeting"]["MeetingId"];
  EXPECT_EQ(join["Meeting"]["ExternalMeetingId"], "visit-" + visit.visitId);
  EXPECT_FALSE(join["Attendee"]["JoinToken"].get<std::string>().empty());
  const auto attendees = meetings.ListAllAttendees(meetingId);
  ASSERT_EQ(attendees.size(), 2u);
  const auto patientJoin = service.PendingJoin(wait.waitId);
  ASSERT_TRUE(patientJoin);
  EXPECT_EQ((*patientJoin)["Meeting"]["MeetingId"], meetingId);
  const std::string patientToken = (*patientJoin)["Attendee"]["JoinToken"];
  EXPECT_TRUE(meetings.FindAttendeeByJoinToken(meetingId, patientToken));
  EXPECT_EQ(service.VisitJson(*clinicStore.FindVisit(visit.visitId), doctor.userId)["status"], "in-call");
  // Admitting again gives the clinician the same attendee (no duplicate in the roster).
  const auto again = service.Admit(doctor, visit.visitId, wait.waitId, "127.0.0.1:3001");
  EXPECT_EQ(again["Attendee"]["AttendeeId"], join["Attendee"]["AttendeeId"]);
  EXPECT_EQ(meetings.ListAllAttendees(meetingId).size(), 2u);

  // Removing the patient: its token is refused from then on and the link is dead.
  const std::string patientAttendee = (*patientJoin)["Attendee"]["AttendeeId"];
  service.Remove(doctor, visit.visitId, patientAttendee);
  EXPECT_FALSE(meetings.FindAttendeeByJoinToken(meetingId, patientToken));
  EXPECT_EQ(Fails([&] { service.OpenLink(links.TokenFor(visit.visitId)); }).Type(), "Removed");

  // Names never reach the audit trail.
  const std::string audit = AllAuditText();
  for (const char* name : {"Jane", "Doe", "Paula", "Patient"})
    EXPECT_EQ(audit.find(name), std::string::npos) << name;
  EXPECT_NE(audit.find("visit.admitted"), std::string::npos);
  EXPECT_NE(audit.find("attendee.removed"), std::string::npos);
}

// Two nodes of a cluster: one store, each node its own streams, their events cross-wired (in the
// server: the Redis control channel).
TEST_F(ClinicServiceTest, EventsReachTheStreamsOfAnotherNode) {
  ClinicService peer(clinicStore, &meetings, links, config, clock);
  service.SetBroadcast([&](const std::string& e) { peer.OnPeerEvent(e); });
  peer.SetBroadcast([&](const std::string& e) { service.OnPeerEvent(e); });
  const auto doctor = AddClinician("Dr Jane Doe", "jane@example.org", "correct horse");
  auto dashboard = std::make_shared<FakeStream>();  // on this node
  service.Events().AddClinician(doctor.userId, doctor.clinic, "s1", dashboard);
  const auto visit = service.CreateVisit(doctor, "Paula Patient", 0);
  const auto wait = peer.WaitOnLink(links.TokenFor(visit.visitId), "Paula P");  // through the peer
  EXPECT_TRUE(dashboard->Got(wait.waitId)) << "the dashboard re-read the store on the peer's notice";

  auto patient = std::make_shared<FakeStream>();  // the patient's stream is on the peer
  peer.Events().AddPatient(wait.waitId, "s2", patient);
  service.Message(doctor, visit.visitId, "", "Running 5 minutes late");
  EXPECT_TRUE(patient->Got("event: message"));
  EXPECT_EQ(peer.PatientStatus(wait.waitId)["messages"].size(), 1u) << "kept for a reconnect there";

  service.Admit(doctor, visit.visitId, wait.waitId, "127.0.0.1:3001");
  EXPECT_TRUE(patient->Got("event: admitted"));
  const auto pending = peer.PendingJoin(wait.waitId);
  ASSERT_TRUE(pending);
  EXPECT_EQ((*pending)["Attendee"]["AttendeeId"], clinicStore.FindWait(wait.waitId)->attendeeId);

  service.End(doctor, visit.visitId);
  EXPECT_TRUE(patient->Got("VisitEnded"));
  EXPECT_TRUE(patient->closed);
  EXPECT_FALSE(peer.PendingJoin(wait.waitId));
  EXPECT_TRUE(peer.PatientStatus(wait.waitId)["messages"].empty());
}

TEST_F(ClinicServiceTest, TransferMovesTheVisitAndMessagesReachOnlyWaitingPatients) {
  const auto a = AddClinician("Dr A", "a@example.org", "correct horse");
  const auto b = AddClinician("Dr B", "b@example.org", "correct horse");
  const auto visit = service.CreateVisit(a, "", 0);
  service.WaitOnLink(links.TokenFor(visit.visitId), "Pat");
  EXPECT_EQ(Fails([&] { service.Message(a, visit.visitId, "", std::string(501, 'x')); }).Type(),
            "InvalidMessage");
  service.Message(a, visit.visitId, "", "Running 10 minutes late");
  const auto moved = service.Transfer(a, visit.visitId, b.userId);
  EXPECT_EQ(moved.clinicianId, b.userId);
  EXPECT_EQ(service.VisitsOf(b).size(), 1u);
  EXPECT_TRUE(service.VisitsOf(a).empty());
  // The link is re-derived only for the owner.
  EXPECT_TRUE(service.VisitJson(moved, a.userId)["link"].is_null());
  EXPECT_EQ(service.VisitJson(moved, b.userId)["link"], "/v/" + links.TokenFor(visit.visitId));
  EXPECT_EQ(Fails([&] { service.Transfer(a, visit.visitId, "no-such-user"); }).Status(), 404);
}

TEST_F(ClinicServiceTest, RetentionPurgesOldVisitsAndAuditsThePurge) {
  config.retentionDays = 30;
  const auto doctor = AddClinician("Dr A", "a@example.org", "correct horse");
  const auto old = service.CreateVisit(doctor, "Old Patient", 0);
  service.End(doctor, old.visitId);
  clock.AdvanceUs(31LL * 24 * 3600 * 1'000'000);
  const auto fresh = service.CreateVisit(doctor, "New Patient", 0);
  EXPECT_EQ(service.PurgeExpired(), 1);
  EXPECT_FALSE(clinicStore.FindVisit(old.visitId));
  EXPECT_TRUE(clinicStore.FindVisit(fresh.visitId));
  EXPECT_NE(AllAuditText().find("retention.purged"), std::string::npos);
  EXPECT_TRUE(AuditLog::Verify(clinicStore).ok);
}

}  // namespace
}  // namespace medicall::clinic
