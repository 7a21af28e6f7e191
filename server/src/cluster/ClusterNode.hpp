#pragma once
// This process as one node of a cluster that shares its state in Redis (MEDICALL_REDIS_URL).
//
// - Registry: every 2 s the node writes `medicall:node:<id>` (its URL for the other nodes, its media
//   address, its load, whether it drains) with a 6 s time to live. A node whose key has expired
//   (three missed heartbeats) is dead to placement.
// - Placement (meetings::MeetingPlacement): `medicall:place:<meetingId>` names the hosting node;
//   a meeting without a live host is placed on the least-loaded live node that does not drain
//   (load: meetings placed there plus attendees connected there), atomically (a Lua
//   compare-and-set), so two nodes resolving it at once agree.
// - Control: DeleteMeeting / DeleteAttendee on any node reach the host through the Redis channel
//   `medicall:control` (OnMeetingEnded / OnAttendeeDeleted on every other node's listener). The
//   clinic's events (waiting rooms, dashboards) travel on the same channel (PublishClinic).
//
// Redis unreachable: the heartbeat retries with backoff (logged once per outage), placement
// throws ServiceUnavailable (the APIs answer 503), calls in progress are not touched.
// Threads: the heartbeat and the subscriber each have their own thread and connection; placement
// and publishing share one connection behind a mutex (called from the store and HTTP threads).
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/Config.hpp"
#include "meetings/MeetingPlacement.hpp"
#include "meetings/MeetingsListener.hpp"
#include "store/RedisConnection.hpp"

namespace medicall::cluster {

struct NodeInfo {
  std::string id;
  std::string url;        // http://host:port for the other nodes (signaling relay)
  std::string audioHost;  // host:port of its media (MediaPlacement.AudioHostUrl)
  int64_t load = 0;       // attendees connected there
  bool draining = false;
};

class ClusterNode final : public meetings::MeetingPlacement, public meetings::MeetingsListener {
 public:
  static constexpr std::chrono::milliseconds kHeartbeatInterval{2000};
  static constexpr std::chrono::milliseconds kHeartbeatTtl{6000};

  // `load` is read on the heartbeat thread (it must be thread-safe). `local` receives the control
  // events of this node and of the others.
  ClusterNode(const Config& config, const store::RedisEndpoint& endpoint, std::function<int64_t()> load,
              meetings::MeetingsListener& local);
  ~ClusterNode() override;
  ClusterNode(const ClusterNode&) = delete;
  ClusterNode& operator=(const ClusterNode&) = delete;

  // Names the node from the bound ports and starts the heartbeat and subscriber threads (they
  // retry until Redis answers).
  void Start(uint16_t httpPort, uint16_t mediaPort);
  // Stops both threads and removes this node from the registry (best effort). Idempotent.
  void Stop();
  const NodeInfo& Self() const { return self_; }
  // Stops new placements here; meetings already here stay until they end or are moved.
  void BeginDrain();
  bool Draining() const { return draining_.load(); }
  // Leaves the registry now: meetings here are placed elsewhere when next resolved.
  void Leave();
  // The live node hosting the meeting, placed first when it has none (see Resolve).
  NodeInfo ResolveOwner(const std::string& meetingId);
  std::vector<NodeInfo> LiveNodes();
  // A random secret shared by the nodes through Redis (created by the first): a relayed signaling
  // request carries it, so that only a node can ask another to serve a meeting it may not host.
  std::string RelaySecret();

  // The clinic's events to the other nodes (a JSON text), and from them to `handler` (set before
  // Start; called on the subscriber thread). Throws ServiceUnavailable when Redis is unreachable.
  void SetClinicHandler(std::function<void(const std::string& event)> handler) {
    clinicHandler_ = std::move(handler);
  }
  void PublishClinic(const std::string& event) { Publish("clinic", "", event); }

  // meetings::MeetingPlacement
  std::string Resolve(const std::string& meetingId) override { return ResolveOwner(meetingId).audioHost; }
  bool IsLocal(const std::string& meetingId) override;
  void Forget(const std::string& meetingId) override;

  // meetings::MeetingsListener: the local listener first, then the other nodes.
  void OnMeetingEnded(const std::string& meetingId, meetings::MeetingEndReason reason) override;
  void OnAttendeeDeleted(const std::string& meetingId, const std::string& attendeeId) override;

 private:
  void HeartbeatLoop();
  void SubscribeLoop();
  void Beat(store::RedisConnection& redis);
  void Publish(const std::string& op, const std::string& meetingId, const std::string& detail);
  void Deliver(const std::string& message);
  std::vector<NodeInfo> LiveNodesLocked();
  bool Sleep(std::chrono::milliseconds duration);  // false when stopping

  const Config& config_;
  store::RedisEndpoint endpoint_;
  std::function<int64_t()> load_;
  meetings::MeetingsListener& local_;
  std::function<void(const std::string&)> clinicHandler_;
  NodeInfo self_;
  std::atomic<bool> draining_{false};
  std::atomic<bool> left_{false};

  std::mutex mutex_;  // redis_, relaySecret_
  store::RedisConnection redis_;
  std::string relaySecret_;

  std::mutex stopMutex_;
  std::condition_variable stopWake_;
  bool stopping_ = false;
  std::thread heartbeat_;
  std::thread subscriber_;
};

}  // namespace medicall::cluster
