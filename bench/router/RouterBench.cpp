// bench_router: the forwarding path of the video SFU, in process with real ICE, DTLS and SRTP over
// UDP on 127.0.0.1. One publisher and N subscribers (1, 4, 16) join a Router through Subscribe()
// like Chime clients; the clients run on their own media worker (another thread), the Router on the
// server worker. Each iteration the publisher sends a burst of 1200-byte VP8 packets; the time
// reported per iteration is the CPU time of the server worker thread (CLOCK_THREAD_CPUTIME_ID):
// receive + decrypt once, then rewrite + encrypt + sendto per subscriber, plus the rest of the
// router's work (timers, RTCP). Counters:
//   ns_per_fwd      server CPU-ns per forwarded packet
//   fwd_per_core_s  forwarded packets per second of server CPU (one core)
//   user_ns_per_fwd the user-mode part of ns_per_fwd (router logic + SRTP; the rest is the kernel's
//                   loopback UDP path, which on loopback also delivers into the receivers' sockets)
// The subscribers' transports are unhooked from their sockets after connecting, so the client
// thread only drops what it receives (it does not compete with decryption work).
#include <benchmark/benchmark.h>
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <pthread.h>
#include <sys/resource.h>
#include <time.h>

#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"
#include "media/router/RouterHarness.hpp"

// Heap allocations per thread, to show the forwarding path allocates nothing in steady state.
namespace {
thread_local uint64_t tAllocations = 0;
}
void* operator new(std::size_t n) {
  ++tAllocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace {

using namespace medicall;
using media::router::testing::OnWorker;
using media::router::testing::RouterHarness;
using media::router::testing::TestClient;
using media::router::testing::WaitFor;
using namespace std::chrono_literals;

constexpr size_t kPayload = 1200 - 12;
constexpr size_t kBurst = 128;

int64_t ThreadCpuNs(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// User-mode CPU time of the calling thread (router logic, SRTP, libc), without the kernel's UDP work.
int64_t ThreadUserNs() {
  rusage u{};
  getrusage(RUSAGE_THREAD, &u);
  return static_cast<int64_t>(u.ru_utime.tv_sec) * 1'000'000'000 +
         static_cast<int64_t>(u.ru_utime.tv_usec) * 1000;
}

// pacedTargetBps: 0, the subscribers send no transport-wide feedback, so nothing is known of their
// path and their pacers let every packet through (the fast path: a budget check, no copy); else a
// target set on every subscriber (Router::SetTargetBitrate) so that about half of each burst waits in
// the pacer's queue and leaves from its timer (copy into the ring, timer wake-ups).
void BmForward(benchmark::State& state, webrtc::srtp::SrtpProfile profile, uint64_t pacedTargetBps = 0) {
  InitLibraries();
  log::SetLevel(log::Level::Warn);
  const auto subscribers = static_cast<size_t>(state.range(0));
  RouterHarness h(/*separateClientWorker=*/true, media::router::testing::RouterClock::System);
  TestClient& pub = h.AddClient("publisher");
  pub.srtpProfiles = {profile};
  const auto pa = h.Subscribe(pub, true, {});
  if (pa.status != 200 || pa.videoAllocations.empty()) {
    state.SkipWithError("publisher subscribe failed");
    return;
  }
  std::vector<TestClient*> subs;
  for (size_t i = 0; i < subscribers; ++i) {
    TestClient& c = h.AddClient("sub" + std::to_string(i));
    c.srtpProfiles = {profile};
    c.keep = false;
    if (h.Subscribe(c, false, {pa.videoAllocations.at(0).streamId}).tracks.size() != 1) {
      state.SkipWithError("subscriber subscribe failed");
      return;
    }
    subs.push_back(&c);
    if (pacedTargetBps != 0) {
      OnWorker(h.serverWorker, [&] {
        h.router->SetTargetBitrate(c.attendeeId, pacedTargetBps);
        return 0;
      });
    }
  }
  if (!WaitFor(h.ClientWorker(), [&] {
        for (auto* c : subs) {
          if (!c->connected) return false;
        }
        return pub.connected;
      })) {
    state.SkipWithError("clients did not connect");
    return;
  }
  uint16_t seq = 1;
  std::vector<uint8_t> buf(1500);
  auto sendBurst = [&](bool keyframeFirst) {
    OnWorker(h.ClientWorker(), [&] {
      for (size_t i = 0; i < kBurst; ++i, ++seq) {
        const size_t n = TestClient::Vp8Packet(96, seq, 3000u * (seq / 4), pub.videoSsrc,
                                               keyframeFirst && i == 0, kPayload, buf);
        pub.transport->SendRtp(buf, n);
      }
      return 0;
    });
  };
  // Open every subscriber with a key frame, then unhook the subscribers' transports.
  sendBurst(true);
  if (!WaitFor(h.ClientWorker(), [&] {
        for (auto* c : subs) {
          if (c->rtpCount == 0) return false;
        }
        return true;
      })) {
    state.SkipWithError("no media forwarded");
    return;
  }
  OnWorker(h.ClientWorker(), [&] {
    for (auto* c : subs) c->ownDemux->Remove(*c->transport);
    return 0;
  });
  const clockid_t serverClock = OnWorker(h.serverWorker, [] {
    clockid_t id{};
    pthread_getcpuclockid(pthread_self(), &id);
    return id;
  });
  auto forwarded = [&] { return OnWorker(h.serverWorker, [&] { return h.router->GetStats().forwarded; }); };
  auto queued = [&] {
    return OnWorker(h.serverWorker, [&] {
      const auto s = h.router->GetStats();
      return s.pacerQueued > s.pacerSent;
    });
  };

  uint64_t totalForwarded = 0;
  int64_t totalCpuNs = 0;
  const int64_t userBefore = OnWorker(h.serverWorker, [] { return ThreadUserNs(); });
  const uint64_t allocBefore = OnWorker(h.serverWorker, [] { return tAllocations; });
  for (auto _ : state) {
    const uint64_t before = forwarded();
    const int64_t cpuBefore = ThreadCpuNs(serverClock);
    sendBurst(false);
    const uint64_t target = before + kBurst * subscribers;
    uint64_t now = before;
    for (int tries = 0; tries < 200 && now < target; ++tries) {
      std::this_thread::sleep_for(tries == 0 ? 2ms : 1ms);
      now = forwarded();
    }
    // Paced: until the queued part of the burst has left too.
    for (int tries = 0; pacedTargetBps != 0 && tries < 200 && queued(); ++tries)
      std::this_thread::sleep_for(1ms);
    const int64_t cpu = ThreadCpuNs(serverClock) - cpuBefore;
    totalForwarded += now - before;
    totalCpuNs += cpu;
    state.SetIterationTime(static_cast<double>(cpu) / 1e9);
  }
  const int64_t userNs = OnWorker(h.serverWorker, [] { return ThreadUserNs(); }) - userBefore;
  // Includes the benchmark's own posted tasks (std::function, futures): a handful per iteration.
  const uint64_t allocations = OnWorker(h.serverWorker, [] { return tAllocations; }) - allocBefore;
  if (totalForwarded > 0 && totalCpuNs > 0) {
    state.counters["allocs_per_fwd"] = static_cast<double>(allocations) / static_cast<double>(totalForwarded);
    state.counters["user_ns_per_fwd"] = static_cast<double>(userNs) / static_cast<double>(totalForwarded);
    state.counters["ns_per_fwd"] = static_cast<double>(totalCpuNs) / static_cast<double>(totalForwarded);
    state.counters["fwd_per_core_s"] =
        static_cast<double>(totalForwarded) * 1e9 / static_cast<double>(totalCpuNs);
    const auto stats = OnWorker(h.serverWorker, [&] { return h.router->GetStats(); });
    state.counters["paced_ratio"] =
        static_cast<double>(stats.pacerQueued) / static_cast<double>(std::max<uint64_t>(stats.forwarded, 1));
    state.counters["pacer_drops"] = static_cast<double>(stats.pacerDropped);
    state.counters["fwd_ratio"] =
        static_cast<double>(totalForwarded) / static_cast<double>(state.iterations() * kBurst * subscribers);
  }
  state.SetItemsProcessed(static_cast<int64_t>(totalForwarded));
}

BENCHMARK_CAPTURE(BmForward, Gcm, webrtc::srtp::SrtpProfile::AeadAes128Gcm)
    ->Arg(1)
    ->Arg(4)
    ->Arg(16)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);
// A burst of 128 x 1200 bytes against a 5 ms burst budget at 2.5 x 50 Mbit/s (78 kB): half of it waits.
BENCHMARK_CAPTURE(BmForward, GcmPaced, webrtc::srtp::SrtpProfile::AeadAes128Gcm, 50'000'000)
    ->Arg(1)
    ->Arg(4)
    ->Arg(16)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.5);  // each iteration also waits for the queue: stay well within ICE's 30 s
BENCHMARK_CAPTURE(BmForward, CmSha1, webrtc::srtp::SrtpProfile::AesCm128HmacSha1_80)
    ->Arg(1)
    ->Arg(4)
    ->Arg(16)
    ->UseManualTime()
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
