#pragma once
// The media workers: N (MediaWorker, MediaDemuxer, MediaMetrics) triples, one thread each. Worker i
// binds UDP media port + i (and its ICE-TCP listener on the TCP port + i), so a meeting's answer
// carries the port of the worker it was placed on, and names its thread "media-<i>".
// Placement is by load: the meetings placed on a worker, its registered transports and the packets
// per second it received, all read as atomics on the HTTP thread. A meeting stays on its worker.
// Threading: Place/Release/SampleLoad on the HTTP thread; each worker's objects on its own thread.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/MediaWorker.hpp"
#include "net/TcpMediaServer.hpp"
#include "quality/MediaMetrics.hpp"
#include "webrtc/transport/MediaDemuxer.hpp"

namespace medicall::app {

class MediaWorkerPool {
 public:
  struct Load {
    uint64_t meetings = 0;          // placed and not yet released
    uint64_t transports = 0;        // registered with the worker's demuxer
    uint64_t packetsPerSecond = 0;  // received, over the last SampleLoad() interval
  };
  // What a meeting or a transport is taken to cost, in received packets per second, before its
  // media flows (a 1:1 call with audio and video receives about 300/s).
  static constexpr uint64_t kMeetingCost = 300;
  static constexpr uint64_t kTransportCost = 150;
  // The index of the least loaded worker (cost: packets/s plus the costs above); the lowest index
  // among equals. `loads` is not empty.
  static size_t LeastLoaded(std::span<const Load> loads);
  // Workers to run: `configured`, or one per core when 0 (`cores` 0 counts as one).
  static size_t WorkerCount(int configured, unsigned cores);

  struct Worker {
    explicit Worker(const std::string& name) : worker(name), demuxer(worker) {}
    net::MediaWorker worker;
    webrtc::transport::MediaDemuxer demuxer;
    quality::MediaMetrics metrics;  // this worker's sources, published on its thread
    std::atomic<uint64_t> meetings{0};
    std::atomic<uint64_t> packetsPerSecond{0};
    uint64_t lastReceived = 0;  // HTTP thread (SampleLoad)
  };

  explicit MediaWorkerPool(size_t count);
  ~MediaWorkerPool();  // stops the workers
  MediaWorkerPool(const MediaWorkerPool&) = delete;
  MediaWorkerPool& operator=(const MediaWorkerPool&) = delete;

  // Before Start: worker i binds UDP `udpPort` + i (every worker an ephemeral port when 0) and, when
  // `tcpPort` is not 0, listens for ICE-TCP on `tcpPort` + i (tcpPort < 0: each on its UDP port).
  // Throws std::runtime_error naming the worker and port when one is taken.
  void Bind(const std::string& address, uint16_t udpPort, int tcpPort, net::TcpMediaServer::Options tcp);
  void Start();
  // Runs an empty task on every worker and waits (up to `timeout` each), then stops them.
  void Stop(std::chrono::milliseconds timeout);

  size_t Size() const { return workers_.size(); }
  Worker& At(size_t i) { return *workers_[i]; }
  const Worker& At(size_t i) const { return *workers_[i]; }

  // HTTP thread: the least loaded worker, with one more meeting counted on it until Release(i).
  size_t Place();
  void Release(size_t i);
  // HTTP thread, about once a second: updates each worker's packets per second.
  void SampleLoad(std::chrono::microseconds sinceLast);
  std::vector<Load> Loads() const;
  // Every worker's MediaMetrics, for MediaMetrics::Render.
  std::vector<const quality::MediaMetrics*> Metrics() const;

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace medicall::app
