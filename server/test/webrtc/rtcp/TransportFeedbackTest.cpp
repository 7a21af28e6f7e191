#include "webrtc/rtcp/TransportFeedback.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "webrtc/rtp/TestFile.hpp"

namespace medicall::webrtc::rtcp {
namespace {

using Result = TransportFeedback::PacketResult;

std::vector<Result> All(const TransportFeedback& fb) {
  std::vector<Result> v;
  fb.ForEachPacket([&](const Result& r) { v.push_back(r); });
  return v;
}

TEST(TransportFeedbackTest, ParsesEverySymbolKindAcrossWrap) {
  const auto data = test::ReadTestFile("rtcp/transport-feedback.bin");
  auto fb = TransportFeedback::Parse(data);
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->SenderSsrc(), 1u);
  EXPECT_EQ(fb->MediaSsrc(), 0x5c7a9e01u);
  EXPECT_EQ(fb->BaseSequenceNumber(), 65530);
  EXPECT_EQ(fb->PacketStatusCount(), 18);
  EXPECT_EQ(fb->ReferenceTime(), 256);
  EXPECT_EQ(fb->ReferenceTimeUs(), 16384000);
  EXPECT_EQ(fb->FeedbackPacketCount(), 5);
  EXPECT_EQ(fb->ReceivedCount(), 15u);
  const auto r = All(*fb);
  ASSERT_EQ(r.size(), 18u);
  EXPECT_EQ(r[0], (Result{65530, true, 16385000}));
  EXPECT_EQ(r[1], (Result{65531, true, 16385000}));
  EXPECT_EQ(r[2], (Result{65532, false, 0}));
  EXPECT_EQ(r[3], (Result{65533, true, 16460000}));
  EXPECT_EQ(r[4], (Result{65534, true, 16458000}));  // negative delta
  EXPECT_EQ(r[5], (Result{65535, true, 16458250}));
  EXPECT_EQ(r[6], (Result{0, false, 0}));
  EXPECT_EQ(r[7], (Result{1, false, 0}));
  EXPECT_EQ(r[8], (Result{2, true, 16460750}));
  EXPECT_EQ(r[17], (Result{11, true, 16483250}));
}

TEST(TransportFeedbackTest, DraftOneBitVectorExample) {
  const auto data = test::ReadTestFile("rtcp/transport-feedback-draft-vector.bin");
  auto fb = TransportFeedback::Parse(data);
  ASSERT_TRUE(fb);
  std::vector<uint16_t> received;
  fb->ForEachPacket([&](const Result& r) {
    if (r.received) received.push_back(r.sequenceNumber);
  });
  EXPECT_EQ(received, (std::vector<uint16_t>{101, 102, 103, 104, 105, 109, 110, 111}));
}

TEST(TransportFeedbackTest, RunLengthChunks) {
  const auto data = test::ReadTestFile("rtcp/transport-feedback-run-length.bin");
  auto fb = TransportFeedback::Parse(data);
  ASSERT_TRUE(fb);
  std::array<Result, 64> out{};
  ASSERT_EQ(fb->GetPackets(out), 30u);
  for (size_t i = 0; i < 10; ++i) EXPECT_FALSE(out[i].received) << i;
  for (size_t i = 10; i < 30; ++i) {
    EXPECT_TRUE(out[i].received);
    EXPECT_EQ(out[i].arrivalTimeUs, static_cast<int64_t>(i - 9) * 250);
  }
  // Serialising the same results gives a packet of the same size (the encoder covers the first 14
  // statuses with a one-bit vector instead of a run) that decodes to the same results.
  std::array<uint8_t, 128> buf{};
  const size_t n =
      TransportFeedback::Serialize(1, 0x5c7a9e01, 1, std::span<const Result>(out.data(), 30), buf);
  ASSERT_EQ(n, data.size());
  auto again = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
  ASSERT_TRUE(again);
  std::array<Result, 64> out2{};
  ASSERT_EQ(again->GetPackets(out2), 30u);
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + 30, out2.begin()));
}

TEST(TransportFeedbackTest, ReserializesKeptPacketExactly) {
  const auto data = test::ReadTestFile("rtcp/transport-feedback.bin");
  auto fb = TransportFeedback::Parse(data);
  ASSERT_TRUE(fb);
  const auto results = All(*fb);
  std::array<uint8_t, 128> buf{};
  const size_t n = TransportFeedback::Serialize(1, 0x5c7a9e01, 5, results, buf);
  ASSERT_EQ(n, data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), buf.begin()));
}

TEST(TransportFeedbackTest, BuildsFromArrivalInfoAndRoundTrips) {
  // 300 packets: losses, bursts, reordering (negative deltas), a long gap (large delta), rounding.
  std::vector<Result> in;
  int64_t t = 123'456'789;
  for (int i = 0; i < 300; ++i) {
    Result r;
    r.sequenceNumber = static_cast<uint16_t>(65400 + i);
    r.received = (i % 17) != 3 && !(i >= 100 && i < 140);
    t += (i % 50 == 0) ? 40'000 : (i % 13 == 0 ? -3'000 : 1'100);
    r.arrivalTimeUs = t;
    in.push_back(r);
  }
  std::vector<uint8_t> buf(4096);
  const size_t n = TransportFeedback::Serialize(11, 22, 9, in, buf);
  ASSERT_GT(n, 0u);
  EXPECT_EQ(n % 4, 0u);
  auto fb = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->PacketStatusCount(), 300);
  EXPECT_EQ(fb->FeedbackPacketCount(), 9);
  const auto out = All(*fb);
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    EXPECT_EQ(out[i].sequenceNumber, in[i].sequenceNumber);
    ASSERT_EQ(out[i].received, in[i].received) << i;
    if (in[i].received) {
      EXPECT_LE(std::abs(out[i].arrivalTimeUs - in[i].arrivalTimeUs), 125) << i;  // rounding never drifts
    }
  }
}

TEST(TransportFeedbackTest, SerializeRefusesWhatCannotBeEncoded) {
  std::array<uint8_t, 256> buf{};
  EXPECT_EQ(TransportFeedback::Serialize(1, 2, 0, {}, buf), 0u);
  std::vector<Result> gap = {{1, true, 0}, {3, true, 1000}};  // not consecutive
  EXPECT_EQ(TransportFeedback::Serialize(1, 2, 0, gap, buf), 0u);
  std::vector<Result> tooFar = {{1, true, 0}, {2, true, 9'000'000}};  // 9 s does not fit 16 bits of 250 us
  EXPECT_EQ(TransportFeedback::Serialize(1, 2, 0, tooFar, buf), 0u);
  std::vector<Result> ok = {{1, true, 0}, {2, true, 1000}};
  EXPECT_EQ(TransportFeedback::Serialize(1, 2, 0, ok, std::span<uint8_t>(buf.data(), 20)), 0u);
  EXPECT_EQ(TransportFeedback::Serialize(1, 2, 0, ok, buf), 24u);
  std::vector<Result> allLost = {{7, false, 0}, {8, false, 0}};
  const size_t n = TransportFeedback::Serialize(1, 2, 0, allLost, buf);
  ASSERT_EQ(n, 24u);
  auto fb = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->ReceivedCount(), 0u);
}

TEST(TransportFeedbackTest, RejectsLies) {
  const auto truncated = test::ReadTestFile("rtcp/bad-transport-feedback-truncated.bin");
  EXPECT_FALSE(TransportFeedback::Parse(truncated));
  auto data = test::ReadTestFile("rtcp/transport-feedback.bin");
  auto runs = test::ReadTestFile("rtcp/transport-feedback-run-length.bin");
  runs[15] = 31;  // one status more: a third chunk is read from the deltas, which then run past the end
  EXPECT_FALSE(TransportFeedback::Parse(runs));
  auto zeroStatuses = data;
  zeroStatuses[15] = 0;
  EXPECT_FALSE(TransportFeedback::Parse(zeroStatuses));
  auto reserved = data;
  reserved[20] = 0xFC;  // two-bit vector whose first symbol is the reserved 11
  EXPECT_FALSE(TransportFeedback::Parse(reserved));
  auto extraWord = data;
  extraWord.insert(extraWord.end(), {0, 0, 0, 0});
  extraWord[3] += 1;  // four more bytes than the deltas need
  EXPECT_FALSE(TransportFeedback::Parse(extraWord));
  for (size_t n = 0; n < data.size(); n += 4) {
    auto cut = std::vector<uint8_t>(data.begin(), data.begin() + static_cast<long>(n));
    if (n >= 4) cut[3] = static_cast<uint8_t>(n / 4 - 1);
    EXPECT_FALSE(TransportFeedback::Parse(cut)) << n;
  }
}

// The chunk examples of draft-holmer-rmcat-transport-wide-cc-extensions-01, byte for byte.
TEST(TransportFeedbackTest, SerializesTheDraftsChunkExamples) {
  std::array<uint8_t, 128> buf{};
  // 3.1.3: "a run of 221 not received packets": |0|0 0|0 0 0 0 1 1 0 1 1 1 0 1| = 0x00DD.
  std::vector<Result> lost;
  for (uint16_t i = 0; i < 221; ++i) lost.push_back({static_cast<uint16_t>(1000 + i), false, 0});
  size_t n = TransportFeedback::Serialize(0x11223344, 0x55667788, 7, lost, buf);
  ASSERT_EQ(n, 24u);
  const std::array<uint8_t, 24> runExample = {0x8F, 205,  0x00, 0x05, 0x11, 0x22, 0x33, 0x44,
                                              0x55, 0x66, 0x77, 0x88, 0x03, 0xE8, 0x00, 221,
                                              0x00, 0x00, 0x00, 7,    0x00, 0xDD, 0x00, 0x00};
  EXPECT_TRUE(std::equal(runExample.begin(), runExample.end(), buf.begin()));

  // 3.1.4, one-bit status vector: "|1|0|0 1 1 1 1 1 0 0 0 1 1 1 0 0|": one lost, five received, three
  // lost, three received, two lost = 0x9F1C, then one small delta (1 byte, 250 us units) per received.
  const std::array<bool, 14> pattern = {false, true,  true, true, true, true,  false,
                                        false, false, true, true, true, false, false};
  std::vector<Result> vector;
  int64_t t = 64'000 * 3;  // reference time 3
  for (uint16_t i = 0; i < 14; ++i) {
    Result r{static_cast<uint16_t>(65530 + i), pattern[i], 0};
    if (r.received) r.arrivalTimeUs = (t += 1'000);
    vector.push_back(r);
  }
  n = TransportFeedback::Serialize(1, 2, 0, vector, buf);
  ASSERT_EQ(n, 32u);         // 20 + chunk 2 + 8 deltas = 30, padded to 32
  EXPECT_EQ(buf[3], 7);      // length in words minus one
  EXPECT_EQ(buf[12], 0xFF);  // base sequence 65530
  EXPECT_EQ(buf[13], 0xFA);
  EXPECT_EQ(buf[15], 14);  // status count
  EXPECT_EQ(buf[18], 3);   // reference time
  EXPECT_EQ(buf[20], 0x9F);
  EXPECT_EQ(buf[21], 0x1C);
  for (size_t i = 22; i < 30; ++i) EXPECT_EQ(buf[i], 4) << i;  // 1 ms = 4 ticks of 250 us
  EXPECT_EQ(buf[30], 0);
  EXPECT_EQ(buf[31], 0);

  // Two-bit vector (3.1.4, S=1): a large delta forces two-bit symbols: |1|1|01|10|01|00|01|01|01| with a
  // negative (reordered) delta encoded as 16-bit signed.
  std::vector<Result> twoBit = {{10, true, 1'000}, {11, true, 500},   {12, true, 750},  {13, false, 0},
                                {14, true, 1'000}, {15, true, 1'250}, {16, true, 1'500}};
  n = TransportFeedback::Serialize(1, 2, 0, twoBit, buf);
  ASSERT_GT(n, 0u);
  EXPECT_EQ(buf[20], 0xD9);  // 1 1 01 10 01 00 01 = 1101 1001 0001 0101
  EXPECT_EQ(buf[21], 0x15);
  EXPECT_EQ(buf[22], 4);     // +1 ms
  EXPECT_EQ(buf[23], 0xFF);  // -0.5 ms as int16 -2
  EXPECT_EQ(buf[24], 0xFE);
  EXPECT_EQ(buf[25], 1);
}

TEST(TransportFeedbackTest, ReferenceTimeWrapsAt24Bits) {
  const int64_t wrap = (int64_t{1} << 24) * TransportFeedback::kReferenceTickUs;
  std::vector<Result> late = {{1, true, wrap + 64'000 * 5 + 250}, {2, true, wrap + 64'000 * 5 + 500}};
  std::array<uint8_t, 64> buf{};
  const size_t n = TransportFeedback::Serialize(1, 2, 0, late, buf);
  ASSERT_EQ(n, 24u);
  auto fb = TransportFeedback::Parse(std::span<const uint8_t>(buf.data(), n));
  ASSERT_TRUE(fb);
  EXPECT_EQ(fb->ReferenceTime(), 5);
}

}  // namespace
}  // namespace medicall::webrtc::rtcp
