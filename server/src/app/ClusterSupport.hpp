#pragma once
// The application's side of running as a cluster node (MEDICALL_REDIS_URL set): the store choice,
// the node (registry, placement, control channel), the signaling relay to a meeting's host, and
// the drain (SIGTERM or POST /admin/drain). Without MEDICALL_REDIS_URL: SQLite, one node, and
// every method here is a no-op that lets the caller go on as before.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "cluster/ClusterNode.hpp"
#include "common/Config.hpp"
#include "common/HttpTypes.hpp"
#include "meetings/MeetingsService.hpp"
#include "meetings/SigV4Verifier.hpp"
#include "net/HttpServer.hpp"
#include "store/Store.hpp"

namespace medicall::app {

class ClusterSupport {
 public:
  // RedisStore for MEDICALL_REDIS_URL (throws std::runtime_error naming the setting for a bad URL
  // or TLS files that do not load), else SqliteStore in the data directory.
  static std::unique_ptr<store::Store> MakeStore(const Config& config);

  // `local` gets the control events (the signaling bridge); `attendeesHere` and `meetingsHere` are
  // read on the HTTP thread.
  ClusterSupport(const Config& config, boost::asio::io_context& ioc, meetings::MeetingsListener& local,
                 std::function<size_t()> attendeesHere, std::function<size_t()> meetingsHere);
  ~ClusterSupport();

  bool Enabled() const { return node_ != nullptr; }
  // The clinic's events between the nodes, on the control channel (no-ops without a cluster).
  // `handler` runs on the subscriber thread; set it before Start. PublishClinic throws
  // ServiceUnavailable when Redis is unreachable.
  void SetClinicHandler(std::function<void(const std::string& event)> handler);
  void PublishClinic(const std::string& event);
  // Wires placement and the control channel into `meetings` and starts the node.
  void Start(meetings::MeetingsService& meetings, uint16_t httpPort, uint16_t mediaPort);
  // /control/<MeetingId> of a meeting hosted elsewhere: a relay to its host (nullopt: serve it here).
  // A relayed request (from another node) is always served here.
  std::optional<net::WebSocketDecision> RouteSignaling(const HttpRequest& request);
  // POST /admin/drain (SigV4 with the meetings credentials; loopback only without them).
  static bool Owns(const HttpRequest& request) { return request.path == "/admin/drain"; }
  HttpResponse HandleAdmin(const HttpRequest& request);
  // What ends a drain: `closeAll` closes every connection (WebSockets with 45xx, so the clients
  // reconnect onto another node); `exit` stops the process once they are closed.
  void SetDrainActions(std::function<void()> closeAll, std::function<void()> exit);
  // Drain: no new meetings here; once none is live here (or MEDICALL_DRAIN_TIMEOUT_SECONDS has
  // passed) the node leaves the registry and closeAll runs, then exit when `exitAfter` (POST
  // /admin/drain; on SIGTERM main exits by itself). HTTP thread. Idempotent.
  void BeginDrain(bool exitAfter);
  // True from BeginDrain until closeAll has run.
  bool Draining() const { return draining_ && !drainFinished_; }

 private:
  void Sample();
  void CheckDrain();

  const Config& config_;
  boost::asio::io_context& ioc_;
  std::function<size_t()> attendeesHere_;
  std::function<size_t()> meetingsHere_;
  std::atomic<int64_t> load_{0};
  std::unique_ptr<cluster::ClusterNode> node_;
  std::optional<meetings::SigV4Verifier> verifier_;
  boost::asio::steady_timer sampleTimer_;
  boost::asio::steady_timer drainTimer_;
  std::chrono::steady_clock::time_point drainDeadline_{};
  std::function<void()> closeAll_;
  std::function<void()> exit_;
  bool exitAfter_ = false;
  bool draining_ = false;
  bool drainFinished_ = false;
};

}  // namespace medicall::app
