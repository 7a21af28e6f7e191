#include "quality/QualityApi.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "meetings/MeetingsService.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteQualityStore.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::quality {
namespace {

using store::QualityColumn;

class QualityApiTest : public ::testing::Test {
 protected:
  QualityApiTest() : store_(dir_.Path()), quality_(dir_.Path()), meetings_(store_, config_) {
    meetings::CreateMeetingParams p;
    p.mediaRegion = "us-east-1";
    p.externalMeetingId = "room";
    meetingId_ = meetings_.CreateMeeting(p).meetingId;
    meetings::CreateAttendeeParams a;
    a.externalUserId = "Bob";
    attendeeId_ = meetings_.CreateAttendee(meetingId_, a).attendeeId;
    store::QualitySample s;
    s.meetingId = meetingId_;
    s.attendeeId = attendeeId_;
    s.atMs = 1'700'000'005'000;
    s[QualityColumn::kUplinkLossPct] = 12.5;
    s[QualityColumn::kSendKbps] = 300;
    s[QualityColumn::kServerRttMs] = 12;
    s[QualityColumn::kNacksIn] = 4;
    quality_.InsertSamples({s});
    quality_.InsertEvent({meetingId_, attendeeId_, 1'700'000'000'000, "joined"});
  }

  HttpRequest Get(const std::string& query = "", bool loopback = true) const {
    HttpRequest r;
    r.method = "GET";
    r.path = "/api/meetings/" + meetingId_ + "/quality";
    r.rawPath = r.path;
    r.rawQuery = query;
    if (auto q = ParseQuery(query)) r.query = *q;
    r.remoteAddress = loopback ? "127.0.0.1" : "10.0.0.7";
    r.remoteIsLoopback = loopback;
    return r;
  }

  medicall::testing::TempDir dir_;
  Config config_;
  store::SqliteStore store_;
  store::SqliteQualityStore quality_;
  meetings::MeetingsService meetings_;
  std::string meetingId_, attendeeId_;
};

TEST_F(QualityApiTest, JsonHasColumnsSamplesEventsNamesAndSummary) {
  QualityApi api(quality_, meetings_, config_);
  const auto r = api.Handle(Get());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const auto j = nlohmann::json::parse(r->body);
  EXPECT_EQ(j["meetingId"], meetingId_);
  EXPECT_EQ(j["columns"].size(), store::kQualityColumnCount);
  EXPECT_EQ(j["columns"].back(), "estimate_kbps");
  EXPECT_EQ(j["samples"][0]["server_rtt_ms"], 12.0);
  EXPECT_EQ(j["samples"][0]["nacks_in"], 4.0);
  ASSERT_EQ(j["samples"].size(), 1u);
  EXPECT_EQ(j["samples"][0]["uplink_loss_pct"], 12.5);
  EXPECT_TRUE(j["samples"][0]["rtt_ms"].is_null());
  EXPECT_EQ(j["events"][0]["kind"], "joined");
  EXPECT_EQ(j["attendees"][0]["name"], "Bob");
  ASSERT_EQ(j["summary"].size(), 1u);
  EXPECT_EQ(j["summary"][0]["text"].get<std::string>().rfind("Bob's upload was lost 13%", 0), 0u)
      << j["summary"][0]["text"];
}

TEST_F(QualityApiTest, CsvByQueryOrAccept) {
  QualityApi api(quality_, meetings_, config_);
  auto csv = api.Handle(Get("format=csv"));
  ASSERT_TRUE(csv);
  EXPECT_EQ(csv->status, 200);
  EXPECT_EQ(csv->body.rfind("meeting_id,attendee_id,at_ms,send_kbps,receive_kbps,", 0), 0u) << csv->body;
  EXPECT_NE(csv->body.find("\r\n" + meetingId_ + "," + attendeeId_ + ",1700000005000,300,,"),
            std::string::npos)
      << csv->body;
  // The server's view of the downlink at the end of each row.
  EXPECT_NE(csv->body.find(",plis,server_down_loss_pct,server_down_jitter_ms,server_rtt_ms,nacks_in,plis_in,"
                           "rtx_out,estimate_kbps\r\n"),
            std::string::npos)
      << csv->body;
  EXPECT_NE(csv->body.find(",,12,4,,,\r\n"), std::string::npos) << csv->body;
  HttpRequest accept = Get();
  accept.headers["Accept"] = "text/csv";
  EXPECT_EQ(api.Handle(accept)->body, csv->body);
}

TEST_F(QualityApiTest, OnlyLoopbackWithoutCredentialsAndSignedRequestsWithThem) {
  QualityApi open(quality_, meetings_, config_);
  EXPECT_EQ(open.Handle(Get("", false))->status, 403);
  Config withKeys = config_;
  withKeys.awsAccessKeyId = "AKIDTEST";
  withKeys.awsSecretAccessKey = "secret";
  QualityApi keyed(quality_, meetings_, withKeys);
  EXPECT_EQ(keyed.Handle(Get("", false))->status, 401);  // unsigned
  EXPECT_EQ(keyed.Handle(Get("", true))->status, 200);   // loopback is trusted
}

TEST_F(QualityApiTest, UnknownMeetingsAndOtherPaths) {
  QualityApi api(quality_, meetings_, config_);
  HttpRequest r = Get();
  r.path = "/api/meetings/nope/quality";
  EXPECT_EQ(api.Handle(r)->status, 404);
  r.path = "/api/meetings/a/b/quality";
  EXPECT_EQ(api.Handle(r)->status, 404);
  r.path = "/api/roster/x";
  EXPECT_FALSE(api.Handle(r));
  r = Get();
  r.method = "POST";
  EXPECT_EQ(api.Handle(r)->status, 405);
}

}  // namespace
}  // namespace medicall::quality
