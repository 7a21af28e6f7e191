#include <gtest/gtest.h>

#include "common/Config.hpp"

using namespace medicall;

TEST(ConfigTest, ParsesDotEnvLines) {
  const auto kv =
      ParseDotEnv("# comment\n\nPORT=4000\nexport AWS_REGION = eu-west-1\nX=\"a b\" \nY=1 # trailing\n");
  ASSERT_EQ(kv.size(), 4u);
  EXPECT_EQ(kv[0], (std::pair<std::string, std::string>{"PORT", "4000"}));
  EXPECT_EQ(kv[1], (std::pair<std::string, std::string>{"AWS_REGION", "eu-west-1"}));
  EXPECT_EQ(kv[2].second, "a b");
  EXPECT_EQ(kv[3].second, "1");
}

TEST(ConfigTest, FlagsOverrideDefaults) {
  Config c;
  std::string err;
  bool help = false;
  const char* argv[] = {"medicall", "--port", "5005", "--media-port=41000", "--enable-test-echo"};
  ASSERT_TRUE(LoadConfig(5, const_cast<char**>(argv), c, err, help)) << err;
  EXPECT_EQ(c.port, 5005);
  EXPECT_EQ(c.mediaPort, 41000);
  EXPECT_TRUE(c.testEcho);
  EXPECT_FALSE(help);
}

TEST(ConfigTest, RejectsBadValuesAndUnknownFlags) {
  Config c;
  std::string err;
  bool help = false;
  const char* bad[] = {"medicall", "--port", "70000"};
  EXPECT_FALSE(LoadConfig(3, const_cast<char**>(bad), c, err, help));
  EXPECT_NE(err.find("port"), std::string::npos);
  const char* unknown[] = {"medicall", "--frobnicate"};
  EXPECT_FALSE(LoadConfig(2, const_cast<char**>(unknown), c, err, help));
  const char* helpArgs[] = {"medicall", "--help"};
  EXPECT_TRUE(LoadConfig(2, const_cast<char**>(helpArgs), c, err, help));
  EXPECT_TRUE(help);
  EXPECT_NE(ConfigHelp().find("MEDICALL_MEDIA_PORT"), std::string::npos);
}
