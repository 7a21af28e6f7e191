#include "signaling/DataMessageValidator.hpp"

#include <gtest/gtest.h>

#include <string>

namespace medicall::signaling {
namespace {

proto::SdkDataMessagePayload Payload(std::string topic, size_t dataSize, uint32_t lifetimeMs = 0) {
  proto::SdkDataMessagePayload p;
  p.set_topic(std::move(topic));
  p.set_data(std::string(dataSize, 'x'));
  if (lifetimeMs) p.set_lifetime_ms(lifetimeMs);
  return p;
}

// The SDK's TOPIC_REGEX: ^[a-zA-Z0-9_-]{1,36}$
TEST(DataMessageValidatorTest, TopicsTheSdkAccepts) {
  for (const char* topic :
       {"a", "chat", "Chat_Room-1", "0123456789", "_", "-", "abcdefghijklmnopqrstuvwxyz0123456789"})
    EXPECT_TRUE(DataMessageValidator::IsValidTopic(topic)) << topic;
}

TEST(DataMessageValidatorTest, TopicsTheSdkRefuses) {
  for (const char* topic : {"", "abcdefghijklmnopqrstuvwxyz01234567890", "with space", "dot.ted", "slash/",
                            "caf\xc3\xa9", "new\nline", "tab\t", "emoji\xf0\x9f\x98\x80"})
    EXPECT_FALSE(DataMessageValidator::IsValidTopic(topic)) << topic;
  EXPECT_FALSE(DataMessageValidator::IsValidTopic(std::string("nul\0", 4)));
}

TEST(DataMessageValidatorTest, DataUpTo2048Bytes) {
  EXPECT_FALSE(DataMessageValidator::Check(Payload("t", 0)));
  EXPECT_FALSE(DataMessageValidator::Check(Payload("t", 2048)));
  EXPECT_TRUE(DataMessageValidator::Check(Payload("t", 2049)));
}

TEST(DataMessageValidatorTest, LifetimeUpToFiveMinutes) {
  EXPECT_FALSE(DataMessageValidator::Check(Payload("t", 1, 300'000)));
  EXPECT_TRUE(DataMessageValidator::Check(Payload("t", 1, 300'001)));
}

TEST(DataMessageValidatorTest, ReportsTheReason) {
  EXPECT_EQ(DataMessageValidator::Check(Payload("bad topic", 1)).value_or(""), "invalid topic");
  EXPECT_EQ(DataMessageValidator::Check(Payload("t", 4096)).value_or(""), "data larger than 2048 bytes");
}

}  // namespace
}  // namespace medicall::signaling
