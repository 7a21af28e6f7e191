#include "media/audio/AudioMixer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <new>
#include <set>
#include <vector>

#include "media/audio/AudioTestSignals.hpp"
#include "media/audio/OpusDecoderStage.hpp"
#include "media/audio/OpusPacket.hpp"

// Counts C++ heap allocations while `gCountAllocations` is set (the whole test binary goes through
// these; only the steady-state tick tests turn counting on; MeetingAudioTest.cpp uses them too).
std::atomic<bool> gCountAllocations{false};
std::atomic<uint64_t> gAllocations{0};

// GCC sees malloc inside the inlined operator new and free inside operator delete and warns of a
// mismatch that is not one: both halves of the pair are replaced together.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  if (gCountAllocations.load(std::memory_order_relaxed)) gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace medicall::media::audio {
namespace {

using Kind = JitterFrame::Kind;

// An attendee's browser: a sine through its own Opus encoder, one RTP packet per 20 ms.
struct Sender {
  Sender(uint32_t id, double hz, double amplitude) : id(id), hz(hz), amplitude(amplitude) {}
  uint32_t id;
  double hz;
  double amplitude;
  OpusEncoderStage encoder;
  std::size_t frame = 0;
  uint16_t seq = 4000;
  std::optional<uint8_t> level;  // RTP audio-level extension, when the test wants one
  std::map<uint16_t, std::vector<uint8_t>> sent;
};

class MixerHarness {
 public:
  explicit MixerHarness(const AudioMixerConfig& config = {}) : mixer(config) {}

  Sender& AddSender(uint32_t id, double hz, double amplitude) {
    EXPECT_TRUE(mixer.AddParticipant(
        id, RtpStart{.sequence = static_cast<uint16_t>(id * 100), .timestamp = id * 1000}));
    senders.push_back(std::make_unique<Sender>(id, hz, amplitude));
    return *senders.back();
  }
  void AddListener(uint32_t id) { EXPECT_TRUE(mixer.AddParticipant(id)); }

  // One 20 ms period: every sender sends (except `drop`), then the mixer ticks.
  TickResult Step(std::optional<uint32_t> drop = std::nullopt) {
    for (auto& s : senders) {
      const test::Frame pcm = test::SineFrame(s->hz, s->amplitude, s->frame++);
      const auto packet = s->encoder.Encode(pcm);
      const uint16_t seq = s->seq++;
      s->sent[seq].assign(packet.begin(), packet.end());
      if (drop && *drop == s->id) continue;
      mixer.OnRtp(s->id, seq, static_cast<uint32_t>(s->frame * 960), now, packet, s->level);
    }
    TickResult r = mixer.Tick(now);
    now += kFrameDurationUs;
    return r;
  }
  TickResult Run(int ticks) {
    TickResult r;
    for (int i = 0; i < ticks; ++i) r = Step();
    return r;
  }
  ConstPcmFrame Mix(uint32_t listener) {
    auto m = mixer.LastMixFor(listener);
    EXPECT_TRUE(m.has_value());
    return m.value_or(ConstPcmFrame(silence.data(), kFrameSamples));
  }

  AudioMixer mixer;
  std::vector<std::unique_ptr<Sender>> senders;
  int64_t now = 5'000'000;
  test::Frame silence{};
};

const ListenerOutput* OutputFor(const TickResult& r, uint32_t id) {
  for (const ListenerOutput& o : r.outputs) {
    if (o.id == id) return &o;
  }
  return nullptr;
}

constexpr double kAudible = 1e-4;  // tone energy of a 0.2 sine is about 0.01

TEST(AudioMixerTest, EachListenerHearsEveryoneButItself) {
  MixerHarness h;
  h.AddSender(1, 300, 0.2);
  h.AddSender(2, 700, 0.2);
  h.AddSender(3, 1500, 0.2);
  h.AddListener(4);
  OpusDecoderStage clientOf1, clientOf4;  // what the browsers of 1 and 4 decode
  test::Frame heardBy1{}, heardBy4{};
  TickResult r;
  for (int i = 0; i < 40; ++i) {
    r = h.Step();
    for (const ListenerOutput& o : r.outputs) {
      if (o.id == 1) clientOf1.Decode(o.payload, heardBy1);
      if (o.id == 4) clientOf4.Decode(o.payload, heardBy4);
    }
  }
  EXPECT_EQ(r.stats.talkers, 3u);
  EXPECT_EQ(r.stats.encodes, 4u);  // three "all but me" mixes and the shared one
  ASSERT_EQ(r.outputs.size(), 4u);

  const std::map<uint32_t, double> tone = {{1, 300}, {2, 700}, {3, 1500}};
  for (uint32_t listener : {1u, 2u, 3u, 4u}) {
    const ConstPcmFrame mix = h.Mix(listener);
    for (const auto& [speaker, hz] : tone) {
      if (speaker == listener) {
        EXPECT_LT(test::ToneEnergy(mix, hz), 1e-7) << listener << " hears itself";
      } else {
        EXPECT_GT(test::ToneEnergy(mix, hz), kAudible) << listener << " misses " << speaker;
      }
    }
  }
  // And through the codec, as the browsers hear it.
  EXPECT_GT(test::ToneEnergy(heardBy1, 700), kAudible);
  EXPECT_GT(test::ToneEnergy(heardBy1, 1500), kAudible);
  EXPECT_LT(test::ToneEnergy(heardBy1, 300), test::ToneEnergy(heardBy1, 700) / 100);
  for (double hz : {300.0, 700.0, 1500.0}) EXPECT_GT(test::ToneEnergy(heardBy4, hz), kAudible);
}

TEST(AudioMixerTest, ListenersWhoDoNotTalkShareOneMixAndOneEncode) {
  MixerHarness h;
  h.AddSender(1, 300, 0.2);
  h.AddSender(2, 700, 0.2);
  for (uint32_t id = 10; id < 28; ++id) h.AddListener(id);
  h.Run(10);
  for (int i = 0; i < 20; ++i) {
    const TickResult r = h.Step();
    ASSERT_EQ(r.outputs.size(), 20u);
    EXPECT_EQ(r.stats.encodes, 3u);
    std::set<const uint8_t*> sharedBuffers, talkerBuffers;
    for (const ListenerOutput& o : r.outputs) {
      ASSERT_FALSE(o.payload.empty());
      if (o.id >= 10) {
        EXPECT_EQ(o.mix, 0);
        sharedBuffers.insert(o.payload.data());
      } else {
        EXPECT_GT(o.mix, 0);
        talkerBuffers.insert(o.payload.data());
      }
    }
    EXPECT_EQ(sharedBuffers.size(), 1u);
    EXPECT_EQ(talkerBuffers.size(), 2u);
    EXPECT_EQ(talkerBuffers.count(*sharedBuffers.begin()), 0u);
  }
}

TEST(AudioMixerTest, SharedMixEqualsTheNaiveMixOfTheSelectedTalkers) {
  MixerHarness h;
  h.AddSender(1, 300, 0.5);
  h.AddSender(2, 700, 0.6);
  h.AddSender(3, 1100, 0.7);  // loud enough together to clip
  h.AddListener(4);
  h.Run(30);
  // Listener 4 gets the shared mix clip(s1 + s2 + s3); talker k gets clip(full - sk). Where nothing
  // clipped, the three "all but me" mixes add up to 2 * full: the shared mix must be that half.
  const ConstPcmFrame shared = h.Mix(4);
  const ConstPcmFrame m1 = h.Mix(1), m2 = h.Mix(2), m3 = h.Mix(3);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < kFrameSamples; ++i) {
    const int32_t sumOfMinus = m1[i] + m2[i] + m3[i];  // = 2 * (s1 + s2 + s3) when none clipped
    const bool anyClipped = std::abs(m1[i]) >= 32767 || std::abs(m2[i]) >= 32767 || std::abs(m3[i]) >= 32767;
    const int32_t full = sumOfMinus / 2;
    if (anyClipped || std::abs(full) >= 32767) continue;
    ASSERT_NEAR(shared[i], full, 1) << i;
    ++checked;
  }
  EXPECT_GT(checked, kFrameSamples / 2);
}

TEST(AudioMixerTest, OnlyTheLoudestKTalkersAreMixed) {
  AudioMixerConfig config;
  config.maxTalkers = 3;
  MixerHarness h(config);
  h.AddSender(1, 300, 0.02);
  h.AddSender(2, 500, 0.04);
  h.AddSender(3, 700, 0.1);
  h.AddSender(4, 900, 0.2);
  h.AddSender(5, 1100, 0.4);
  h.AddListener(9);
  const TickResult r = h.Run(40);
  EXPECT_EQ(r.stats.talkers, 3u);
  EXPECT_EQ(r.stats.encodes, 4u);
  for (uint32_t id : {3u, 4u, 5u}) EXPECT_TRUE(h.mixer.Status(id)->talking) << id;
  for (uint32_t id : {1u, 2u}) EXPECT_FALSE(h.mixer.Status(id)->talking) << id;
  const ConstPcmFrame mix = h.Mix(9);
  EXPECT_GT(test::ToneEnergy(mix, 700), kAudible / 10);
  // Mixed, they would show about (0.02 / 2)^2 = 1e-4 and 4e-4; what is left is leakage of the others.
  EXPECT_LT(test::ToneEnergy(mix, 300), 1e-6);
  EXPECT_LT(test::ToneEnergy(mix, 500), 1e-6);
}

TEST(AudioMixerTest, MutedAttendeeContributesNothingAndIsReportedMuted) {
  MixerHarness h;
  h.AddSender(1, 300, 0.2);
  h.AddSender(2, 700, 0.2);
  h.AddListener(3);
  h.Run(20);
  EXPECT_GT(test::ToneEnergy(h.Mix(3), 300), kAudible);
  ASSERT_TRUE(h.mixer.SetMuted(1, true));
  bool reportedMuted = false;
  for (int i = 0; i < 20; ++i) {
    const TickResult r = h.Step();
    for (const AttendeeLevel& level : r.levels) {
      if (level.id == 1) {
        reportedMuted = level.muted;
        EXPECT_EQ(level.volume, LevelReporter::kSilentVolume);
      }
    }
  }
  EXPECT_TRUE(reportedMuted);
  EXPECT_TRUE(h.mixer.Status(1)->muted);
  EXPECT_FALSE(h.mixer.Status(1)->talking);
  EXPECT_LT(test::ToneEnergy(h.Mix(3), 300), 1e-9);
  EXPECT_GT(test::ToneEnergy(h.Mix(3), 700), kAudible);
  for (int16_t s : h.Mix(2)) ASSERT_EQ(s, 0);  // 2 is now alone: it hears silence
  // The muted attendee still hears the others.
  EXPECT_GT(test::ToneEnergy(h.Mix(1), 700), kAudible);
}

TEST(AudioMixerTest, RtpTimingIsContinuousPerListenerWithSenderReports) {
  AudioMixerConfig config;
  config.senderReportIntervalTicks = 10;
  MixerHarness h(config);
  h.AddSender(1, 300, 0.2);
  h.AddListener(7);
  std::vector<ListenerOutput> seen;
  for (int i = 0; i < 25; ++i) seen.push_back(*OutputFor(h.Step(), 7));
  h.mixer.SkipTicks(4);  // the clock dropped four ticks
  seen.push_back(*OutputFor(h.Step(), 7));

  EXPECT_TRUE(seen[0].marker);
  EXPECT_TRUE(seen[0].sendSenderReport);
  EXPECT_EQ(seen[0].sequence, 0);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_FALSE(seen[i].marker);
    EXPECT_EQ(static_cast<uint16_t>(seen[i].sequence), static_cast<uint16_t>(seen[i - 1].sequence + 1));
    const uint32_t step = i + 1 == seen.size() ? 5 * kRtpTimestampStep : kRtpTimestampStep;
    EXPECT_EQ(seen[i].timestamp - seen[i - 1].timestamp, step) << i;
    EXPECT_EQ(seen[i].packetCount, i + 1);
    EXPECT_EQ(seen[i].sendSenderReport, i % 10 == 0) << i;
  }
  // The talker's jitter buffer held back two ticks to build its 60 ms, then played every packet.
  EXPECT_EQ(h.mixer.Jitter(1)->Stats().played, 24u);
}

TEST(AudioMixerTest, ForwardsTheSoleTalkersOpusWithoutTranscoding) {
  AudioMixerConfig config;
  config.forwardSingleTalker = true;
  MixerHarness h(config);
  Sender& talker = h.AddSender(1, 440, 0.2);
  h.AddListener(2);
  h.AddListener(3);
  h.Run(10);
  for (int i = 0; i < 20; ++i) {
    const TickResult r = h.Step();
    EXPECT_EQ(r.stats.encodes, 0u);  // nothing transcoded at all:
    EXPECT_EQ(r.stats.silent, 1u);   // the talker, alone, gets the cached silence packet
    EXPECT_EQ(r.stats.forwarded, 2u);
    for (uint32_t id : {2u, 3u}) {
      const ListenerOutput* o = OutputFor(r, id);
      ASSERT_NE(o, nullptr);
      EXPECT_EQ(o->mix, -1);
      // The payload is one of the talker's packets, byte for byte.
      bool found = false;
      for (const auto& [seq, bytes] : talker.sent) {
        found = found || (bytes.size() == o->payload.size() &&
                          std::equal(bytes.begin(), bytes.end(), o->payload.begin()));
      }
      EXPECT_TRUE(found);
    }
    EXPECT_EQ(OutputFor(r, 1)->mix, 1);
  }
}

TEST(AudioMixerTest, LostPacketIsConcealedNotSilenced) {
  MixerHarness h;
  h.AddSender(1, 300, 0.2);
  h.AddListener(2);
  h.Run(20);
  h.Step(1u);  // the packet of this period never arrives
  bool sawLost = false;
  for (int i = 0; i < 6 && !sawLost; ++i) {
    h.Step();
    if (h.mixer.Status(1)->lastFrame != Kind::kLost) continue;
    sawLost = true;
    EXPECT_GT(h.mixer.Status(1)->levelDbov, -40.0f);  // PLC or FEC audio, not a hole
    EXPECT_GT(test::ToneEnergy(h.Mix(2), 300), kAudible / 10);
  }
  EXPECT_TRUE(sawLost);
  EXPECT_EQ(h.mixer.Jitter(1)->Stats().lost, 1u);
}

TEST(AudioMixerTest, AudioLevelExtensionSparesDecodingQuietAttendees) {
  MixerHarness h;
  Sender& talker = h.AddSender(1, 300, 0.2);
  talker.level = 23;
  for (uint32_t id = 2; id < 8; ++id) h.AddSender(id, 500, 0.0).level = 127;  // sending silence
  h.Run(10);
  for (int i = 0; i < 10; ++i) {
    const TickResult r = h.Step();
    EXPECT_EQ(r.stats.decodes, 1u);
    EXPECT_EQ(r.stats.talkers, 1u);
    EXPECT_EQ(r.stats.encodes, 1u);  // the shared mix; the talker alone gets the cached silence
    EXPECT_EQ(r.stats.silent, 1u);
  }
  EXPECT_GT(test::ToneEnergy(h.Mix(5), 300), kAudible);
}

TEST(AudioMixerTest, ReportsLevelsFiveTimesASecondInChimeUnits) {
  MixerHarness h;
  h.AddSender(1, 300, 0.1);  // -23 dBov RMS
  h.AddListener(2);
  h.Run(20);
  int reports = 0;
  for (int i = 0; i < 50; ++i) {
    const TickResult r = h.Step();
    if (r.levels.empty()) continue;
    ++reports;
    ASSERT_EQ(r.levels.size(), 2u);
    for (const AttendeeLevel& level : r.levels) {
      if (level.id == 1) {
        EXPECT_NEAR(level.volume, 23u, 2u);
        EXPECT_EQ(level.signalStrength, 2u);
        EXPECT_GT(LevelReporter::ClientNormalizedVolume(level.volume), 0.6);
      } else {
        EXPECT_EQ(level.volume, LevelReporter::kSilentVolume);
        EXPECT_EQ(level.signalStrength, 0u);
      }
    }
  }
  EXPECT_EQ(reports, 5);
}

TEST(AudioMixerTest, SilentMixesAreSentAsACachedPacketThatDecodesToSilence) {
  MixerHarness h;
  h.AddListener(1);
  h.AddListener(2);
  Sender& talker = h.AddSender(3, 440, 0.3);
  OpusDecoderStage clientOf1, clientOf3;
  test::Frame heardBy1{}, heardBy3{};
  auto step = [&] {
    const TickResult r = h.Step();
    clientOf1.Decode(OutputFor(r, 1)->payload, heardBy1);
    clientOf3.Decode(OutputFor(r, 3)->payload, heardBy3);
    return r;
  };
  // The talker's jitter buffer is still filling: nobody talks, one cached packet serves everyone.
  TickResult r = step();
  EXPECT_EQ(r.stats.talkers, 0u);
  EXPECT_EQ(r.stats.encodes, 0u);
  EXPECT_EQ(r.stats.silent, 1u);
  EXPECT_EQ(OutputFor(r, 1)->payload.data(), OutputFor(r, 3)->payload.data());
  for (int i = 0; i < 30; ++i) r = step();
  EXPECT_EQ(r.stats.talkers, 1u);
  EXPECT_GT(test::ToneEnergy(heardBy1, 440), kAudible);  // 1 hears the talker
  EXPECT_LT(test::Rms(heardBy3), 2.0);                   // the talker hears digital silence
  // The talker stops: after the hangover, listener 1's decoder goes from speech to the cached
  // silence packet, and that decodes to silence too.
  talker.amplitude = 0.0;
  for (int i = 0; i < 40; ++i) r = step();
  EXPECT_EQ(r.stats.talkers, 0u);
  EXPECT_EQ(r.stats.silent, 1u);
  EXPECT_LT(test::Rms(heardBy1), 2.0);
}

TEST(AudioMixerTest, SteadyStateTickDoesNotAllocate) {
  gAllocations = 0;
  gCountAllocations = true;
  auto probe = std::make_unique<int>(1);  // the counter sees allocations
  gCountAllocations = false;
  ASSERT_EQ(gAllocations, 1u);
  MixerHarness h;
  h.AddSender(1, 300, 0.2);
  h.AddSender(2, 700, 0.2);
  h.AddSender(3, 900, 0.0).level = 127;
  for (uint32_t id = 10; id < 20; ++id) h.AddListener(id);
  h.Run(30);  // vectors reach their size; the talker set and the level reports are in steady state
  uint64_t tickAllocations = 0;
  for (int i = 0; i < 50; ++i) {
    gAllocations = 0;
    gCountAllocations = true;
    for (auto& s : h.senders) {  // OnRtp (not the harness's Step, which keeps copies of what it sent)
      const test::Frame pcm = test::SineFrame(s->hz, s->amplitude, s->frame++);
      const auto packet = s->encoder.Encode(pcm);
      h.mixer.OnRtp(s->id, s->seq++, static_cast<uint32_t>(s->frame * 960), h.now, packet, s->level);
    }
    const TickResult r = h.mixer.Tick(h.now);
    gCountAllocations = false;
    tickAllocations += gAllocations;
    h.now += kFrameDurationUs;
    ASSERT_EQ(r.outputs.size(), 13u);
  }
  EXPECT_EQ(tickAllocations, 0u);
}

TEST(AudioMixerTest, ParticipantsJoinAndLeave) {
  MixerHarness h;
  EXPECT_FALSE(h.mixer.AddParticipant(TalkerSelector::kNone));
  h.AddSender(1, 300, 0.2);
  h.AddSender(2, 700, 0.2);
  h.AddListener(3);
  EXPECT_FALSE(h.mixer.AddParticipant(3));
  h.Run(20);
  EXPECT_TRUE(h.mixer.RemoveParticipant(1));
  EXPECT_FALSE(h.mixer.RemoveParticipant(1));
  EXPECT_FALSE(h.mixer.OnRtp(1, 1, 1, h.now, std::vector<uint8_t>{0xF8, 1}));
  h.senders.erase(h.senders.begin());
  const TickResult r = h.Step();
  EXPECT_EQ(r.outputs.size(), 2u);
  EXPECT_EQ(h.mixer.ParticipantCount(), 2u);
  EXPECT_GT(test::ToneEnergy(h.Mix(3), 700), kAudible);
  EXPECT_LT(test::ToneEnergy(h.Mix(3), 300), 1e-9);
}

// Issue 11: FEC and bitrate per mix from the listeners' receiver reports.
TEST(AudioMixerTest, EachMixIsProtectedForItsMostDemandingListener) {
  MixerHarness h;
  h.AddSender(1, 300, 0.2);
  h.AddSender(2, 700, 0.2);
  h.AddListener(3);
  h.AddListener(4);
  TickResult r = h.Run(10);
  const int mixOf1 = OutputFor(r, 1)->mix;
  const int mixOf2 = OutputFor(r, 2)->mix;
  ASSERT_GT(mixOf1, 0);
  ASSERT_GT(mixOf2, 0);
  ASSERT_EQ(OutputFor(r, 3)->mix, 0);
  const EncoderProtection clean{.fec = false, .lossPercent = 0, .bitrateBps = 32'000};
  for (int mix : {0, mixOf1, mixOf2}) EXPECT_EQ(h.mixer.MixProtection(mix), clean) << mix;

  // Listener 4 (of the shared mix) loses 8 %: the shared mix gets FEC; the talkers' mixes do not.
  EXPECT_TRUE(h.mixer.OnReceiverReport(4, 0.08, 1'000'000));
  EXPECT_FALSE(h.mixer.OnReceiverReport(99, 0.08, 1'000'000));  // no such listener
  h.Step();
  EXPECT_EQ(h.mixer.MixProtection(0),
            (EncoderProtection{.fec = true, .lossPercent = 8, .bitrateBps = 42'560}));
  EXPECT_EQ(h.mixer.MixProtection(mixOf1), clean);
  EXPECT_EQ(h.mixer.MixProtection(mixOf2), clean);

  // Listener 3 loses 3 %: the shared mix stays at the worst of its listeners, 8 %. Talker 1 loses 2 %:
  // only its own mix follows.
  h.mixer.OnReceiverReport(3, 0.03, 1'000'000);
  h.mixer.OnReceiverReport(1, 0.02, 1'000'000);
  h.Step();
  EXPECT_EQ(h.mixer.MixProtection(0)->lossPercent, 8);
  EXPECT_EQ(h.mixer.MixProtection(mixOf1),
            (EncoderProtection{.fec = true, .lossPercent = 2, .bitrateBps = 40'640}));
  EXPECT_EQ(h.mixer.MixProtection(mixOf2), clean);

  // Clean reports every 5 s for 40 s: every listener's loss decays below 0.5 %, FEC off everywhere.
  for (int64_t t = 6'000'000; t <= 41'000'000; t += 5'000'000) {
    for (uint32_t id : {1u, 3u, 4u}) h.mixer.OnReceiverReport(id, 0.0, t);
  }
  h.Step();
  for (int mix : {0, mixOf1, mixOf2}) EXPECT_EQ(h.mixer.MixProtection(mix), clean) << mix;
  EXPECT_FALSE(h.mixer.Protection(4)->FecOn());

  // Without adaptation the configured encoder settings stay.
  AudioMixerConfig fixed;
  fixed.adaptProtection = false;
  MixerHarness f(fixed);
  f.AddSender(1, 300, 0.2);
  f.AddListener(2);
  f.mixer.OnReceiverReport(2, 0.0, 1);
  f.Run(10);
  EXPECT_EQ(f.mixer.MixProtection(0),
            (EncoderProtection{.fec = true, .lossPercent = 10, .bitrateBps = 32'000}));
}

TEST(AudioMixerTest, ProtectedMixCarriesLbrrThatRecoversALostFrame) {
  AudioMixerConfig config;
  config.cachedSilence = false;
  MixerHarness h(config);
  h.AddSender(1, 440, 0.3);
  h.AddListener(2);
  h.AddListener(3);  // a second non-talker, so the shared mix is a real encode of the talker
  std::vector<std::vector<uint8_t>> clean;
  for (int i = 0; i < 30; ++i) {
    const TickResult r = h.Step();
    const ListenerOutput* o = OutputFor(r, 2);
    ASSERT_NE(o, nullptr);
    if (i >= 5) clean.emplace_back(o->payload.begin(), o->payload.end());
  }
  for (const auto& p : clean) EXPECT_FALSE(OpusPacket::HasLbrr(p));  // no loss reported: no FEC

  h.mixer.OnReceiverReport(2, 0.10, 1'000'000);
  std::vector<std::vector<uint8_t>> protectedPackets;
  std::vector<test::Frame> mixes;
  for (int i = 0; i < 30; ++i) {
    const TickResult r = h.Step();
    const ListenerOutput* o = OutputFor(r, 2);
    ASSERT_NE(o, nullptr);
    protectedPackets.emplace_back(o->payload.begin(), o->payload.end());
    test::Frame pcm{};
    const ConstPcmFrame mix = h.Mix(2);
    std::copy(mix.begin(), mix.end(), pcm.begin());
    mixes.push_back(pcm);
  }
  std::size_t withLbrr = 0;
  for (std::size_t i = 2; i < protectedPackets.size(); ++i)
    withLbrr += OpusPacket::HasLbrr(protectedPackets[i]);
  EXPECT_GE(withLbrr, protectedPackets.size() - 4) << "FEC on, yet few packets carry LBRR";
  // The raised bitrate pays for the redundancy.
  auto meanSize = [](const std::vector<std::vector<uint8_t>>& packets, std::size_t from) {
    double sum = 0;
    for (std::size_t i = from; i < packets.size(); ++i) sum += static_cast<double>(packets[i].size());
    return sum / static_cast<double>(packets.size() - from);
  };
  EXPECT_GT(meanSize(protectedPackets, 5), 1.15 * meanSize(clean, 0));

  // The listener's decoder loses packet `lost` and recovers it from the LBRR of the next one.
  const std::size_t lost = test::FirstWithLbrr(protectedPackets, 10) - 1;
  ASSERT_GE(lost, 9u);
  OpusDecoderStage decoder;
  test::Frame out{};
  for (const auto& p : clean) decoder.Decode(p, out);
  for (std::size_t i = 0; i < lost; ++i) ASSERT_TRUE(decoder.Decode(protectedPackets[i], out));
  ASSERT_TRUE(decoder.DecodeFec(protectedPackets[lost + 1], out));
  EXPECT_EQ(decoder.Stats().fecDecoded, 1u);
  const double ratioDb = 20.0 * std::log10(test::Rms(out) / test::Rms(mixes[lost]));
  EXPECT_NEAR(ratioDb, 0.0, 4.0);
  EXPECT_GT(test::ToneEnergy(out, 440), 10 * test::ToneEnergy(out, 1500));
}

// Issue 11: lip sync. Each listener's packet says how long ago its content reached us.
TEST(AudioMixerTest, ContentDelayIsTheJitterBufferDelayOfTheTalkersHeard) {
  AudioMixer mixer;
  ASSERT_TRUE(mixer.AddParticipant(1));
  ASSERT_TRUE(mixer.AddParticipant(2));
  ASSERT_TRUE(mixer.AddParticipant(3));
  OpusEncoderStage e1, e2;
  int64_t now = 1'000'000;
  uint16_t seq = 0;
  TickResult r;
  // Sender 2's packets are stamped 30 ms before sender 1's: they waited 30 ms longer to be played.
  for (std::size_t i = 0; i < 40; ++i, ++seq, now += kFrameDurationUs) {
    const auto p1 = e1.Encode(test::SineFrame(300, 0.2, i));
    mixer.OnRtp(1, seq, static_cast<uint32_t>(i * 960), now, p1);
    const auto p2 = e2.Encode(test::SineFrame(700, 0.2, i));
    mixer.OnRtp(2, seq, static_cast<uint32_t>(i * 960), now - 30'000, p2);
    r = mixer.Tick(now);
  }
  const auto d1 = mixer.PlayoutDelayUs(1);
  const auto d2 = mixer.PlayoutDelayUs(2);
  ASSERT_TRUE(d1 && d2);
  EXPECT_FALSE(mixer.PlayoutDelayUs(3).has_value());  // sends nothing
  // The jitter buffer built up its 60 ms target (three frames) before playing.
  EXPECT_GE(*d1, 40'000);
  EXPECT_LE(*d1, 80'000);
  EXPECT_NEAR(static_cast<double>(*d2 - *d1), 30'000.0, 1'000.0);
  // The listener hears both talkers: their mean; each talker hears the other.
  EXPECT_EQ(OutputFor(r, 3)->contentDelayUs, (*d1 + *d2) / 2);
  EXPECT_EQ(OutputFor(r, 1)->contentDelayUs, *d2);
  EXPECT_EQ(OutputFor(r, 2)->contentDelayUs, *d1);
  // Silence: no talker, each listener keeps the delay of its last talking tick (the SR mapping
  // does not jump back and forth between words).
  for (int i = 0; i < 40; ++i, now += kFrameDurationUs) r = mixer.Tick(now);
  EXPECT_FALSE(mixer.Status(1)->talking);
  EXPECT_EQ(OutputFor(r, 3)->contentDelayUs, (*d1 + *d2) / 2);
  EXPECT_EQ(OutputFor(r, 1)->contentDelayUs, *d2);
}

}  // namespace
}  // namespace medicall::media::audio
