#include "app/ClientAddress.hpp"

#include <gtest/gtest.h>

namespace medicall::app {
namespace {

HttpRequest From(std::string address, bool loopback,
                 std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/meetings";
  r.remoteAddress = std::move(address);
  r.remoteIsLoopback = loopback;
  for (auto& [k, v] : headers) r.headers[k] = v;
  return r;
}

ClientAddress Trusting(const std::string& list, bool behindProxy = false) {
  std::string why;
  auto parsed = ClientAddress::ParseList(list, &why);
  EXPECT_TRUE(parsed) << why;
  return ClientAddress(parsed.value_or(std::vector<ClientAddress::Network>{}), behindProxy);
}

TEST(ClientAddressTest, WithoutTrustedProxiesHeadersAreIgnored) {
  const ClientAddress resolver = Trusting("");
  auto r = From("127.0.0.1", true, {{"x-forwarded-for", "203.0.113.9"}});
  EXPECT_FALSE(resolver.Resolve(r));
  EXPECT_EQ(r.remoteAddress, "127.0.0.1");
  EXPECT_TRUE(r.remoteIsLoopback) << "a direct loopback client is local";
}

TEST(ClientAddressTest, AProxiedRequestIsNeverLoopbackEvenIfTheChainSaysSo) {
  const ClientAddress resolver = Trusting("127.0.0.1");
  auto r = From("127.0.0.1", true, {{"x-forwarded-for", "127.0.0.1"}});
  EXPECT_TRUE(resolver.Resolve(r));
  EXPECT_FALSE(r.remoteIsLoopback);
  auto bare = From("127.0.0.1", true);
  resolver.Resolve(bare);
  EXPECT_FALSE(bare.remoteIsLoopback) << "the proxy itself, with no header, is not a local admin";
}

TEST(ClientAddressTest, TheClientIsTheRightMostUntrustedHop) {
  const ClientAddress resolver = Trusting("127.0.0.1, 10.0.0.0/8");
  // A client may prepend anything; only hops added by our proxies count.
  auto r = From("127.0.0.1", true, {{"x-forwarded-for", "198.51.100.1, 203.0.113.9, 10.1.2.3"}});
  EXPECT_TRUE(resolver.Resolve(r));
  EXPECT_EQ(r.remoteAddress, "203.0.113.9");
}

TEST(ClientAddressTest, ForwardedHeaderRfc7239WinsAndPortsAndBracketsAreStripped) {
  const ClientAddress resolver = Trusting("::1");
  auto r = From("::1", true,
                {{"forwarded", "for=192.0.2.60;proto=https, for=\"[2001:db8:cafe::17]:4711\""},
                 {"x-forwarded-for", "198.51.100.7"}});
  EXPECT_TRUE(resolver.Resolve(r));
  EXPECT_EQ(r.remoteAddress, "2001:db8:cafe::17");
  auto v4 = From("::1", true, {{"forwarded", "for=192.0.2.43:47011"}});
  resolver.Resolve(v4);
  EXPECT_EQ(v4.remoteAddress, "192.0.2.43");
}

TEST(ClientAddressTest, UnknownNodesStopTheChain) {
  const ClientAddress resolver = Trusting("127.0.0.1");
  auto r = From("127.0.0.1", true, {{"forwarded", "for=203.0.113.9, for=unknown"}});
  resolver.Resolve(r);
  EXPECT_EQ(r.remoteAddress, "127.0.0.1") << "the hop behind 'unknown' is not believed";
}

TEST(ClientAddressTest, HeadersFromAnUntrustedPeerAreIgnored) {
  const ClientAddress resolver = Trusting("10.0.0.1");
  auto r = From("203.0.113.50", false, {{"x-forwarded-for", "127.0.0.1"}});
  EXPECT_FALSE(resolver.Resolve(r));
  EXPECT_EQ(r.remoteAddress, "203.0.113.50");
  EXPECT_FALSE(r.remoteIsLoopback);
}

TEST(ClientAddressTest, BehindAPublicUrlLoopbackIsNotTrusted) {
  const ClientAddress resolver = Trusting("", /*behindProxy=*/true);
  auto r = From("127.0.0.1", true);
  resolver.Resolve(r);
  EXPECT_FALSE(r.remoteIsLoopback);
}

TEST(ClientAddressTest, ParsesAddressesAndCidrsAndRejectsJunk) {
  std::string why;
  auto list = ClientAddress::ParseList("127.0.0.1, 10.0.0.0/8, fd00::/8", &why);
  ASSERT_TRUE(list) << why;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_TRUE((*list)[1].Contains("10.200.3.4"));
  EXPECT_FALSE((*list)[1].Contains("11.0.0.1"));
  EXPECT_TRUE((*list)[2].Contains("fd12::1"));
  EXPECT_FALSE((*list)[2].Contains("fe80::1"));
  EXPECT_TRUE((*list)[0].Contains("::ffff:127.0.0.1")) << "IPv4-mapped IPv6 is IPv4";
  for (const char* bad : {"localhost", "10.0.0.0/33", "10.0.0.0/x", "::/129", "1.2.3"}) {
    EXPECT_FALSE(ClientAddress::ParseList(bad, &why)) << bad;
    EXPECT_FALSE(why.empty());
  }
}

}  // namespace
}  // namespace medicall::app
