#pragma once
// CPU time and resident memory of another process, from /proc/<pid>/stat and /proc/<pid>/status
// (proc(5)): the server under load is measured from outside, over a fixed window.
#include <optional>
#include <sys/types.h>

namespace medicall::bench::load {

struct ProcessSample {
  double cpuSeconds = 0;  // utime + stime
  double rssMb = 0;       // VmRSS
};

std::optional<ProcessSample> SampleProcess(pid_t pid);

}  // namespace medicall::bench::load
