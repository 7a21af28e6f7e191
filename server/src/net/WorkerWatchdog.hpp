#pragma once
// Liveness of the media loops, for /healthz. Beat() (from a timer on the HTTP thread, and before
// each check) posts a heartbeat to every worker; a worker whose beat has waited longer than the
// threshold is stuck (a handler that never returns, a loop that died), and Check() answers 503
// naming it. The clock is injected so tests need not wait for the threshold.
#include <cstdint>
#include <string>
#include <vector>

#include "common/Clock.hpp"
#include "common/HttpTypes.hpp"
#include "net/MediaWorker.hpp"

namespace medicall::net {

class WorkerWatchdog {
 public:
  WorkerWatchdog(const Clock& clock, int64_t stallThresholdUs);

  // The workers outlive the watchdog.
  void Add(MediaWorker& worker);
  // Any thread: posts a heartbeat to each worker (one waiting beat at most per worker).
  void Beat();
  // Names of the workers whose heartbeat has waited longer than the threshold.
  std::vector<std::string> Stuck() const;
  // The /healthz answer: 200 {"status":"ok"} or 503 {"status":"stuck","workers":[...]}.
  HttpResponse Check();

 private:
  const Clock& clock_;
  int64_t stallThresholdUs_;
  std::vector<MediaWorker*> workers_;
};

}  // namespace medicall::net
