// medicall_load: the load generator (issue 14). Drives a MediCall server with simulated attendees
// that do what amazon-chime-sdk-js does (app API join, Chime signaling, ICE, DTLS, SRTP, real VP8 and
// Opus, transport-wide feedback), holds them for a measured window and prints one JSON report:
// forwarded packets/s, the server's CPU per forwarded packet and resident memory per leg (read from
// /proc/<server-pid>), forwarding latency p50/p99 (send times carried in the video payload) and the
// video loss the receiving legs saw.
//
//   medicall_load --server http://127.0.0.1:3001 --server-pid <pid> --scenario s1 --rooms 10 --seconds 20
//
// Scenarios: s1 = 1:1 consultations (2 legs per room, audio and 640x480 video both ways); s2 = groups of
// 5 (everyone publishes, everyone receives all); s3 = one speaker to many listeners (10 per room: the
// first leg publishes, the others have camera off and microphone muted); s4 = a join storm (1:1 rooms
// joined one leg every --join-interval-ms, default 100: 100 joins in 10 s with --rooms 50), reported
// as join-to-first-media latency. --legs-per-room overrides the group size. Every report has the
// join-to-first-audio and join-to-first-video latencies of its legs (from the start of POST /join).
#include <poll.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "HttpClient.hpp"
#include "Leg.hpp"
#include "MediaSource.hpp"
#include "ProcessStats.hpp"
#include "WorkerTestSupport.hpp"
#include "common/LibraryInit.hpp"
#include "common/Logger.hpp"

using namespace medicall::bench::load;
using medicall::testing::OnWorker;

namespace {

struct Options {
  std::string server = "http://127.0.0.1:3001";
  pid_t serverPid = 0;
  std::string scenario = "s1";
  unsigned rooms = 2;
  unsigned legsPerRoom = 0;  // 0: the scenario's
  double seconds = 10;
  double warmupSeconds = 3;
  int cpu = -1;  // pin the generator to this core
  std::string label = "medicall";
  std::string localIp = "0.0.0.0";
  int joinIntervalMs = -1;  // -1: the scenario's (s4: 100, else 0)
};

[[noreturn]] void Usage(const char* error) {
  std::fprintf(
      stderr,
      "%s\nusage: medicall_load [--server URL] [--server-pid PID] [--scenario s1|s2|s3|s4] [--rooms N]\n"
      "                     [--legs-per-room N] [--seconds S] [--warmup S] [--cpu CORE] [--label NAME]\n"
      "                     [--local-ip ADDRESS] [--join-interval-ms MS]\n",
      error);
  std::exit(2);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    try {
      if (a == "--server")
        o.server = value();
      else if (a == "--server-pid")
        o.serverPid = static_cast<pid_t>(std::stol(value()));
      else if (a == "--scenario")
        o.scenario = value();
      else if (a == "--rooms")
        o.rooms = static_cast<unsigned>(std::stoul(value()));
      else if (a == "--legs-per-room")
        o.legsPerRoom = static_cast<unsigned>(std::stoul(value()));
      else if (a == "--seconds")
        o.seconds = std::stod(value());
      else if (a == "--warmup")
        o.warmupSeconds = std::stod(value());
      else if (a == "--cpu")
        o.cpu = std::stoi(value());
      else if (a == "--label")
        o.label = value();
      else if (a == "--local-ip")
        o.localIp = value();
      else if (a == "--join-interval-ms")
        o.joinIntervalMs = std::stoi(value());
      else
        Usage(("unknown option " + a).c_str());
    } catch (const std::logic_error&) {
      Usage(("bad value for " + a).c_str());
    }
  }
  if (o.scenario != "s1" && o.scenario != "s2" && o.scenario != "s3" && o.scenario != "s4")
    Usage("scenario must be s1, s2, s3 or s4");
  if (o.legsPerRoom == 0) o.legsPerRoom = o.scenario == "s2" ? 5 : o.scenario == "s3" ? 10 : 2;
  if (o.joinIntervalMs < 0) o.joinIntervalMs = o.scenario == "s4" ? 100 : 0;
  if (o.legsPerRoom < 2 || o.rooms == 0 || o.seconds <= 0)
    Usage("need >= 2 legs per room, >= 1 room, seconds > 0");
  return o;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Drives every leg's signaling for `ms` (or until `until` holds, checked every 200 ms).
template <typename Until>
bool Pump(std::vector<std::unique_ptr<Leg>>& legs, int64_t ms, Until until) {
  const int64_t end = NowMs() + ms;
  int64_t nextCheck = 0;
  std::vector<pollfd> fds;
  while (NowMs() < end) {
    if (NowMs() >= nextCheck) {
      if (until()) return true;
      nextCheck = NowMs() + 200;
    }
    fds.clear();
    for (auto& l : legs) fds.push_back({l->SignalingFd(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), 50);
    const int64_t now = NowMs();
    for (auto& l : legs) l->PumpSignaling(now);
  }
  return until();
}

struct Totals {
  LegCounters sum;
  unsigned connected = 0;
  std::vector<LegCounters> perLeg;
};

Totals Count(medicall::net::MediaWorker& worker, std::vector<std::unique_ptr<Leg>>& legs) {
  return OnWorker(worker, [&] {
    Totals t;
    for (auto& l : legs) {
      const LegCounters c = l->CountersNow();
      t.perLeg.push_back(c);
      t.sum.audioSent += c.audioSent;
      t.sum.videoSent += c.videoSent;
      t.sum.audioReceived += c.audioReceived;
      t.sum.videoReceived += c.videoReceived;
      t.sum.otherReceived += c.otherReceived;
      t.sum.videoExpected += c.videoExpected;
      t.sum.bytesReceived += c.bytesReceived;
      t.sum.keyframeRequests += c.keyframeRequests;
      t.connected += c.connected && !c.closed;
    }
    return t;
  });
}

template <typename T>
double Percentile(std::vector<T>& v, double p) {
  if (v.empty()) return 0;
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return static_cast<double>(v[i]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  medicall::log::SetLevel(medicall::log::Level::Warn);
  medicall::InitLibraries();
  if (options.cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(options.cpu, &set);
    if (::sched_setaffinity(0, sizeof(set), &set) != 0)
      std::fprintf(stderr, "could not pin to core %d\n", options.cpu);
  }
  const auto server = HttpUrl::Parse(options.server);
  if (!server) Usage("--server must be http://host:port");

  const MediaSource source = MediaSource::Encode({});
  if (!source.Error().empty()) {
    std::fprintf(stderr, "media: %s\n", source.Error().c_str());
    return 1;
  }
  const auto baseline = options.serverPid ? SampleProcess(options.serverPid) : std::nullopt;

  medicall::net::MediaWorker worker("load");
  worker.Start();
  std::vector<std::unique_ptr<Leg>> legs;
  // The media clock: every 5 ms each leg sends what is due.
  boost::asio::steady_timer timer(worker.Context());
  std::function<void()> arm = [&] {
    timer.expires_after(std::chrono::milliseconds(5));
    timer.async_wait([&](const boost::system::error_code& ec) {
      if (ec) return;
      worker.Guard("load media tick", [&] {
        const int64_t nowUs = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count();
        for (auto& l : legs) l->MediaTick(nowUs);
      });
      arm();
    });
  };

  const std::string run = std::to_string(::getpid()) + "-" + std::to_string(NowMs() % 100000);
  const auto joinStart = std::chrono::steady_clock::now();
  for (unsigned r = 0; r < options.rooms; ++r) {
    const std::string room = "load-" + options.scenario + "-" + run + "-" + std::to_string(r);
    for (unsigned k = 0; k < options.legsPerRoom; ++k) {
      if (options.joinIntervalMs > 0 && !legs.empty())
        Pump(legs, options.joinIntervalMs,
             [] { return false; });  // the storm's pace; the joined keep talking
      const bool publish = options.scenario != "s3" || k == 0;
      auto leg = std::make_unique<Leg>("load-" + std::to_string(r) + "-" + std::to_string(k),
                                       static_cast<uint32_t>(legs.size()), worker, source, publish);
      if (!leg->Join(*server, room, options.localIp)) {
        std::fprintf(stderr, "leg %zu (room %u) did not join: %s\n", legs.size(), r, leg->Error().c_str());
        return 1;
      }
      OnWorker(worker, [&] {
        legs.push_back(std::move(leg));
        if (legs.size() == 1) arm();
        return 0;
      });
    }
  }
  const double joinSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - joinStart).count();
  // Everyone connected and receiving the mixed audio and the video of every other publisher in the room.
  const size_t publishers = options.scenario == "s3" ? 1 : options.legsPerRoom;
  const auto videoSourcesOf = [&](const Leg& l) { return publishers - (l.Publishes() ? 1 : 0); };
  const bool ready = Pump(legs, 30000, [&] {
    const Totals t = Count(worker, legs);
    if (t.connected != legs.size()) return false;
    for (size_t i = 0; i < legs.size(); ++i) {
      const size_t sources = videoSourcesOf(*legs[i]);
      if (legs[i]->SubscribedStreams() < sources || (sources > 0 && t.perLeg[i].videoReceived == 0) ||
          t.perLeg[i].audioReceived == 0)
        return false;
    }
    return true;
  });
  if (!ready) {
    const Totals t = Count(worker, legs);
    std::fprintf(stderr, "not every leg is connected and receiving: %u of %zu connected\n", t.connected,
                 legs.size());
  }
  Pump(legs, static_cast<int64_t>(options.warmupSeconds * 1000), [] { return false; });

  const Totals before = Count(worker, legs);
  OnWorker(worker, [&] {
    for (auto& l : legs) l->TakeLatencies();
    return 0;
  });
  const auto serverBefore = options.serverPid ? SampleProcess(options.serverPid) : std::nullopt;
  const auto selfBefore = SampleProcess(::getpid());
  const auto windowStart = std::chrono::steady_clock::now();
  Pump(legs, static_cast<int64_t>(options.seconds * 1000), [] { return false; });
  const double window = std::chrono::duration<double>(std::chrono::steady_clock::now() - windowStart).count();
  const auto serverAfter = options.serverPid ? SampleProcess(options.serverPid) : std::nullopt;
  const auto selfAfter = SampleProcess(::getpid());
  const Totals after = Count(worker, legs);
  std::vector<int32_t> latencies = OnWorker(worker, [&] {
    std::vector<int32_t> all;
    for (auto& l : legs) {
      auto v = l->TakeLatencies();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  });

  unsigned receivingVideo = 0, receivingAudio = 0, sendingBoth = 0, expectingVideo = 0, publishing = 0;
  std::vector<int64_t> toFirstAudio, toFirstVideo;
  for (size_t i = 0; i < legs.size(); ++i) {
    const LegCounters& a = after.perLeg[i];
    const LegCounters& b = before.perLeg[i];
    expectingVideo += videoSourcesOf(*legs[i]) > 0;
    publishing += legs[i]->Publishes();
    receivingVideo += a.videoReceived > b.videoReceived;
    receivingAudio += a.audioReceived > b.audioReceived;
    sendingBoth += a.videoSent > b.videoSent && a.audioSent > b.audioSent;
    if (a.firstAudioUs > 0) toFirstAudio.push_back(a.firstAudioUs - a.joinStartUs);
    // To first video: only for legs whose video sources had all joined before them (s3's listeners,
    // the last to join each other room), so that it does not include waiting for a later publisher.
    const bool lastOfRoom = i % options.legsPerRoom == options.legsPerRoom - 1;
    const bool sourcesFirst = options.scenario == "s3" ? !legs[i]->Publishes() : lastOfRoom;
    if (a.firstVideoUs > 0 && sourcesFirst) toFirstVideo.push_back(a.firstVideoUs - a.joinStartUs);
  }
  const uint64_t forwarded = (after.sum.audioReceived + after.sum.videoReceived + after.sum.otherReceived) -
                             (before.sum.audioReceived + before.sum.videoReceived + before.sum.otherReceived);
  const uint64_t expected = after.sum.videoExpected - before.sum.videoExpected;
  const uint64_t videoIn = after.sum.videoReceived - before.sum.videoReceived;
  nlohmann::json report = {
      {"server", options.label},
      {"scenario", options.scenario},
      {"rooms", options.rooms},
      {"legsPerRoom", options.legsPerRoom},
      {"legs", legs.size()},
      {"windowSeconds", window},
      {"joinSeconds", joinSeconds},
      {"legsConnected", after.connected},
      {"legsPublishing", publishing},
      {"legsSendingAudioAndVideo", sendingBoth},
      {"legsExpectingVideo", expectingVideo},
      {"legsReceivingVideo", receivingVideo},
      {"legsReceivingAudio", receivingAudio},
      {"sent",
       {{"audio", after.sum.audioSent - before.sum.audioSent},
        {"video", after.sum.videoSent - before.sum.videoSent}}},
      {"received",
       {{"audio", after.sum.audioReceived - before.sum.audioReceived},
        {"video", videoIn},
        {"other", after.sum.otherReceived - before.sum.otherReceived}}},
      {"forwardedPacketsPerSecond", static_cast<double>(forwarded) / window},
      {"receivedMbps",
       static_cast<double>(after.sum.bytesReceived - before.sum.bytesReceived) * 8 / window / 1e6},
      {"videoLossPercent",
       expected > 0 && expected > videoIn ? 100.0 * static_cast<double>(expected - videoIn) / expected : 0.0},
      {"keyframeRequests", after.sum.keyframeRequests - before.sum.keyframeRequests},
      {"latencyMs",
       {{"samples", latencies.size()},
        {"p50", Percentile(latencies, 0.5)},
        {"p99", Percentile(latencies, 0.99)}}},
      {"joinToFirstAudioMs",
       {{"legs", toFirstAudio.size()},
        {"p50", Percentile(toFirstAudio, 0.5)},
        {"p99", Percentile(toFirstAudio, 0.99)}}},
      {"joinToFirstVideoMs",
       {{"legs", toFirstVideo.size()},
        {"p50", Percentile(toFirstVideo, 0.5)},
        {"p99", Percentile(toFirstVideo, 0.99)}}},
  };
  // The generator's own CPU: near 100% of its core, the figures measure the generator, not the server.
  if (selfBefore && selfAfter)
    report["generatorCpuPercent"] = 100.0 * (selfAfter->cpuSeconds - selfBefore->cpuSeconds) / window;
  if (serverBefore && serverAfter && baseline) {
    const double cpu = serverAfter->cpuSeconds - serverBefore->cpuSeconds;
    report["serverCpuPercent"] = 100.0 * cpu / window;
    report["serverCpuNsPerForwardedPacket"] =
        forwarded > 0 ? cpu * 1e9 / static_cast<double>(forwarded) : 0.0;
    report["serverRssMb"] = serverAfter->rssMb;
    report["serverRssMbPerLeg"] = (serverAfter->rssMb - baseline->rssMb) / static_cast<double>(legs.size());
  } else {
    report["serverCpuPercent"] = nullptr;
    report["serverCpuNsPerForwardedPacket"] = nullptr;
    report["serverRssMbPerLeg"] = nullptr;
  }
  std::printf("%s\n", report.dump(2).c_str());
  std::fflush(stdout);

  for (auto& l : legs) l->Leave();
  OnWorker(worker, [&] {
    timer.cancel();
    return 0;
  });
  legs.clear();
  worker.Stop();
  return ready ? 0 : 1;
}
