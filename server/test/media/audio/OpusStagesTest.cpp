#include <gtest/gtest.h>

#include <cmath>

#include "media/audio/AudioLevel.hpp"
#include "media/audio/AudioTestSignals.hpp"
#include "media/audio/OpusDecoderStage.hpp"
#include "media/audio/OpusEncoderStage.hpp"
#include "media/audio/OpusPacket.hpp"

namespace medicall::media::audio {
namespace {

using test::Frame;

double Db(double ratio) { return 20.0 * std::log10(ratio); }

TEST(OpusStagesTest, SineRoundTripKeepsItsEnergyAndPitch) {
  OpusEncoderStage encoder;
  OpusDecoderStage decoder;
  Frame out{};
  for (std::size_t i = 0; i < 50; ++i) {
    const Frame in = test::SineFrame(440, 0.3, i);
    const auto packet = encoder.Encode(in);
    ASSERT_FALSE(packet.empty());
    EXPECT_LT(packet.size(), 200u);  // about 32 kbit/s: 80 bytes a frame
    ASSERT_TRUE(decoder.Decode(packet, out));
    if (i < 10) continue;  // codec start-up
    EXPECT_NEAR(Db(test::Rms(out) / test::Rms(in)), 0.0, 1.5) << "frame " << i;
    EXPECT_GT(test::ToneEnergy(out, 440), 20 * test::ToneEnergy(out, 1000));
  }
  EXPECT_EQ(decoder.Stats().decoded, 50u);
  EXPECT_EQ(encoder.Errors(), 0u);
}

TEST(OpusStagesTest, PacketLossConcealmentContinuesTheSignal) {
  const auto packets = test::EncodeSine(440, 0.3, 20);
  OpusDecoderStage decoder;
  Frame out{};
  for (std::size_t i = 0; i < 15; ++i) ASSERT_TRUE(decoder.Decode(packets[i], out));
  decoder.Conceal(out);
  EXPECT_EQ(decoder.Stats().concealed, 1u);
  // PLC extrapolates the tone rather than leaving a hole.
  EXPECT_GT(AudioLevel::RmsDbov(out), -30.0f);
  EXPECT_GT(test::ToneEnergy(out, 440), 5 * test::ToneEnergy(out, 1500));
}

TEST(OpusStagesTest, InBandFecRecoversALostFrame) {
  OpusEncoderConfig config;
  config.expectedLossPercent = 20;
  const auto packets = test::EncodeSine(440, 0.3, 30, config);
  const std::size_t next = test::FirstWithLbrr(packets, 10);
  ASSERT_NE(next, 0u) << "no LBRR in 30 VOIP frames with 20% expected loss";

  OpusDecoderStage decoder;
  Frame out{};
  for (std::size_t i = 0; i + 1 < next; ++i) ASSERT_TRUE(decoder.Decode(packets[i], out));
  // packets[next - 1] is lost: recover it from the LBRR copy inside packets[next].
  ASSERT_TRUE(decoder.DecodeFec(packets[next], out));
  EXPECT_EQ(decoder.Stats().fecDecoded, 1u);
  const Frame reference = test::SineFrame(440, 0.3, next - 1);
  EXPECT_NEAR(Db(test::Rms(out) / test::Rms(reference)), 0.0, 4.0);
  EXPECT_GT(test::ToneEnergy(out, 440), 10 * test::ToneEnergy(out, 1500));
  ASSERT_TRUE(decoder.Decode(packets[next], out));  // then the packet itself, as usual
}

TEST(OpusStagesTest, LbrrFlagReading) {
  EXPECT_FALSE(OpusPacket::HasLbrr({}));
  // CELT-only (config 31): never LBRR, whatever the bits.
  const uint8_t celt[] = {0xF8, 0xFF, 0xFF};
  EXPECT_FALSE(OpusPacket::HasLbrr(celt));
  // SILK-only NB 20 ms (config 1), mono, one frame: VAD bit then LBRR bit.
  const uint8_t silkWithLbrr[] = {0x08, 0x40, 0x00};     // VAD 0, LBRR 1
  const uint8_t silkWithoutLbrr[] = {0x08, 0x80, 0x00};  // VAD 1, LBRR 0
  EXPECT_TRUE(OpusPacket::HasLbrr(silkWithLbrr));
  EXPECT_FALSE(OpusPacket::HasLbrr(silkWithoutLbrr));
  // Stereo: side channel LBRR is the fourth bit (mid VAD, mid LBRR, side VAD, side LBRR).
  const uint8_t stereoSideLbrr[] = {0x0C, 0x10, 0x00};
  EXPECT_TRUE(OpusPacket::HasLbrr(stereoSideLbrr));
  // SILK 40 ms (config 2): two VAD bits, then LBRR.
  const uint8_t silk40[] = {0x10, 0x20, 0x00};
  EXPECT_TRUE(OpusPacket::HasLbrr(silk40));
  // DTX frame (TOC only): nothing to read.
  const uint8_t dtx[] = {0x08};
  EXPECT_FALSE(OpusPacket::HasLbrr(dtx));
}

TEST(OpusStagesTest, RejectsPacketsThatAreNotOneTwentyMillisecondFrame) {
  OpusDecoderStage decoder;
  Frame out{};
  out.fill(1234);
  const uint8_t forty[] = {0x10, 0x20, 0x00};  // SILK 40 ms
  EXPECT_FALSE(decoder.Decode(forty, out));
  const uint8_t malformed[] = {0x0B, 0x05};  // code 3 with frame count 5 of 20 ms = 100 ms, no sizes
  EXPECT_FALSE(decoder.Decode(malformed, out));
  EXPECT_EQ(decoder.Stats().errors, 2u);
  EXPECT_EQ(decoder.Stats().concealed, 2u);
  EXPECT_NE(out[0], 1234);  // the frame was overwritten by concealment (silence here)
}

TEST(OpusStagesTest, LevelOfKnownSignals) {
  Frame zero{};
  EXPECT_EQ(AudioLevel::RmsDbov(zero), kSilenceDbov);
  const Frame square = test::DcFrame(32767);
  EXPECT_NEAR(AudioLevel::RmsDbov(square), 0.0, 0.01);
  const Frame sine = test::SineFrame(1000, 0.1, 0);  // -20 dBFS peak, -23 dBov RMS
  EXPECT_NEAR(AudioLevel::RmsDbov(sine), -23.0, 0.1);
  EXPECT_EQ(AudioLevel::FromRtpExtension(0x80 | 30), -30.0f);
}

}  // namespace
}  // namespace medicall::media::audio
