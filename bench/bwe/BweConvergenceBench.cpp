// Convergence of the send-side estimator (media/bwe/SendSideEstimator) on a simulated bottleneck
// (server/test/media/bwe/LinkSimulation.hpp: a sender at the estimate, a FIFO link of the given
// capacity with 20 ms one-way delay and a 300 ms tail-drop queue, real transport-wide feedback every
// 50 ms). Simulated time, so the figures are deterministic; CPU per feedback is measured.
// Prints one row per (capacity, start, probing) triple. Arguments are ignored (scripts/bench.sh passes
// Google Benchmark flags to every bench_* program).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "media/bwe/LinkSimulation.hpp"

namespace {

using medicall::media::bwe::SendSideEstimator;
using medicall::media::bwe::testing::LinkSettings;
using medicall::media::bwe::testing::LinkSimulation;

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void Scenario(uint64_t capacityBps, uint64_t startBps, bool probing) {
  constexpr int64_t kRunUs = 60'000'000;
  constexpr int64_t kSampleUs = 100'000;
  LinkSettings link;
  link.capacityBps = capacityBps;
  link.probing = probing;
  link.askBps = 10'000'000;  // a receiver asking for more than either link
  SendSideEstimator::Settings settings;
  settings.startBps = startBps;
  LinkSimulation sim(link, settings);
  struct Sample {
    int64_t us;
    uint64_t estimate;
    int64_t queueUs;
  };
  std::vector<Sample> samples;
  const int64_t t0 = sim.Clock().NowUs();
  const double cpu0 = CpuSeconds();
  sim.Run(kRunUs, kSampleUs, [&](int64_t now) {
    samples.push_back({now - t0, sim.Estimator().EstimateBps(), sim.LastQueueDelayUs()});
  });
  const double cpu = CpuSeconds() - cpu0;
  const double c = static_cast<double>(capacityBps);
  // First time at 80% of the capacity; time from which it stays within 60..120% for the rest of the run.
  double reach = -1;
  for (const auto& s : samples) {
    if (static_cast<double>(s.estimate) >= 0.8 * c) {
      reach = static_cast<double>(s.us) / 1e6;
      break;
    }
  }
  double settle = 0;
  for (const auto& s : samples) {
    const double e = static_cast<double>(s.estimate);
    if (e < 0.6 * c || e > 1.2 * c) settle = static_cast<double>(s.us + kSampleUs) / 1e6;
  }
  double sum = 0;
  int n = 0;
  std::vector<int64_t> queue;
  for (const auto& s : samples) {
    if (s.us < 30'000'000) continue;
    sum += static_cast<double>(s.estimate);
    ++n;
    queue.push_back(s.queueUs);
  }
  std::sort(queue.begin(), queue.end());
  const double p95QueueMs = queue.empty() ? 0 : static_cast<double>(queue[queue.size() * 95 / 100]) / 1000;
  const double utilisation =
      static_cast<double>(sim.DeliveredBytes()) * 8 / (static_cast<double>(kRunUs) / 1e6) / c;
  std::printf(
      "| %5.1f Mbit/s | %5.2f Mbit/s | %-3s | %6.1f s | %6.1f s | %5.0f%% | %6.1f ms | %5.2f%% | %6.0f ns "
      "|\n",
      c / 1e6, static_cast<double>(startBps) / 1e6, probing ? "yes" : "no", reach, settle, 100 * sum / n / c,
      p95QueueMs,
      100.0 * static_cast<double>(sim.Dropped()) / static_cast<double>(std::max<uint64_t>(sim.Sent(), 1)),
      cpu * 1e9 / static_cast<double>(std::max<uint64_t>(sim.Estimator().FeedbackCount(), 1)));
  (void)utilisation;
}

}  // namespace

int main() {
  std::printf(
      "| link | start | probing | at 80%% | settled (60..120%%) | mean estimate 30-60 s / link | p95 queue "
      "30-60 s | "
      "lost | CPU per feedback (sim incl.) |\n|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
  for (uint64_t capacity : {1'000'000ULL, 5'000'000ULL}) {
    for (uint64_t start : {300'000ULL, 1'000'000ULL}) {
      for (bool probing : {false, true}) Scenario(capacity, start, probing);
    }
  }
  return 0;
}
