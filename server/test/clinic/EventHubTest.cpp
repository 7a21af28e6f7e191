#include "clinic/EventHub.hpp"

#include <gtest/gtest.h>

#include "clinic/FakeStream.hpp"

namespace medicall::clinic {
namespace {

using test::FakeStream;

TEST(EventHubTest, EventsGoToTheirClinicAndWaitOnly) {
  EventHub hub;
  auto a = std::make_shared<FakeStream>();
  auto b = std::make_shared<FakeStream>();
  auto other = std::make_shared<FakeStream>();
  auto patient = std::make_shared<FakeStream>();
  hub.AddClinician("u1", "clinic", "s1", a);
  hub.AddClinician("u2", "clinic", "s2", b);
  hub.AddClinician("u3", "elsewhere", "s3", other);
  hub.AddPatient("w1", "s4", patient);
  hub.PublishToClinic("clinic", "state", [](const std::string& userId) {
    return nlohmann::json{{"for", userId}};
  });
  ASSERT_EQ(a->sent.size(), 1u);
  EXPECT_EQ(a->sent[0], "event: state\ndata: {\"for\":\"u1\"}\n\n");
  EXPECT_EQ(b->sent[0], "event: state\ndata: {\"for\":\"u2\"}\n\n");
  EXPECT_TRUE(other->sent.empty());
  hub.SendToPatient("w1", "message", {{"text", "hi"}});
  hub.SendToPatient("w2", "message", {{"text", "not yours"}});
  ASSERT_EQ(patient->sent.size(), 1u);
  EXPECT_EQ(patient->sent[0], "event: message\ndata: {\"text\":\"hi\"}\n\n");
}

TEST(EventHubTest, StreamsOfEndedSessionsAreClosedAndGoneClientsDropped) {
  EventHub hub;
  auto kept = std::make_shared<FakeStream>();
  auto loggedOut = std::make_shared<FakeStream>();
  auto patient = std::make_shared<FakeStream>();
  hub.AddClinician("u1", "clinic", "alive", kept);
  hub.AddClinician("u2", "clinic", "ended", loggedOut);
  hub.AddPatient("w1", "patient-alive", patient);
  EXPECT_EQ(hub.Ping(), std::vector<std::string>{"patient-alive"});
  hub.CloseEndedSessions([](const std::string& hash) { return hash != "ended"; });
  EXPECT_TRUE(loggedOut->closed);
  EXPECT_FALSE(kept->closed);
  EXPECT_FALSE(patient->closed);
  EXPECT_EQ(hub.StreamCount(), 2u);
  patient->closed = true;  // the client went away
  EXPECT_TRUE(hub.Ping().empty());
  EXPECT_EQ(hub.StreamCount(), 1u);
  EXPECT_EQ(kept->sent.back(), ": ping\n\n");
}

}  // namespace
}  // namespace medicall::clinic
