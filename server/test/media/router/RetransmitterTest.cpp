// The retransmission decisions of one outgoing stream: one resend per NACK however often it names a
// packet, none within one RTT of the last, at most kMaxPerPacket in all; the RTT from LSR/DLSR.
#include "media/router/Retransmitter.hpp"

#include <gtest/gtest.h>

#include "common/Ntp.hpp"

namespace medicall::media::router {
namespace {

using Verdict = Retransmitter::Verdict;

// The NACK handling loop as Subscription::OnNack runs it, without packets: counts what would be sent.
int Nack(Retransmitter& r, const std::vector<uint16_t>& named, int64_t nowUs) {
  int sent = 0;
  r.BeginNack();
  for (uint16_t seq : named) {
    if (r.Check(seq, nowUs) == Verdict::kSend) {
      r.Resent(seq, nowUs);
      ++sent;
    }
  }
  return sent;
}

std::vector<uint16_t> SeventeenTimes(int repeats, uint16_t first) {
  std::vector<uint16_t> named;
  for (int r = 0; r < repeats; ++r) {
    for (uint16_t i = 0; i < 17; ++i) named.push_back(static_cast<uint16_t>(first + i));
  }
  return named;
}

TEST(RetransmitterTest, SeventeenPacketsNamedThreeHundredTimesAreResentOnce) {
  Retransmitter r;
  EXPECT_EQ(Nack(r, SeventeenTimes(300, 65530), 1'000'000), 17);  // one NACK, across the wrap
  // The same again in 300 NACKs at once: all within one RTT.
  int again = 0;
  for (int i = 0; i < 300; ++i) again += Nack(r, SeventeenTimes(1, 65530), 1'000'000 + i);
  EXPECT_EQ(again, 0);
}

TEST(RetransmitterTest, NotAgainWithinOneRttOfTheLastResend) {
  Retransmitter r;
  // Our SR left at wall time T (compact NTP); the RR came back 300 ms later having waited 100 ms:
  // RTT = 200 ms.
  const uint32_t lsr = ntp::Compact(ntp::FromUnixUs(1'700'000'000'000'000));
  const uint32_t arrival = ntp::Compact(ntp::FromUnixUs(1'700'000'000'300'000));
  r.OnReportBlock(lsr, ntp::UsToCompact(100'000), arrival);
  ASSERT_TRUE(r.HasRtt());
  EXPECT_NEAR(static_cast<double>(r.RttUs()), 200'000.0, 100.0);
  EXPECT_EQ(Nack(r, {7}, 0), 1);
  EXPECT_EQ(Nack(r, {7}, 150'000), 0);  // 150 ms < RTT: the first copy may still be on its way
  EXPECT_EQ(Nack(r, {7}, 210'000), 1);  // a round trip later: lost again, resend
  // Without a measurement the default (100 ms) applies.
  Retransmitter fresh;
  EXPECT_FALSE(fresh.HasRtt());
  EXPECT_EQ(Nack(fresh, {7}, 0), 1);
  EXPECT_EQ(Nack(fresh, {7}, 150'000), 1);
  // A block without LSR (no SR received yet) leaves the RTT alone.
  fresh.OnReportBlock(0, 0, arrival);
  EXPECT_FALSE(fresh.HasRtt());
}

TEST(RetransmitterTest, AtMostMaxPerPacketResends) {
  Retransmitter r;
  int sent = 0;
  for (int i = 0; i < 20; ++i) sent += Nack(r, {42}, i * 120'000);  // each a round trip after the last
  EXPECT_EQ(sent, Retransmitter::kMaxPerPacket);
  EXPECT_EQ(Nack(r, {43}, 20 * 120'000), 1);  // other packets are not affected
}

TEST(RetransmitterTest, HistoryOfAReusedNumberIsForgotten) {
  Retransmitter r;
  for (int i = 0; i < 4; ++i) Nack(r, {42}, i * 200'000);
  EXPECT_EQ(Nack(r, {42}, 800'000), 0);
  // The same 16-bit number much later (after a wrap) is another packet.
  EXPECT_EQ(Nack(r, {42}, 800'000 + Retransmitter::kForgetAfterUs + 1), 1);
}

}  // namespace
}  // namespace medicall::media::router
