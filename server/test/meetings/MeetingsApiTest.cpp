#include "meetings/MeetingsApi.hpp"

#include <gtest/gtest.h>
#include <strings.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "meetings/IdGenerator.hpp"
#include "meetings/TempDir.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::meetings {
namespace {

using nlohmann::json;

std::string HeaderOf(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
  return "";
}

class MeetingsApiTest : public ::testing::Test {
 protected:
  MeetingsApiTest() : store_(dir_.Path()) {
    config_.mediaPort = 40123;
    config_.publicIp = "10.0.0.5";
    config_.maxAttendees = 3;
    service_ = std::make_unique<MeetingsService>(store_, config_);
    api_ = std::make_unique<MeetingsApi>(*service_, config_);
  }

  static HttpRequest Request(const std::string& method, const std::string& path,
                             const std::string& query = "", const std::string& body = "") {
    HttpRequest r;
    r.method = method;
    r.path = path;
    r.rawPath = path;
    r.rawQuery = query;
    r.target = path + (query.empty() ? "" : "?" + query);
    r.query = ParseQuery(query).value();
    r.body = body;
    r.headers["Host"] = "127.0.0.1:3001";
    r.headers["Content-Type"] = "application/json";
    r.remoteIsLoopback = true;
    r.remoteAddress = "127.0.0.1";
    return r;
  }

  HttpResponse Call(const HttpRequest& r) {
    auto response = api_->Handle(r);
    EXPECT_TRUE(response.has_value());
    return response.value_or(HttpResponse{});
  }

  json CreateMeeting(const std::string& extra = "") {
    const auto r =
        Call(Request("POST", "/meetings", "",
                     R"({"ClientRequestToken":"tok-)" + std::to_string(counter_++) +
                         R"(","MediaRegion":"us-east-1","ExternalMeetingId":"room-1")" + extra + "}"));
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["Meeting"];
  }

  void ExpectAwsError(const HttpResponse& r, int status, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(HeaderOf(r, "x-amzn-errortype"), type);
    const json body = json::parse(r.body);
    EXPECT_EQ(body["Code"], type);
    EXPECT_TRUE(body["Message"].is_string());
  }

  testing::TempDir dir_;
  Config config_;
  store::SqliteStore store_;
  std::unique_ptr<MeetingsService> service_;
  std::unique_ptr<MeetingsApi> api_;
  int counter_ = 0;
};

TEST_F(MeetingsApiTest, IgnoresOtherPaths) {
  EXPECT_FALSE(api_->Handle(Request("GET", "/")));
  EXPECT_FALSE(api_->Handle(Request("POST", "/join")));
  EXPECT_FALSE(api_->Handle(Request("GET", "/meetingsx")));
}

TEST_F(MeetingsApiTest, CreateMeetingShape) {
  const json m = CreateMeeting(
      R"(,"MeetingHostId":"host-7","MeetingFeatures":{"Audio":{"EchoReduction":"AVAILABLE"}},"Tags":[{"Key":"a","Value":"b"}])");
  const std::string id = m["MeetingId"];
  EXPECT_TRUE(IdGenerator::IsUuid(id));
  EXPECT_EQ(m["ExternalMeetingId"], "room-1");
  EXPECT_EQ(m["MediaRegion"], "us-east-1");
  EXPECT_EQ(m["MeetingHostId"], "host-7");
  EXPECT_EQ(m["MeetingFeatures"]["Audio"]["EchoReduction"], "AVAILABLE");
  EXPECT_EQ(m["MeetingArn"], "arn:aws:chime:us-east-1:000000000000:meeting/" + id);
  const json& mp = m["MediaPlacement"];
  EXPECT_EQ(mp["SignalingUrl"], "ws://127.0.0.1:3001/control/" + id);
  EXPECT_EQ(mp["AudioHostUrl"], "10.0.0.5:40123");
  EXPECT_EQ(mp["EventIngestionUrl"], "http://127.0.0.1:3001/events");
  EXPECT_EQ(mp["AudioFallbackUrl"], "ws://127.0.0.1:3001/calls/" + id);
  EXPECT_EQ(mp["TurnControlUrl"], "http://127.0.0.1:3001/v2/turn_sessions");
  for (const char* key : {"ScreenDataUrl", "ScreenSharingUrl", "ScreenViewingUrl"})
    EXPECT_NE(mp[key].get<std::string>().find(id), std::string::npos) << key;
  EXPECT_FALSE(m.contains("Tags"));  // AWS does not echo tags
}

TEST_F(MeetingsApiTest, PublicHostOverridesHostHeader) {
  config_.publicHost = "meet.example.org:8443";
  const json m = CreateMeeting();
  EXPECT_EQ(m["MediaPlacement"]["SignalingUrl"],
            "ws://meet.example.org:8443/control/" + m["MeetingId"].get<std::string>());
}

TEST_F(MeetingsApiTest, HostileHostHeaderFallsBackToPublicIp) {
  auto r = Request("POST", "/meetings", "", R"({"MediaRegion":"us-east-1","ExternalMeetingId":"room-1"})");
  r.headers["Host"] = "evil.com/x?y";
  const json m = json::parse(Call(r).body)["Meeting"];
  EXPECT_EQ(m["MediaPlacement"]["SignalingUrl"],
            "ws://10.0.0.5:3001/control/" + m["MeetingId"].get<std::string>());
}

TEST_F(MeetingsApiTest, AttendeeOperations) {
  const std::string id = CreateMeeting()["MeetingId"];
  auto r = Call(Request("POST", "/meetings/" + id + "/attendees", "", R"({"ExternalUserId":"alice"})"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json a = json::parse(r.body)["Attendee"];
  EXPECT_EQ(a["ExternalUserId"], "alice");
  EXPECT_EQ(a["Capabilities"]["Audio"], "SendReceive");
  EXPECT_EQ(a["JoinToken"].get<std::string>().size(), 43u);
  const std::string aid = a["AttendeeId"];

  r = Call(Request("GET", "/meetings/" + id + "/attendees/" + aid));
  EXPECT_EQ(r.status, 200);
  json withoutToken = a;
  withoutToken.erase("JoinToken");  // returned once, at creation
  EXPECT_EQ(json::parse(r.body)["Attendee"], withoutToken);

  r = Call(Request("POST", "/meetings/" + id + "/attendees", "operation=batch-create",
                   R"({"Attendees":[{"ExternalUserId":"bob"},{"ExternalUserId":"c"}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json batch = json::parse(r.body);
  EXPECT_EQ(batch["Attendees"].size(), 1u);
  EXPECT_EQ(batch["Errors"].size(), 1u);
  EXPECT_EQ(batch["Errors"][0]["ExternalUserId"], "c");

  r = Call(Request("GET", "/meetings/" + id + "/attendees", "max-results=1"));
  const json page = json::parse(r.body);
  EXPECT_EQ(page["Attendees"].size(), 1u);
  ASSERT_TRUE(page.contains("NextToken"));
  r = Call(Request("GET", "/meetings/" + id + "/attendees",
                   "max-results=1&next-token=" + page["NextToken"].get<std::string>()));
  const json page2 = json::parse(r.body);
  EXPECT_EQ(page2["Attendees"][0]["ExternalUserId"], "bob");
  EXPECT_FALSE(page2.contains("NextToken"));

  r = Call(Request("DELETE", "/meetings/" + id + "/attendees/" + aid));
  EXPECT_EQ(r.status, 204);
  EXPECT_TRUE(r.body.empty());
  ExpectAwsError(Call(Request("GET", "/meetings/" + id + "/attendees/" + aid)), 404, "NotFoundException");

  r = Call(Request("DELETE", "/meetings/" + id));
  EXPECT_EQ(r.status, 204);
  ExpectAwsError(Call(Request("GET", "/meetings/" + id)), 404, "NotFoundException");
}

TEST_F(MeetingsApiTest, CreateMeetingWithAttendeesShape) {
  const auto r = Call(Request(
      "POST", "/meetings", "operation=create-attendees",
      R"({"MediaRegion":"us-east-1","ExternalMeetingId":"room-9","Attendees":[{"ExternalUserId":"alice"},{"ExternalUserId":"bob","Capabilities":{"Audio":"SendReceive","Video":"None","Content":"Receive"}}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = json::parse(r.body);
  EXPECT_EQ(body["Meeting"]["ExternalMeetingId"], "room-9");
  ASSERT_EQ(body["Attendees"].size(), 2u);
  EXPECT_EQ(body["Attendees"][1]["Capabilities"]["Video"], "None");
  EXPECT_TRUE(body["Errors"].is_array());
}

TEST_F(MeetingsApiTest, Errors) {
  ExpectAwsError(Call(Request("POST", "/meetings", "", "{not json")), 400, "BadRequestException");
  ExpectAwsError(Call(Request("POST", "/meetings", "", "[1]")), 400, "BadRequestException");
  ExpectAwsError(Call(Request("POST", "/meetings", "", R"({"MediaRegion":"us-east-1"})")), 400,
                 "BadRequestException");
  ExpectAwsError(Call(Request("POST", "/meetings", "", R"({"MediaRegion":1,"ExternalMeetingId":"ab"})")), 400,
                 "BadRequestException");
  ExpectAwsError(Call(Request("GET", "/meetings/" + IdGenerator::NewUuid())), 404, "NotFoundException");
  ExpectAwsError(Call(Request("GET", "/meetings/not-a-uuid")), 400, "BadRequestException");
  const std::string id = CreateMeeting()["MeetingId"];
  ExpectAwsError(Call(Request("GET", "/meetings/" + id + "/attendees", "max-results=0")), 400,
                 "BadRequestException");
  ExpectAwsError(Call(Request("GET", "/meetings/" + id + "/attendees", "max-results=abc")), 400,
                 "BadRequestException");
  ExpectAwsError(Call(Request("GET", "/meetings/" + id + "/attendees", "next-token=zzz")), 400,
                 "BadRequestException");
  ExpectAwsError(Call(Request("POST", "/meetings/" + id + "/attendees", "", R"({"ExternalUserId":"x"})")),
                 400, "BadRequestException");
  ExpectAwsError(
      Call(Request(
          "POST", "/meetings/" + id + "/attendees", "",
          R"({"ExternalUserId":"xy","Capabilities":{"Audio":"Loud","Video":"None","Content":"None"}})")),
      400, "BadRequestException");
  for (const char* u : {"u1", "u2", "u3"})
    Call(Request("POST", "/meetings/" + id + "/attendees", "",
                 std::string(R"({"ExternalUserId":")") + u + "\"}"));
  ExpectAwsError(Call(Request("POST", "/meetings/" + id + "/attendees", "", R"({"ExternalUserId":"u4"})")),
                 429, "LimitExceededException");
  ExpectAwsError(Call(Request("PUT", "/meetings/" + id)), 404, "UnknownOperationException");
  ExpectAwsError(Call(Request("GET", "/meetings/" + id + "/other")), 404, "UnknownOperationException");
  const auto r = Call(Request("GET", "/meetings/" + id));
  EXPECT_FALSE(HeaderOf(r, "x-amzn-RequestId").empty());
}

// Found by api_fuzzer (corpus/api_fuzzer/crash-unknown-operation-invalid-utf8-path.txt): the error echoes
// the decoded path, which need not be UTF-8; serialising it threw and the application answered 500.
TEST_F(MeetingsApiTest, UnknownOperationOnAPathThatIsNotUtf8IsA404) {
  auto r = Request("PATCH", "/meetings/\xFF");
  r.rawPath = "/meetings/%FF";
  r.target = r.rawPath;
  ExpectAwsError(Call(r), 404, "UnknownOperationException");
  ExpectAwsError(Call(Request("GET", "/meetings/\xFF\xFE")), 400, "BadRequestException");  // not a meeting id
}

TEST_F(MeetingsApiTest, WithoutCredentialsOnlyLoopback) {
  auto r = Request("POST", "/meetings", "", R"({"MediaRegion":"us-east-1","ExternalMeetingId":"room-1"})");
  r.remoteIsLoopback = false;
  r.remoteAddress = "192.0.2.7";
  ExpectAwsError(Call(r), 403, "ForbiddenException");
  EXPECT_EQ(service_->Stats().activeMeetings, 0);
}

TEST_F(MeetingsApiTest, WithCredentialsRequiresChimeSigV4) {
  Config config = config_;
  config.awsAccessKeyId = "AKIDTEST";
  config.awsSecretAccessKey = "secret/key";
  const int64_t now = 1'700'000'000;
  const ManualClock clock(1'000'000, now * 1'000'000);
  MeetingsApi api(*service_, config, clock);

  auto sign = [&](HttpRequest r, const std::string& secret) {
    int64_t t = now;
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char date[17];
    std::strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", &tm);
    r.headers["X-Amz-Date"] = date;
    const std::vector<std::string> signedHeaders = {"content-type", "host", "x-amz-date"};
    const std::string payload = SigV4Verifier::Sha256Hex(r.body);
    const std::string day = std::string(date, 8);
    const std::string scope = day + "/us-east-1/chime/aws4_request";
    const std::string sts =
        SigV4Verifier::StringToSign(date, scope, SigV4Verifier::CanonicalRequest(r, signedHeaders, payload));
    r.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDTEST/" + scope +
                                 ", SignedHeaders=content-type;host;x-amz-date, Signature=" +
                                 SigV4Verifier::Sign(secret, day, "us-east-1", "chime", sts);
    return r;
  };
  auto req = Request("POST", "/meetings", "", R"({"MediaRegion":"us-east-1","ExternalMeetingId":"room-1"})");
  req.remoteIsLoopback = false;
  EXPECT_EQ(api.Handle(sign(req, "secret/key"))->status, 200);
  ExpectAwsError(*api.Handle(sign(req, "wrong")), 403, "ForbiddenException");
  ExpectAwsError(*api.Handle(req), 401, "UnauthorizedException");
  req.remoteIsLoopback = true;  // loopback does not bypass a configured key
  ExpectAwsError(*api.Handle(req), 401, "UnauthorizedException");
  EXPECT_EQ(service_->Stats().activeMeetings, 1);
}

}  // namespace
}  // namespace medicall::meetings
