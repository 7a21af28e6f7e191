#include <gtest/gtest.h>

#include "common/HttpTypes.hpp"

#include <nlohmann/json.hpp>

using namespace medicall;

TEST(HttpTypesTest, PercentDecoding) {
  EXPECT_EQ(PercentDecode("a%20b", false), "a b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_FALSE(PercentDecode("%", false));
  EXPECT_FALSE(PercentDecode("%2", false));
  EXPECT_FALSE(PercentDecode("%zz", false));
}

TEST(HttpTypesTest, QueryParsing) {
  auto q = ParseQuery("next-token=abc%3D&max-results=5&&flag");
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 3u);
  EXPECT_EQ((*q)[0].second, "abc=");
  EXPECT_EQ((*q)[1].first, "max-results");
  EXPECT_EQ((*q)[2].first, "flag");
  EXPECT_EQ((*q)[2].second, "");
  EXPECT_FALSE(ParseQuery("a=%G0"));
}

TEST(HttpTypesTest, HeadersAreCaseInsensitiveAndAwsErrorsCarryType) {
  HttpRequest r;
  r.headers["Content-Type"] = "application/json";
  ASSERT_NE(r.Header("content-type"), nullptr);
  EXPECT_EQ(*r.Header("CONTENT-TYPE"), "application/json");
  auto e = HttpResponse::AwsError(404, "NotFoundException", "no such meeting");
  EXPECT_EQ(e.status, 404);
  bool found = false;
  for (auto& [k, v] : e.headers) found |= (k == "x-amzn-errortype" && v == "NotFoundException");
  EXPECT_TRUE(found);
  EXPECT_NE(e.body.find("\"Code\":\"NotFoundException\""), std::string::npos);
}

// Found by api_fuzzer: a message echoing a percent-decoded path that is not UTF-8 (PATCH /meetings/%FF)
// made json::dump throw type_error.316 out of the handler, and the client got a 500.
TEST(HttpTypesTest, JsonFromRequestDataThatIsNotUtf8IsSerialisedWithReplacements) {
  HttpResponse r;
  ASSERT_NO_THROW(
      r = HttpResponse::AwsError(404, "UnknownOperationException", "No operation matches /\xFF."));
  EXPECT_EQ(r.status, 404);
  const auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["Message"], "No operation matches /\xEF\xBF\xBD.");  // U+FFFD
  EXPECT_EQ(DumpJson(nlohmann::json{{"a", "ok\xC3"}}), "{\"a\":\"ok\xEF\xBF\xBD\"}");
  EXPECT_EQ(HttpResponse::FromJson(200, nlohmann::json{{"a", 1}}).body, R"({"a":1})");
}
