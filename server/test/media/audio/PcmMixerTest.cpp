#include "media/audio/PcmMixer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "media/audio/AudioTestSignals.hpp"

namespace medicall::media::audio {
namespace {

using test::Frame;

std::vector<ConstPcmFrame> Views(const std::vector<Frame>& frames) {
  std::vector<ConstPcmFrame> v;
  for (const Frame& f : frames) v.emplace_back(f.data(), kFrameSamples);
  return v;
}

TEST(PcmMixerTest, EachTalkerHearsEveryoneButItself) {
  const std::vector<Frame> frames = {test::DcFrame(1000), test::DcFrame(2000), test::DcFrame(4000)};
  PcmMixer mixer(3);
  mixer.Mix(Views(frames));
  ASSERT_EQ(mixer.TalkerCount(), 3u);
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    ASSERT_EQ(mixer.SharedMix()[i], 7000);
    ASSERT_EQ(mixer.MixWithout(0)[i], 6000);
    ASSERT_EQ(mixer.MixWithout(1)[i], 5000);
    ASSERT_EQ(mixer.MixWithout(2)[i], 3000);
  }
}

TEST(PcmMixerTest, ClipsOnceAfterTheThirtyTwoBitSum) {
  // Clipping partial sums would give clip(30000 + 30000) - 30000 = 2767.
  const std::vector<Frame> frames = {test::DcFrame(30000), test::DcFrame(30000), test::DcFrame(-30000)};
  PcmMixer mixer(3);
  mixer.Mix(Views(frames));
  EXPECT_EQ(mixer.SharedMix()[0], 30000);
  EXPECT_EQ(mixer.MixWithout(0)[0], 0);
  EXPECT_EQ(mixer.MixWithout(2)[0], 32767);  // 60000 saturates at the int16 limit

  const std::vector<Frame> negative = {test::DcFrame(-20000), test::DcFrame(-20000)};
  mixer.Mix(Views(negative));
  EXPECT_EQ(mixer.SharedMix()[0], -32768);
  EXPECT_EQ(mixer.MixWithout(0)[0], -20000);
}

TEST(PcmMixerTest, NoTalkersIsSilence) {
  PcmMixer mixer(3);
  const std::vector<Frame> one = {test::DcFrame(500)};
  mixer.Mix(Views(one));
  EXPECT_EQ(mixer.MixWithout(0)[0], 0);  // alone: hears nothing
  mixer.Mix({});
  for (int16_t s : mixer.SharedMix()) ASSERT_EQ(s, 0);
}

TEST(PcmMixerTest, SharedMixOptimisationEqualsNaivePerListenerMix) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> amp(0.05, 0.9);
  std::uniform_real_distribution<double> hz(100, 4000);
  for (int round = 0; round < 20; ++round) {
    std::vector<Frame> talkers;
    for (int t = 0; t < 3; ++t)
      talkers.push_back(test::SineFrame(hz(rng), amp(rng), static_cast<std::size_t>(round)));
    const auto views = Views(talkers);
    PcmMixer mixer(3);
    mixer.Mix(views);

    // Naive: every listener (3 talkers + 5 listeners who only listen) sums all the others itself.
    Frame naive{};
    for (std::size_t listener = 0; listener < 8; ++listener) {
      const bool isTalker = listener < 3;
      PcmMixer::NaiveMix(views, isTalker ? listener : SIZE_MAX, naive);
      const ConstPcmFrame optimised = isTalker ? mixer.MixWithout(listener) : mixer.SharedMix();
      ASSERT_TRUE(std::equal(naive.begin(), naive.end(), optimised.begin()))
          << "round " << round << " listener " << listener;
    }
  }
}

}  // namespace
}  // namespace medicall::media::audio
