#include "cluster/ClusterNode.hpp"

#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

#include "common/ApiError.hpp"
#include "common/Logger.hpp"
#include "common/Random.hpp"

namespace medicall::cluster {

namespace {

const std::string kNodes = "medicall:nodes";
const std::string kChannel = "medicall:control";
std::string NodeKey(const std::string& id) { return "medicall:node:" + id; }
std::string PlaceKey(const std::string& meetingId) { return "medicall:place:" + meetingId; }
std::string NodeMeetingsKey(const std::string& id) { return "medicall:nodemeetings:" + id; }

// ARGV: meetingId, the owner it was read with ("" = none), the new owner. Sets the new owner only
// if nobody changed it since; returns the owner it has afterwards.
constexpr const char* kPlaceLua = R"lua(
local P = 'medicall:'
local cur = redis.call('GET', P .. 'place:' .. ARGV[1])
if (cur or '') ~= ARGV[2] then return cur end
redis.call('SET', P .. 'place:' .. ARGV[1], ARGV[3])
if cur then redis.call('SREM', P .. 'nodemeetings:' .. cur, ARGV[1]) end
redis.call('SADD', P .. 'nodemeetings:' .. ARGV[3], ARGV[1])
return ARGV[3]
)lua";

constexpr const char* kForgetLua = R"lua(
local P = 'medicall:'
local cur = redis.call('GET', P .. 'place:' .. ARGV[1])
if not cur then return 0 end
redis.call('DEL', P .. 'place:' .. ARGV[1])
redis.call('SREM', P .. 'nodemeetings:' .. cur, ARGV[1])
return 1
)lua";

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "medicall";
  return name;
}

std::optional<NodeInfo> ParseNode(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  NodeInfo n;
  n.id = j.value("id", "");
  n.url = j.value("url", "");
  n.audioHost = j.value("audioHost", "");
  n.load = j.value("load", int64_t{0});
  n.draining = j.value("draining", false);
  if (n.id.empty()) return std::nullopt;
  return n;
}

const char* ReasonName(meetings::MeetingEndReason reason) { return meetings::ToString(reason); }

meetings::MeetingEndReason ReasonFromName(const std::string& name) {
  if (name == "idle") return meetings::MeetingEndReason::Idle;
  if (name == "max-duration") return meetings::MeetingEndReason::MaxDuration;
  return meetings::MeetingEndReason::Deleted;
}

}  // namespace

ClusterNode::ClusterNode(const Config& config, const store::RedisEndpoint& endpoint,
                         std::function<int64_t()> load, meetings::MeetingsListener& local)
    : config_(config),
      endpoint_(endpoint),
      load_(std::move(load)),
      local_(local),
      redis_(endpoint, std::chrono::milliseconds(300)) {}

ClusterNode::~ClusterNode() { Stop(); }

void ClusterNode::Start(uint16_t httpPort, uint16_t mediaPort) {
  self_.id = !config_.nodeId.empty() ? config_.nodeId : HostName() + ":" + std::to_string(httpPort);
  self_.url = !config_.nodeUrl.empty()
                  ? config_.nodeUrl
                  : "http://" + config_.PrimaryMediaAddress() + ":" + std::to_string(httpPort);
  if (self_.url.back() == '/') self_.url.pop_back();
  self_.audioHost = config_.PrimaryMediaAddress() + ":" + std::to_string(mediaPort);
  log::Info("cluster", "node {} (reached at {}, media {}) sharing state in Redis at {}", self_.id, self_.url,
            self_.audioHost, endpoint_.Describe());
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
  subscriber_ = std::thread([this] { SubscribeLoop(); });
}

void ClusterNode::Stop() {
  {
    std::lock_guard lock(stopMutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  stopWake_.notify_all();
  if (heartbeat_.joinable()) heartbeat_.join();
  if (subscriber_.joinable()) subscriber_.join();
  Leave();
}

bool ClusterNode::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(stopMutex_);
  return !stopWake_.wait_for(lock, duration, [this] { return stopping_; });
}

void ClusterNode::BeginDrain() {
  if (draining_.exchange(true)) return;
  log::Warn("cluster", "node {} draining: no new meetings are placed here", self_.id);
  std::lock_guard lock(mutex_);
  try {
    Beat(redis_);  // the others see it at once, not at the next heartbeat
  } catch (const std::exception& e) {
    log::Warn("cluster", "drain not announced yet: {}", e.what());
  }
}

void ClusterNode::Leave() {
  if (left_.exchange(true)) return;
  std::lock_guard lock(mutex_);
  try {
    redis_.Pipeline({{"DEL", NodeKey(self_.id)}, {"SREM", kNodes, self_.id}});
    log::Info("cluster", "node {} left the cluster: its meetings are placed elsewhere when next joined",
              self_.id);
  } catch (const std::exception& e) {
    log::Warn("cluster", "node {} could not leave the registry ({}); it expires in {} ms", self_.id, e.what(),
              kHeartbeatTtl.count());
  }
}

void ClusterNode::Beat(store::RedisConnection& redis) {
  if (left_.load()) return;
  const nlohmann::json j = {{"id", self_.id},
                            {"url", self_.url},
                            {"audioHost", self_.audioHost},
                            {"load", load_ ? load_() : 0},
                            {"draining", draining_.load()}};
  redis.Pipeline({{"SET", NodeKey(self_.id), j.dump(), "PX", std::to_string(kHeartbeatTtl.count())},
                  {"SADD", kNodes, self_.id}});
}

void ClusterNode::HeartbeatLoop() {
  store::RedisConnection redis(endpoint_, std::chrono::milliseconds(1000));
  std::chrono::milliseconds backoff{250};
  bool down = false;
  for (;;) {
    try {
      Beat(redis);
      if (down)
        log::Warn("cluster", "Redis at {} answers again: node {} is serving placement", endpoint_.Describe(),
                  self_.id);
      down = false;
      backoff = std::chrono::milliseconds(250);
      if (!Sleep(kHeartbeatInterval)) return;
    } catch (const std::exception& e) {
      if (!down)
        log::Error("cluster",
                   "Redis at {} unreachable ({}); retrying with backoff, no meetings placed until it answers",
                   endpoint_.Describe(), e.what());
      down = true;
      if (!Sleep(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
    }
  }
}

void ClusterNode::SubscribeLoop() {
  std::chrono::milliseconds backoff{250};
  for (;;) {
    store::RedisConnection sub(endpoint_, std::chrono::milliseconds(1000));
    try {
      sub.Command({"SUBSCRIBE", kChannel});
      backoff = std::chrono::milliseconds(250);
      for (;;) {
        {
          std::lock_guard lock(stopMutex_);
          if (stopping_) return;
        }
        auto push = sub.ReadPush(std::chrono::milliseconds(250));
        if (push && push->elements.size() == 3 && push->elements[0].text == "message")
          Deliver(push->elements[2].text);
      }
    } catch (const std::exception&) {
      if (!Sleep(backoff)) return;  // the heartbeat logs the outage
      backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
    }
  }
}

void ClusterNode::Deliver(const std::string& message) {
  auto j = nlohmann::json::parse(message, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return;
  if (j.value("from", "") == self_.id) return;  // ours: the local listener already had it
  const std::string op = j.value("op", "");
  const std::string meetingId = j.value("meetingId", "");
  const std::string detail = j.value("detail", "");
  if (op == "clinic") {
    if (clinicHandler_) clinicHandler_(detail);
    return;
  }
  if (meetingId.empty()) return;
  log::Debug("cluster", "control {} for meeting {} from {}", op, meetingId, j.value("from", ""));
  if (op == "meeting-ended") local_.OnMeetingEnded(meetingId, ReasonFromName(detail));
  if (op == "attendee-deleted" && !detail.empty()) local_.OnAttendeeDeleted(meetingId, detail);
}

void ClusterNode::Publish(const std::string& op, const std::string& meetingId, const std::string& detail) {
  const nlohmann::json j = {{"from", self_.id}, {"op", op}, {"meetingId", meetingId}, {"detail", detail}};
  std::lock_guard lock(mutex_);
  redis_.Command({"PUBLISH", kChannel, j.dump()});
}

void ClusterNode::OnMeetingEnded(const std::string& meetingId, meetings::MeetingEndReason reason) {
  local_.OnMeetingEnded(meetingId, reason);
  try {
    Publish("meeting-ended", meetingId, ReasonName(reason));
  } catch (const std::exception& e) {
    log::Error("cluster", "meeting {} ended here but the other nodes were not told: {}", meetingId, e.what());
  }
}

void ClusterNode::OnAttendeeDeleted(const std::string& meetingId, const std::string& attendeeId) {
  local_.OnAttendeeDeleted(meetingId, attendeeId);
  try {
    Publish("attendee-deleted", meetingId, attendeeId);
  } catch (const std::exception& e) {
    log::Error("cluster", "attendee {} deleted here but the other nodes were not told: {}", attendeeId,
               e.what());
  }
}

std::vector<NodeInfo> ClusterNode::LiveNodesLocked() {
  const auto members = redis_.Command({"SMEMBERS", kNodes});
  std::vector<std::string> ids;
  for (const auto& m : members.elements) ids.push_back(m.text);
  std::vector<NodeInfo> live;
  if (ids.empty()) return live;
  std::vector<std::string> mget = {"MGET"};
  for (const auto& id : ids) mget.push_back(NodeKey(id));
  const auto values = redis_.Command(mget);
  std::vector<std::vector<std::string>> counts;
  for (size_t i = 0; i < ids.size() && i < values.elements.size(); ++i) {
    const auto& v = values.elements[i];
    auto node = v.IsNil() ? std::nullopt : ParseNode(v.text);
    if (!node) {
      redis_.Command({"SREM", kNodes, ids[i]});  // missed its heartbeats: dead
      continue;
    }
    counts.push_back({"SCARD", NodeMeetingsKey(node->id)});
    live.push_back(std::move(*node));
  }
  if (!counts.empty()) {
    const auto placed = redis_.Pipeline(counts);
    for (size_t i = 0; i < live.size(); ++i) live[i].load += placed[i].integer;
  }
  return live;
}

std::vector<NodeInfo> ClusterNode::LiveNodes() {
  std::lock_guard lock(mutex_);
  return LiveNodesLocked();
}

NodeInfo ClusterNode::ResolveOwner(const std::string& meetingId) {
  static thread_local std::mt19937 random{std::random_device{}()};
  std::lock_guard lock(mutex_);
  for (int attempt = 0; attempt < 4; ++attempt) {
    const auto current = redis_.Command({"GET", PlaceKey(meetingId)});
    const std::string owner = current.IsNil() ? std::string() : current.text;
    auto nodes = LiveNodesLocked();
    if (!owner.empty()) {
      for (const auto& n : nodes)
        if (n.id == owner) return n;  // alive (draining or not): its meetings stay there
    }
    std::vector<NodeInfo> candidates;
    for (const auto& n : nodes)
      if (!n.draining) candidates.push_back(n);
    if (candidates.empty())
      throw ServiceUnavailable(
          "No live MediCall node can host the meeting (all are draining or unregistered).");
    std::shuffle(candidates.begin(), candidates.end(), random);  // ties go to any of them
    const auto best = *std::min_element(candidates.begin(), candidates.end(),
                                        [](const NodeInfo& a, const NodeInfo& b) { return a.load < b.load; });
    const auto placed = redis_.Script(kPlaceLua, {}, {meetingId, owner, best.id});
    if (!placed.IsNil() && placed.text == best.id) {
      if (owner.empty())
        log::Info("cluster", "meeting {} placed on node {}", meetingId, best.id);
      else
        log::Warn("cluster", "meeting {} moved from node {} (gone) to node {}", meetingId, owner, best.id);
      return best;
    }
    // Another node placed it meanwhile: read it again.
  }
  throw ServiceUnavailable("The meeting's placement kept changing; try again.");
}

std::string ClusterNode::RelaySecret() {
  std::lock_guard lock(mutex_);
  if (relaySecret_.empty()) {
    const std::string key = "medicall:relay-secret";
    redis_.Command({"SET", key, random::AlphanumericToken(43), "NX"});
    relaySecret_ = redis_.Command({"GET", key}).text;
  }
  return relaySecret_;
}

bool ClusterNode::IsLocal(const std::string& meetingId) { return ResolveOwner(meetingId).id == self_.id; }

void ClusterNode::Forget(const std::string& meetingId) {
  std::lock_guard lock(mutex_);
  redis_.Script(kForgetLua, {}, {meetingId});
}

}  // namespace medicall::cluster
