#include "meetings/RequestValidator.hpp"

#include <gtest/gtest.h>

#include "common/ApiError.hpp"

namespace medicall::meetings {
namespace {

TEST(RequestValidator, Utf8Length) {
  EXPECT_EQ(RequestValidator::Utf8Length(""), 0);
  EXPECT_EQ(RequestValidator::Utf8Length("abc"), 3);
  EXPECT_EQ(RequestValidator::Utf8Length("Zo\xc3\xab"), 3);        // Zoë
  EXPECT_EQ(RequestValidator::Utf8Length("\xe6\x9d\x8e"), 1);      // 李
  EXPECT_EQ(RequestValidator::Utf8Length("\xf0\x9f\x98\x80"), 1);  // emoji
  EXPECT_EQ(RequestValidator::Utf8Length("\xc3"), -1);             // truncated
  EXPECT_EQ(RequestValidator::Utf8Length("\xc0\xaf"), -1);         // overlong
  EXPECT_EQ(RequestValidator::Utf8Length("\xed\xa0\x80"), -1);     // surrogate
  EXPECT_EQ(RequestValidator::Utf8Length("\xff"), -1);
}

TEST(RequestValidator, ExternalIds) {
  EXPECT_FALSE(RequestValidator::IsValidExternalId(""));
  EXPECT_FALSE(RequestValidator::IsValidExternalId("a"));
  EXPECT_TRUE(RequestValidator::IsValidExternalId("ab"));
  EXPECT_TRUE(RequestValidator::IsValidExternalId(std::string(64, 'x')));
  EXPECT_FALSE(RequestValidator::IsValidExternalId(std::string(65, 'x')));
  EXPECT_TRUE(RequestValidator::IsValidExternalId("Dr. Zo\xc3\xab M\xc3\xbcller"));
  EXPECT_FALSE(RequestValidator::IsValidExternalId("bad\nname"));
  EXPECT_FALSE(RequestValidator::IsValidExternalId("\xff\xfe"));
  EXPECT_THROW(RequestValidator::CheckExternalUserId("x"), BadRequest);
  EXPECT_NO_THROW(RequestValidator::CheckExternalUserId("alice"));
}

TEST(RequestValidator, ClientRequestTokenAndRegion) {
  EXPECT_TRUE(RequestValidator::IsValidClientRequestToken("abc-123_X"));
  EXPECT_FALSE(RequestValidator::IsValidClientRequestToken("a"));
  EXPECT_FALSE(RequestValidator::IsValidClientRequestToken("has space"));
  EXPECT_FALSE(RequestValidator::IsValidClientRequestToken(std::string(65, 'a')));
  EXPECT_TRUE(RequestValidator::IsValidMediaRegion("us-east-1"));
  EXPECT_FALSE(RequestValidator::IsValidMediaRegion(""));
  EXPECT_FALSE(RequestValidator::IsValidMediaRegion("US-EAST-1"));
  EXPECT_THROW(RequestValidator::CheckMediaRegion("x"), BadRequest);
}

TEST(RequestValidator, Capabilities) {
  for (const char* ok : {"SendReceive", "Send", "Receive", "None"})
    EXPECT_TRUE(RequestValidator::IsValidCapability(ok));
  EXPECT_FALSE(RequestValidator::IsValidCapability("sendreceive"));
  EXPECT_FALSE(RequestValidator::IsValidCapability(""));
  EXPECT_THROW(RequestValidator::CheckCapability("All", "Audio"), BadRequest);
}

}  // namespace
}  // namespace medicall::meetings
