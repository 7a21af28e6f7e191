#include <utility>

#include "app/ClusterSupport.hpp"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "cluster/SignalingProxy.hpp"
#include "common/ApiError.hpp"
#include "common/Logger.hpp"
#include "store/RedisStore.hpp"
#include "store/SqliteStore.hpp"

namespace medicall::app {

std::unique_ptr<store::Store> ClusterSupport::MakeStore(const Config& config) {
  if (auto endpoint = store::RedisEndpoint::FromConfig(config)) {
    auto redis = std::make_unique<store::RedisStore>(*endpoint);
    try {
      redis->Ping();
    } catch (const std::exception& e) {
      log::Error("store",
                 "{}: the node starts anyway and retries; the meetings API and /join answer 503 until "
                 "Redis answers",
                 e.what());
    }
    return redis;
  }
  return std::make_unique<store::SqliteStore>(config.dataDir);
}

ClusterSupport::ClusterSupport(const Config& config, boost::asio::io_context& ioc,
                               meetings::MeetingsListener& local, std::function<size_t()> attendeesHere,
                               std::function<size_t()> meetingsHere)
    : config_(config),
      ioc_(ioc),
      attendeesHere_(std::move(attendeesHere)),
      meetingsHere_(std::move(meetingsHere)),
      sampleTimer_(ioc),
      drainTimer_(ioc) {
  if (auto endpoint = store::RedisEndpoint::FromConfig(config)) {
    node_ = std::make_unique<cluster::ClusterNode>(
        config, *endpoint, [this] { return load_.load(); }, local);
  }
  if (config.HasCredentials())
    verifier_.emplace(config.awsAccessKeyId, config.awsSecretAccessKey, config.awsRegion, "chime",
                      config.sigv4SkewSeconds);
}

ClusterSupport::~ClusterSupport() {
  if (node_) node_->Stop();
}

void ClusterSupport::SetClinicHandler(std::function<void(const std::string& event)> handler) {
  if (node_) node_->SetClinicHandler(std::move(handler));
}

void ClusterSupport::PublishClinic(const std::string& event) {
  if (node_) node_->PublishClinic(event);
}

void ClusterSupport::Start(meetings::MeetingsService& meetings, uint16_t httpPort, uint16_t mediaPort) {
  if (!node_) return;
  meetings.SetListener(node_.get());
  meetings.SetPlacement(node_.get());
  node_->Start(httpPort, mediaPort);
  Sample();
}

// The load the heartbeat reports, read here on the HTTP thread (the bridge lives on it).
void ClusterSupport::Sample() {
  load_ = static_cast<int64_t>(attendeesHere_());
  sampleTimer_.expires_after(std::chrono::seconds(1));
  sampleTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) Sample();
  });
}

std::optional<net::WebSocketDecision> ClusterSupport::RouteSignaling(const HttpRequest& request) {
  static const std::string kPrefix = "/control/";
  if (!node_ || request.path.rfind(kPrefix, 0) != 0) return std::nullopt;
  const std::string meetingId = request.path.substr(kPrefix.size());
  cluster::NodeInfo owner;
  std::string secret;
  try {
    secret = node_->RelaySecret();
    // Relayed by another node (it knows the cluster's secret): served here, never relayed again.
    if (const std::string* relayed = request.Header("x-medicall-relayed");
        relayed != nullptr && relayed->size() == secret.size() &&
        CRYPTO_memcmp(relayed->data(), secret.data(), secret.size()) == 0)
      return std::nullopt;
    owner = node_->ResolveOwner(meetingId);
  } catch (const std::exception& e) {
    // Redis lost: nothing is known about the meeting's host. The SDK retries on 45xx.
    log::Warn("cluster", "signaling for meeting {}: {}", meetingId, e.what());
    return net::WebSocketDecision{0, {}, "_aws_wt_session", [](std::shared_ptr<net::WebSocketConnection> c) {
                                    c->Start({});
                                    c->Close(4503, "meeting placement unavailable: reconnect");
                                  }};
  }
  if (owner.id == node_->Self().id) return std::nullopt;
  const std::string* protocols = request.Header("sec-websocket-protocol");
  return net::WebSocketDecision{
      0,
      {},
      "_aws_wt_session",
      [this, url = owner.url, target = request.target.empty() ? request.path : request.target,
       protocols = protocols ? *protocols : std::string(),
       secret](std::shared_ptr<net::WebSocketConnection> c) {
        cluster::SignalingProxy::Start(ioc_, std::move(c), url, target, protocols, secret);
      }};
}

HttpResponse ClusterSupport::HandleAdmin(const HttpRequest& request) {
  try {
    if (request.method != "POST") throw ApiError(405, "MethodNotAllowedException", "POST /admin/drain");
    if (verifier_) {
      verifier_->Verify(request);
    } else if (!request.remoteIsLoopback) {
      throw Forbidden("/admin/drain only answers on loopback when no credentials are configured.");
    }
    if (!node_)
      throw BadRequest("Draining needs a cluster (MEDICALL_REDIS_URL); stop a single node with SIGTERM.");
    BeginDrain(true);
    return HttpResponse::FromJson(202, {{"node", node_->Self().id},
                                        {"draining", true},
                                        {"drainTimeoutSeconds", config_.drainTimeoutSeconds}});
  } catch (const ApiError& e) {
    return HttpResponse::AwsError(e.Status(), e.Type(), e.what());
  }
}

void ClusterSupport::SetDrainActions(std::function<void()> closeAll, std::function<void()> exit) {
  closeAll_ = std::move(closeAll);
  exit_ = std::move(exit);
}

void ClusterSupport::BeginDrain(bool exitAfter) {
  exitAfter_ = exitAfter_ || exitAfter;
  if (!node_ || draining_) return;
  draining_ = true;
  node_->BeginDrain();
  drainDeadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(config_.drainTimeoutSeconds);
  log::Warn("cluster", "draining: {} meetings here continue for at most {} s", meetingsHere_(),
            config_.drainTimeoutSeconds);
  CheckDrain();
}

void ClusterSupport::CheckDrain() {
  const bool empty = meetingsHere_() == 0;
  if (empty || std::chrono::steady_clock::now() >= drainDeadline_) {
    if (empty)
      log::Warn("cluster", "drained: no meeting left here");
    else
      log::Warn("cluster", "drain timeout: moving the {} meetings still here", meetingsHere_());
    node_->Leave();  // first: the clients told to reconnect find their meetings placed elsewhere
    drainFinished_ = true;
    if (closeAll_) closeAll_();
    if (exitAfter_ && exit_) exit_();
    return;
  }
  drainTimer_.expires_after(std::chrono::milliseconds(250));
  drainTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) CheckDrain();
  });
}

}  // namespace medicall::app
