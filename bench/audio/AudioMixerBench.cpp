// CPU time of one 20 ms AudioMixer tick for a meeting of N attendees with T talkers, with real Opus:
// every attendee sends one pre-encoded Opus packet per tick (talkers a tone at -16 dBov, the others
// background noise at about -62 dBov), the mixer decodes, selects, mixes and encodes, and produces one
// packet per listener. "listeners_per_core" = N / (CPU time per tick / 20 ms): how many mixed
// listeners one core sustains at that meeting shape.
//
//   bench_audio --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

#include "media/audio/AudioMixer.hpp"
#include "media/audio/OpusDecoderStage.hpp"
#include "media/audio/OpusEncoderStage.hpp"

namespace {

using namespace medicall::media::audio;

constexpr std::size_t kLoop = 50;  // one second of distinct packets per sender, replayed

std::vector<std::vector<uint8_t>> Encode(double hz, double amplitude, double noise, uint32_t seed) {
  OpusEncoderConfig config;
  config.complexity = 10;  // what a browser uses
  OpusEncoderStage encoder(config);
  std::mt19937 rng(seed);
  std::normal_distribution<double> white(0.0, 1.0);
  std::vector<std::vector<uint8_t>> packets;
  std::array<int16_t, kFrameSamples> pcm{};
  for (std::size_t f = 0; f < kLoop; ++f) {
    for (std::size_t i = 0; i < kFrameSamples; ++i) {
      const double t = static_cast<double>(f * kFrameSamples + i) / kSampleRate;
      const double v = amplitude * std::sin(2 * std::numbers::pi * hz * t) + noise * white(rng);
      pcm[i] = static_cast<int16_t>(std::clamp(v * 32767.0, -32768.0, 32767.0));
    }
    const auto out = encoder.Encode(pcm);
    packets.emplace_back(out.begin(), out.end());
  }
  return packets;
}

// The two costs everything else is made of: one 20 ms encode (by complexity) and one decode.
void BM_OpusEncode(benchmark::State& state) {
  OpusEncoderConfig config;
  config.complexity = static_cast<int>(state.range(0));
  OpusEncoderStage encoder(config);
  std::array<std::array<int16_t, kFrameSamples>, 10> frames{};
  for (std::size_t f = 0; f < frames.size(); ++f) {
    for (std::size_t i = 0; i < kFrameSamples; ++i) {
      const double t = static_cast<double>(f * kFrameSamples + i) / kSampleRate;
      frames[f][i] = static_cast<int16_t>(8000 * std::sin(2 * std::numbers::pi * 440 * t));
    }
  }
  std::size_t n = 0;
  for (auto _ : state) benchmark::DoNotOptimize(encoder.Encode(frames[n++ % frames.size()]).data());
}
BENCHMARK(BM_OpusEncode)
    ->ArgName("complexity")
    ->Arg(0)
    ->Arg(3)
    ->Arg(5)
    ->Arg(10)
    ->Unit(benchmark::kMicrosecond);

void BM_OpusDecode(benchmark::State& state) {
  const auto packets = Encode(440, 0.25, 0.0, 1);
  OpusDecoderStage decoder;
  std::array<int16_t, kFrameSamples> pcm{};
  std::size_t n = 0;
  for (auto _ : state) {
    decoder.Decode(packets[n++ % packets.size()], pcm);
    benchmark::DoNotOptimize(pcm.data());
  }
}
BENCHMARK(BM_OpusDecode)->Unit(benchmark::kMicrosecond);

// args: attendees, talkers, audio-level extension (0/1), forward single talker (0/1)
void BM_MixerTick(benchmark::State& state) {
  const auto attendees = static_cast<uint32_t>(state.range(0));
  const auto talkers = static_cast<uint32_t>(state.range(1));
  const bool levelExtension = state.range(2) != 0;
  AudioMixerConfig config;
  config.forwardSingleTalker = state.range(3) != 0;
  AudioMixer mixer(config);

  struct Source {
    uint32_t id;
    std::vector<std::vector<uint8_t>> packets;
    std::optional<uint8_t> level;
  };
  std::vector<Source> sources;
  const auto noise = Encode(0, 0.0, 0.0008, 1);
  for (uint32_t id = 1; id <= attendees; ++id) {
    mixer.AddParticipant(id, RtpStart{});
    const bool talks = id <= talkers;
    Source s{.id = id,
             .packets = talks ? Encode(200.0 + 150.0 * id, 0.22, 0.0, id) : noise,
             .level = std::nullopt};
    if (levelExtension) s.level = talks ? uint8_t{16} : uint8_t{62};
    sources.push_back(std::move(s));
  }

  int64_t now = 0;
  uint64_t tick = 0;
  auto step = [&] {
    const auto seq = static_cast<uint16_t>(tick);
    const std::size_t frame = tick % kLoop;
    for (const Source& s : sources) {
      mixer.OnRtp(s.id, seq, static_cast<uint32_t>(tick * kRtpTimestampStep), now, s.packets[frame], s.level);
    }
    const TickResult r = mixer.Tick(now);
    now += kFrameDurationUs;
    ++tick;
    return r;
  };
  for (int i = 0; i < 20; ++i) step();  // fill the jitter buffers, warm the codecs

  MixerTickStats last{};
  for (auto _ : state) {
    const TickResult r = step();
    benchmark::DoNotOptimize(r.outputs.data());
    last = r.stats;
  }
  state.counters["talkers"] = last.talkers;
  state.counters["decodes"] = last.decodes;
  state.counters["encodes"] = last.encodes;
  state.counters["silent"] = last.silent;
  // Listener-ticks per CPU second, divided by 50 ticks per second of audio.
  state.counters["listeners_per_core"] =
      benchmark::Counter(static_cast<double>(attendees) * static_cast<double>(state.iterations()) / 50.0,
                         benchmark::Counter::kIsRate);
}

void MeetingShapes(benchmark::internal::Benchmark* b) {
  for (int64_t n : {2, 10, 50, 250}) {
    for (int64_t t : {1, 2, 3}) {
      if (t > n) continue;
      b->Args({n, t, 0, 0});  // no audio-level extension: every sender decoded
      b->Args({n, t, 1, 0});  // RFC 6464 levels: only talkers decoded
    }
    b->Args({n, 1, 1, 1});  // one talker, forwarded without transcoding
  }
}

BENCHMARK(BM_MixerTick)
    ->Apply(MeetingShapes)
    ->ArgNames({"attendees", "talkers", "levelext", "fwd"})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
