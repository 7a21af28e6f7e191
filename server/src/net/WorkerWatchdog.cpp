#include "net/WorkerWatchdog.hpp"

#include <nlohmann/json.hpp>

namespace medicall::net {

WorkerWatchdog::WorkerWatchdog(const Clock& clock, int64_t stallThresholdUs)
    : clock_(clock), stallThresholdUs_(stallThresholdUs) {}

void WorkerWatchdog::Add(MediaWorker& worker) { workers_.push_back(&worker); }

void WorkerWatchdog::Beat() {
  for (MediaWorker* w : workers_) w->Heartbeat(clock_);
}

std::vector<std::string> WorkerWatchdog::Stuck() const {
  std::vector<std::string> stuck;
  for (const MediaWorker* w : workers_) {
    if (!w->IsRunning() || w->StalledUs(clock_) > stallThresholdUs_) stuck.push_back(w->Name());
  }
  return stuck;
}

HttpResponse WorkerWatchdog::Check() {
  const auto stuck = Stuck();  // before this check's own beat, which has had no time to run
  Beat();
  if (stuck.empty()) return HttpResponse::Json(200, R"({"status":"ok"})");
  nlohmann::json body = {{"status", "stuck"}, {"workers", stuck}};
  return HttpResponse::FromJson(503, body);
}

}  // namespace medicall::net
