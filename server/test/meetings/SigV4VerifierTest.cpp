// AWS Signature V4 against AWS's published test suite (aws-sig-v4-test-suite:
// https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html): key AKIDEXAMPLE,
// secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1, service "service".
#include "meetings/SigV4Verifier.hpp"

#include <gtest/gtest.h>

#include "common/ApiError.hpp"

namespace medicall::meetings {
namespace {

constexpr const char* kKey = "AKIDEXAMPLE";
constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr const char* kDate = "20150830T123600Z";
constexpr int64_t kSuiteTime = 1440938160;  // 2015-08-30T12:36:00Z
constexpr const char* kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct Vector {
  const char* name;
  const char* method;
  const char* path;
  const char* query;
  std::vector<std::pair<std::string, std::string>> extraHeaders;
  const char* body;
  std::vector<std::string> signedHeaders;
  const char* signature;
};

HttpRequest MakeRequest(const Vector& v) {
  HttpRequest r;
  r.method = v.method;
  r.rawPath = v.path;
  r.path = v.path;
  r.rawQuery = v.query;
  r.headers["Host"] = "example.amazonaws.com";
  r.headers["X-Amz-Date"] = kDate;
  for (const auto& [k, val] : v.extraHeaders) r.headers[k] = val;
  r.body = v.body;
  return r;
}

std::string AuthorizationFor(const std::vector<std::string>& signedHeaders, const std::string& signature,
                             const std::string& key = kKey,
                             const std::string& scope = "20150830/us-east-1/service") {
  std::string list;
  for (const auto& h : signedHeaders) list += (list.empty() ? "" : ";") + h;
  return "AWS4-HMAC-SHA256 Credential=" + key + "/" + scope + "/aws4_request, SignedHeaders=" + list +
         ", Signature=" + signature;
}

const std::vector<std::string> kBasic = {"host", "x-amz-date"};

const Vector kVectors[] = {
    {"get-vanilla",
     "GET",
     "/",
     "",
     {},
     "",
     kBasic,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"post-vanilla",
     "POST",
     "/",
     "",
     {},
     "",
     kBasic,
     "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
    {"get-vanilla-query-order-key-case",
     "GET",
     "/",
     "Param2=value2&Param1=value1",
     {},
     "",
     kBasic,
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"post-vanilla-query",
     "POST",
     "/",
     "Param1=value1",
     {},
     "",
     kBasic,
     "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"},
    {"post-x-www-form-urlencoded",
     "POST",
     "/",
     "",
     {{"Content-Type", "application/x-www-form-urlencoded"}},
     "Param1=value1",
     {"content-type", "host", "x-amz-date"},
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
    {"post-header-key-case",
     "POST",
     "/",
     "",
     {{"MY-HEADER1", "value1"}},
     "",
     {"host", "my-header1", "x-amz-date"},
     "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
    {"post-header-value-case",
     "POST",
     "/",
     "",
     {{"My-Header1", "VALUE1"}},
     "",
     {"host", "my-header1", "x-amz-date"},
     "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"},
    {"get-header-value-trim",
     "GET",
     "/",
     "",
     {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
     "",
     {"host", "my-header1", "my-header2", "x-amz-date"},
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    // normalize-path: these canonicalise to "/" and so share get-vanilla's signature.
    {"get-slash-dot-slash",
     "GET",
     "/./",
     "",
     {},
     "",
     kBasic,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-relative-relative",
     "GET",
     "/example1/example2/../..",
     "",
     {},
     "",
     kBasic,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get-slash",
     "GET",
     "//",
     "",
     {},
     "",
     kBasic,
     "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
};

TEST(SigV4, GetVanillaCanonicalRequestAndStringToSign) {
  const HttpRequest r = MakeRequest(kVectors[0]);
  const std::string creq = SigV4Verifier::CanonicalRequest(r, kBasic, SigV4Verifier::Sha256Hex(""));
  EXPECT_EQ(creq, std::string("GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                              "host;x-amz-date\n") +
                      kEmptyHash);
  const std::string sts = SigV4Verifier::StringToSign(kDate, "20150830/us-east-1/service/aws4_request", creq);
  EXPECT_EQ(sts,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(SigV4Verifier::Sign(kSecret, "20150830", "us-east-1", "service", sts),
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, QueryOrderStringToSign) {
  const HttpRequest r = MakeRequest(kVectors[2]);
  EXPECT_EQ(SigV4Verifier::CanonicalQuery(r.rawQuery), "Param1=value1&Param2=value2");
  const std::string creq = SigV4Verifier::CanonicalRequest(r, kBasic, kEmptyHash);
  EXPECT_EQ(SigV4Verifier::StringToSign(kDate, "20150830/us-east-1/service/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0");
}

TEST(SigV4, FormUrlencodedCanonicalRequest) {
  const HttpRequest r = MakeRequest(kVectors[4]);
  const std::string hash = SigV4Verifier::Sha256Hex(r.body);
  EXPECT_EQ(hash, "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  const std::string creq = SigV4Verifier::CanonicalRequest(r, {"content-type", "host", "x-amz-date"}, hash);
  EXPECT_EQ(creq,
            "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\n"
            "x-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n"
            "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e");
  EXPECT_EQ(SigV4Verifier::StringToSign(kDate, "20150830/us-east-1/service/aws4_request", creq),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281");
}

TEST(SigV4, SuiteVectorsVerify) {
  const ManualClock clock(1'000'000, kSuiteTime * 1'000'000);
  const SigV4Verifier verifier(kKey, kSecret, "us-east-1", "service", 300, clock);
  for (const auto& v : kVectors) {
    SCOPED_TRACE(v.name);
    HttpRequest r = MakeRequest(v);
    r.headers["Authorization"] = AuthorizationFor(v.signedHeaders, v.signature);
    EXPECT_NO_THROW(verifier.Verify(r));
    // One flipped hex digit of the signature must fail.
    std::string bad = v.signature;
    bad[0] = bad[0] == '0' ? '1' : '0';
    r.headers["Authorization"] = AuthorizationFor(v.signedHeaders, bad);
    EXPECT_THROW(verifier.Verify(r), Forbidden);
  }
}

TEST(SigV4, ParseAuthorizationHeader) {
  SigV4Authorization a;
  ASSERT_TRUE(SigV4Verifier::ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
      "SignedHeaders=host;x-amz-date, Signature=abc",
      a));
  EXPECT_EQ(a.accessKeyId, "AKIDEXAMPLE");
  EXPECT_EQ(a.date, "20150830");
  EXPECT_EQ(a.region, "us-east-1");
  EXPECT_EQ(a.service, "service");
  EXPECT_EQ(a.terminator, "aws4_request");
  EXPECT_EQ(a.signedHeaders, kBasic);
  EXPECT_EQ(a.signature, "abc");
  EXPECT_FALSE(SigV4Verifier::ParseAuthorization(
      "AWS4-HMAC-SHA1 Credential=a/b/c/d/e, SignedHeaders=host, Signature=x", a));
  EXPECT_FALSE(SigV4Verifier::ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=a/b/c, SignedHeaders=host, Signature=x", a));
  EXPECT_FALSE(SigV4Verifier::ParseAuthorization("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=x", a));
  EXPECT_FALSE(SigV4Verifier::ParseAuthorization("Bearer abc", a));
  EXPECT_FALSE(SigV4Verifier::ParseAuthorization("", a));
}

TEST(SigV4, AmzDate) {
  int64_t t = 0;
  ASSERT_TRUE(SigV4Verifier::ParseAmzDate(kDate, t));
  EXPECT_EQ(t, kSuiteTime);
  EXPECT_FALSE(SigV4Verifier::ParseAmzDate("20150830T123600", t));
  EXPECT_FALSE(SigV4Verifier::ParseAmzDate("2015-08-30T12:36:00Z", t));
  EXPECT_FALSE(SigV4Verifier::ParseAmzDate("20151330T123600Z", t));
}

TEST(SigV4, CanonicalUriEncodesAsSentAgain) {
  EXPECT_EQ(SigV4Verifier::CanonicalUri("/meetings/abc-1"), "/meetings/abc-1");
  EXPECT_EQ(SigV4Verifier::CanonicalUri("/a%20b"), "/a%2520b");
  EXPECT_EQ(SigV4Verifier::CanonicalUri("/a/"), "/a/");
  EXPECT_EQ(SigV4Verifier::CanonicalQuery("b=2&a=%20x&a=1"), "a=%20x&a=1&b=2");
  EXPECT_EQ(SigV4Verifier::CanonicalQuery("operation=create-attendees"), "operation=create-attendees");
}

class SigV4VerifyTest : public ::testing::Test {
 protected:
  // A correctly signed post-x-www-form-urlencoded request (with x-amz-content-sha256 signed too).
  HttpRequest Signed(const std::string& secret = kSecret) {
    HttpRequest r = MakeRequest(kVectors[4]);
    r.headers["X-Amz-Content-Sha256"] = SigV4Verifier::Sha256Hex(r.body);
    const std::vector<std::string> signedHeaders = {"content-type", "host", "x-amz-content-sha256",
                                                    "x-amz-date"};
    const std::string creq =
        SigV4Verifier::CanonicalRequest(r, signedHeaders, SigV4Verifier::Sha256Hex(r.body));
    const std::string sts =
        SigV4Verifier::StringToSign(kDate, "20150830/us-east-1/service/aws4_request", creq);
    r.headers["Authorization"] =
        AuthorizationFor(signedHeaders, SigV4Verifier::Sign(secret, "20150830", "us-east-1", "service", sts));
    return r;
  }
  // Sets the clock's wall time to `unixSeconds`.
  void SetNow(int64_t unixSeconds) { clock_.AdvanceUs(unixSeconds * 1'000'000 - clock_.WallNowUs()); }
  ManualClock clock_{1'000'000, kSuiteTime * 1'000'000};
  SigV4Verifier verifier_{kKey, kSecret, "us-east-1", "service", 300, clock_};
};

TEST_F(SigV4VerifyTest, AcceptsGoodSignatureWithContentHash) { EXPECT_NO_THROW(verifier_.Verify(Signed())); }

TEST_F(SigV4VerifyTest, MissingAuthorizationIsUnauthorized) {
  HttpRequest r = Signed();
  r.headers.erase("Authorization");
  try {
    verifier_.Verify(r);
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 401);
    EXPECT_EQ(e.Type(), "UnauthorizedException");
  }
}

TEST_F(SigV4VerifyTest, WrongSecretIsForbidden) {
  try {
    verifier_.Verify(Signed("not-the-secret"));
    FAIL();
  } catch (const ApiError& e) {
    EXPECT_EQ(e.Status(), 403);
    EXPECT_EQ(e.Type(), "ForbiddenException");
  }
}

TEST_F(SigV4VerifyTest, UnknownAccessKeyIsForbidden) {
  HttpRequest r = Signed();
  std::string& auth = r.headers["Authorization"];
  auth.replace(auth.find("AKIDEXAMPLE"), 11, "AKIDOTHER00");
  EXPECT_THROW(verifier_.Verify(r), Forbidden);
}

TEST_F(SigV4VerifyTest, TamperedBodyIsForbidden) {
  HttpRequest r = Signed();
  r.body = "Param1=value2";
  EXPECT_THROW(verifier_.Verify(r), Forbidden);
  r.headers["X-Amz-Content-Sha256"] = SigV4Verifier::Sha256Hex(r.body);  // hash matches, signature does not
  EXPECT_THROW(verifier_.Verify(r), Forbidden);
}

TEST_F(SigV4VerifyTest, ClockSkewWindow) {
  SetNow(kSuiteTime + 299);
  EXPECT_NO_THROW(verifier_.Verify(Signed()));
  SetNow(kSuiteTime + 301);
  EXPECT_THROW(verifier_.Verify(Signed()), Forbidden);
  SetNow(kSuiteTime - 301);
  EXPECT_THROW(verifier_.Verify(Signed()), Forbidden);
}

TEST_F(SigV4VerifyTest, WrongScopeIsForbidden) {
  const SigV4Verifier chime(kKey, kSecret, "us-east-1", "chime", 300, clock_);
  EXPECT_THROW(chime.Verify(Signed()), Forbidden);
  const SigV4Verifier otherRegion(kKey, kSecret, "eu-west-1", "service", 300, clock_);
  EXPECT_THROW(otherRegion.Verify(Signed()), Forbidden);
}

TEST_F(SigV4VerifyTest, SignedHeaderMustBePresentAndHostSigned) {
  HttpRequest r = Signed();
  r.headers.erase("Content-Type");
  EXPECT_THROW(verifier_.Verify(r), Forbidden);
  HttpRequest noHost = MakeRequest(kVectors[0]);
  noHost.headers["Authorization"] = AuthorizationFor({"x-amz-date"}, "00");
  EXPECT_THROW(verifier_.Verify(noHost), Forbidden);
}

TEST_F(SigV4VerifyTest, MissingDateIsForbidden) {
  HttpRequest r = Signed();
  r.headers.erase("X-Amz-Date");
  EXPECT_THROW(verifier_.Verify(r), Forbidden);
}

}  // namespace
}  // namespace medicall::meetings
