#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

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

TEST(ConfigTest, PublicIpIsAListOfAddresses) {
  Config c;
  std::string err;
  bool help = false;
  const char* argv[] = {"medicall", "--public-ip", "203.0.113.7, 2001:db8::1"};
  ASSERT_TRUE(LoadConfig(3, const_cast<char**>(argv), c, err, help)) << err;
  EXPECT_EQ(c.PublicIps(), (std::vector<std::string>{"203.0.113.7", "2001:db8::1"}));
  EXPECT_EQ(c.MediaAddresses(), c.PublicIps());
  EXPECT_EQ(c.PrimaryMediaAddress(), "203.0.113.7");
  Config d;
  const char* bad[] = {"medicall", "--public-ip", "203.0.113.7,clinic.example.org"};
  EXPECT_FALSE(LoadConfig(3, const_cast<char**>(bad), d, err, help));
  EXPECT_NE(err.find("public-ip"), std::string::npos);
  Config none;
  EXPECT_EQ(none.MediaAddresses(), std::vector<std::string>{"127.0.0.1"});
}

TEST(ConfigTest, MediaTcpPortDefaultsToTheUdpPortAndZeroTurnsItOff) {
  Config c;
  EXPECT_EQ(c.mediaTcpPort, -1);
  std::string err;
  bool help = false;
  const char* off[] = {"medicall", "--media-tcp-port", "0"};
  ASSERT_TRUE(LoadConfig(3, const_cast<char**>(off), c, err, help)) << err;
  EXPECT_EQ(c.mediaTcpPort, 0);
  const char* empty[] = {"medicall", "--media-tcp-port="};
  ASSERT_TRUE(LoadConfig(2, const_cast<char**>(empty), c, err, help)) << err;
  EXPECT_EQ(c.mediaTcpPort, -1);
}

TEST(ConfigTest, TheExampleEnvFileLoads) {
  // Every line of .env.example must be a value the server accepts (people copy it to .env).
  std::ifstream in(std::string(MEDICALL_TEST_DATA) + "/../../../.env.example");
  ASSERT_TRUE(in) << "no .env.example";
  std::stringstream text;
  text << in.rdbuf();
  const auto entries = ParseDotEnv(text.str());
  ASSERT_GT(entries.size(), 20u);
  std::vector<std::string> set;
  for (const auto& [k, v] : entries) {
    if (std::getenv(k.c_str()) != nullptr) continue;
    setenv(k.c_str(), v.c_str(), 1);
    set.push_back(k);
  }
  Config c;
  std::string err;
  bool help = false;
  const char* argv[] = {"medicall"};
  const bool ok = LoadConfig(1, const_cast<char**>(argv), c, err, help);
  for (const auto& k : set) unsetenv(k.c_str());
  EXPECT_TRUE(ok) << err;
}

TEST(ConfigTest, PublicUrlMustBeABaseUrl) {
  std::string err;
  bool help = false;
  Config c;
  const char* ok[] = {"medicall", "--public-url", "https://clinic.example.org/"};
  ASSERT_TRUE(LoadConfig(3, const_cast<char**>(ok), c, err, help)) << err;
  EXPECT_EQ(c.PublicUrlScheme(), "https");
  EXPECT_EQ(c.PublicUrlAuthority(), "clinic.example.org");
  for (const char* bad : {"clinic.example.org", "ftp://x", "https://", "https://x/path", "https://a b"}) {
    Config d;
    const char* argv[] = {"medicall", "--public-url", bad};
    EXPECT_FALSE(LoadConfig(3, const_cast<char**>(argv), d, err, help)) << bad;
    EXPECT_NE(err.find("public-url"), std::string::npos);
  }
}

TEST(ConfigTest, ClusterAndAwsModeSettings) {
  Config c;
  std::string err;
  bool help = false;
  const char* ok[] = {"medicall",
                      "--redis-url",
                      "redis://:pw@10.0.0.5:6380/1",
                      "--node-id",
                      "node-a",
                      "--node-url",
                      "http://10.0.0.7:3001",
                      "--drain-timeout",
                      "30",
                      "--chime-endpoint",
                      "https://meetings-chime.us-east-1.amazonaws.com"};
  ASSERT_TRUE(LoadConfig(11, const_cast<char**>(ok), c, err, help)) << err;
  EXPECT_EQ(c.redisUrl, "redis://:pw@10.0.0.5:6380/1");  // parsed (with its reasons) at start-up
  EXPECT_EQ(c.nodeId, "node-a");
  EXPECT_EQ(c.nodeUrl, "http://10.0.0.7:3001");
  EXPECT_EQ(c.drainTimeoutSeconds, 30);
  EXPECT_EQ(c.chimeEndpoint, "https://meetings-chime.us-east-1.amazonaws.com");
  EXPECT_EQ(Config().drainTimeoutSeconds, 300);
  for (const auto& [flag, bad] : std::vector<std::pair<const char*, const char*>>{
           {"--node-url", "https://10.0.0.7:3001"},  // node to node is plain HTTP
           {"--node-url", "10.0.0.7:3001"},
           {"--node-id", "has space"},
           {"--drain-timeout", "-1"},
           {"--chime-endpoint", "ftp://x"}}) {
    Config d;
    const char* argv[] = {"medicall", flag, bad};
    EXPECT_FALSE(LoadConfig(3, const_cast<char**>(argv), d, err, help)) << flag << " " << bad;
  }
}
