#include "app/MediaWorkerPool.hpp"

#include <algorithm>
#include <future>
#include <stdexcept>

namespace medicall::app {

size_t MediaWorkerPool::LeastLoaded(std::span<const Load> loads) {
  auto cost = [](const Load& l) {
    return l.packetsPerSecond + l.meetings * kMeetingCost + l.transports * kTransportCost;
  };
  size_t best = 0;
  for (size_t i = 1; i < loads.size(); ++i) {
    if (cost(loads[i]) < cost(loads[best])) best = i;
  }
  return best;
}

size_t MediaWorkerPool::WorkerCount(int configured, unsigned cores) {
  if (configured > 0) return static_cast<size_t>(configured);
  return std::max(1u, cores);
}

MediaWorkerPool::MediaWorkerPool(size_t count) {
  workers_.reserve(count);
  for (size_t i = 0; i < std::max<size_t>(count, 1); ++i)
    workers_.push_back(std::make_unique<Worker>("media-" + std::to_string(i)));
}

MediaWorkerPool::~MediaWorkerPool() {
  for (auto& w : workers_) w->worker.Stop();
}

void MediaWorkerPool::Bind(const std::string& address, uint16_t udpPort, int tcpPort,
                           net::TcpMediaServer::Options tcp) {
  for (size_t i = 0; i < workers_.size(); ++i) {
    auto& d = workers_[i]->demuxer;
    const auto offset = static_cast<uint16_t>(i);
    const uint16_t udp = udpPort == 0 ? 0 : static_cast<uint16_t>(udpPort + offset);
    if (udpPort != 0 && udpPort + i > 65535)
      throw std::runtime_error("media worker " + std::to_string(i) + ": UDP port " +
                               std::to_string(udpPort + i) +
                               " is out of range (MEDICALL_MEDIA_PORT + worker)");
    try {
      d.Bind(address, udp);
    } catch (const std::exception& e) {
      throw std::runtime_error("media worker " + std::to_string(i) + " (UDP port " + std::to_string(udp) +
                               ", media port + " + std::to_string(i) + "): " + e.what());
    }
    if (tcpPort == 0) continue;
    const uint16_t port = tcpPort < 0 ? d.LocalPort() : static_cast<uint16_t>(tcpPort + offset);
    try {
      d.ListenTcp(address, port, tcp);
    } catch (const std::exception& e) {
      throw std::runtime_error("media worker " + std::to_string(i) + " (ICE-TCP port " +
                               std::to_string(port) + "): " + e.what());
    }
  }
}

void MediaWorkerPool::Start() {
  for (auto& w : workers_) w->worker.Start();
}

void MediaWorkerPool::Stop(std::chrono::milliseconds timeout) {
  for (auto& w : workers_) {
    if (!w->worker.IsRunning()) continue;
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    w->worker.Post([done] { done->set_value(); });
    finished.wait_for(timeout);
  }
  for (auto& w : workers_) w->worker.Stop();
}

size_t MediaWorkerPool::Place() {
  const auto loads = Loads();
  const size_t i = LeastLoaded(loads);
  workers_[i]->meetings.fetch_add(1, std::memory_order_relaxed);
  return i;
}

void MediaWorkerPool::Release(size_t i) {
  if (i < workers_.size()) workers_[i]->meetings.fetch_sub(1, std::memory_order_relaxed);
}

void MediaWorkerPool::SampleLoad(std::chrono::microseconds sinceLast) {
  const auto us = std::max<int64_t>(sinceLast.count(), 1);
  for (auto& w : workers_) {
    const uint64_t received = w->demuxer.SocketStats().received.load(std::memory_order_relaxed);
    const uint64_t delta = received - w->lastReceived;
    w->lastReceived = received;
    w->packetsPerSecond.store(delta * 1'000'000 / static_cast<uint64_t>(us), std::memory_order_relaxed);
  }
}

std::vector<MediaWorkerPool::Load> MediaWorkerPool::Loads() const {
  std::vector<Load> loads;
  loads.reserve(workers_.size());
  for (const auto& w : workers_) {
    loads.push_back({w->meetings.load(std::memory_order_relaxed), w->demuxer.RegisteredTransports(),
                     w->packetsPerSecond.load(std::memory_order_relaxed)});
  }
  return loads;
}

std::vector<const quality::MediaMetrics*> MediaWorkerPool::Metrics() const {
  std::vector<const quality::MediaMetrics*> out;
  for (const auto& w : workers_) out.push_back(&w->metrics);
  return out;
}

}  // namespace medicall::app
