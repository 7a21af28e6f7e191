#include "webrtc/sdp/LocalCandidates.hpp"

#include <gtest/gtest.h>

#include <set>

#include "SdpTestUtil.hpp"
#include "webrtc/sdp/AnswerBuilder.hpp"
#include "webrtc/sdp/SdpParser.hpp"

namespace medicall::webrtc::sdp {
namespace {

TEST(LocalCandidatesTest, UdpAndPassiveTcpPerAddress) {
  const auto c = LocalCandidates::Build({"192.0.2.10", "2001:db8::5"}, 40000, 40001);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].transport, "udp");
  EXPECT_EQ(c[0].address, "192.0.2.10");
  EXPECT_EQ(c[0].port, 40000);
  EXPECT_EQ(c[0].type, "host");
  EXPECT_EQ(c[1].transport, "udp");
  EXPECT_EQ(c[1].address, "2001:db8::5");
  EXPECT_EQ(c[2].transport, "tcp");
  EXPECT_EQ(c[2].tcpType, "passive");
  EXPECT_EQ(c[2].port, 40001);
  EXPECT_EQ(c[3].address, "2001:db8::5");
}

TEST(LocalCandidatesTest, EveryUdpCandidateOutranksEveryTcpOne) {
  const auto c = LocalCandidates::Build({"192.0.2.10", "192.0.2.11", "192.0.2.12"}, 1, 2);
  uint32_t lowestUdp = UINT32_MAX;
  uint32_t highestTcp = 0;
  for (const auto& x : c) {
    if (x.transport == "udp") lowestUdp = std::min(lowestUdp, x.priority);
    if (x.transport == "tcp") highestTcp = std::max(highestTcp, x.priority);
  }
  EXPECT_GT(lowestUdp, highestTcp);
  EXPECT_GT(c[0].priority, c[1].priority) << "earlier addresses are preferred";
}

TEST(LocalCandidatesTest, PriorityFollowsRfc8445Formula) {
  // host (126), local preference 65535, component 1.
  EXPECT_EQ(LocalCandidates::Priority(126, 65535, 1), 2130706431u);
  // Passive TCP host candidate, first address: local preference 2^13 * 4 + 8191.
  const auto c = LocalCandidates::Build({"192.0.2.10"}, 1, 2);
  EXPECT_EQ(c[1].priority, (126u << 24) + ((4u << 13) + 8191u) * 256u + 255u);
}

TEST(LocalCandidatesTest, FoundationsDifferByAddressAndProtocol) {
  const auto c = LocalCandidates::Build({"192.0.2.10", "192.0.2.11"}, 1, 2);
  std::set<std::string> foundations;
  for (const auto& x : c) foundations.insert(x.foundation);
  EXPECT_EQ(foundations.size(), c.size());
}

TEST(LocalCandidatesTest, NoTcpPortNoTcpCandidates) {
  const auto c = LocalCandidates::Build({"192.0.2.10"}, 40000, 0);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].transport, "udp");
}

TEST(LocalCandidatesTest, AnAnswerCarriesEveryCandidateAndParsesBack) {
  AnswerOptions o;
  o.iceUfrag = "srvU";
  o.icePwd = "serverpasswordserverpw";
  o.fingerprintSha256 =
      "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF";
  o.candidates = LocalCandidates::Build({"192.0.2.10", "198.51.100.4"}, 40000, 40000);
  const auto offer = SdpParser::Parse(test::ReadSdp("chrome-publish.offer.sdp"));
  ASSERT_TRUE(offer);
  AnswerBuilder builder(o);
  for (const auto& m : offer->media)
    builder.SetSection(m.mid, SectionOptions{Direction::RecvOnly, std::nullopt});
  std::string error;
  const auto result = builder.Build(*offer, &error);
  ASSERT_TRUE(result) << error;
  EXPECT_NE(result->sdp.find("a=candidate:2 1 tcp "), std::string::npos) << result->sdp;
  EXPECT_NE(result->sdp.find(" 192.0.2.10 40000 typ host tcptype passive"), std::string::npos);
  const auto reparsed = SdpParser::Parse(result->sdp, &error);
  ASSERT_TRUE(reparsed) << error;
  for (const auto& m : reparsed->media) {
    if (m.Rejected()) continue;
    EXPECT_EQ(m.candidates.size(), 4u);
    EXPECT_EQ(m.connectionAddress, "192.0.2.10");
    EXPECT_EQ(m.port, 40000);
  }
}

}  // namespace
}  // namespace medicall::webrtc::sdp
