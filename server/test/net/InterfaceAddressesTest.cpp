#include "net/InterfaceAddresses.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

namespace medicall::net {
namespace {

TEST(InterfaceAddressesTest, ListsNoLoopbackOrLinkLocalAddress) {
  for (const std::string& a : InterfaceAddresses::List(true)) {
    EXPECT_NE(a.rfind("127.", 0), 0u) << a;
    EXPECT_NE(a, "::1");
    EXPECT_NE(a.rfind("169.254.", 0), 0u) << a;
    EXPECT_NE(a.rfind("fe80:", 0), 0u) << a;
  }
}

TEST(InterfaceAddressesTest, Ipv6OnlyWhenAsked) {
  for (const std::string& a : InterfaceAddresses::List(false)) {
    in_addr v4{};
    EXPECT_EQ(inet_pton(AF_INET, a.c_str(), &v4), 1) << a;
  }
}

TEST(InterfaceAddressesTest, CandidatesAddPublicAddressesOnceAndAreNeverEmpty) {
  const auto withExtra = InterfaceAddresses::ForCandidates({"203.0.113.7", "203.0.113.7"}, false);
  EXPECT_EQ(std::count(withExtra.begin(), withExtra.end(), "203.0.113.7"), 1);
  EXPECT_EQ(withExtra.back(), "203.0.113.7");
  const auto plain = InterfaceAddresses::ForCandidates({}, false);
  ASSERT_FALSE(plain.empty());
  if (InterfaceAddresses::List(false).empty()) EXPECT_EQ(plain, std::vector<std::string>{"127.0.0.1"});
}

}  // namespace
}  // namespace medicall::net
