#include <gtest/gtest.h>

#include "common/HttpTypes.hpp"

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
