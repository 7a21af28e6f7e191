#pragma once
// FUZZ_CHECK(condition): an invariant of a fuzz target. When it fails, the condition and its line go
// to stderr and the process traps, so libFuzzer keeps the input as a crash (server/fuzz/corpus/<target>/).
// FUZZ_TRACE(format, ...): with MEDICALL_FUZZ_TRACE=1 in the environment, the stateful targets print
// each step they take, to read what a kept crash input does (`MEDICALL_FUZZ_TRACE=1 ./target crash-...`).
#include <cstdio>
#include <cstdlib>

namespace medicall::fuzz {
inline bool Tracing() {
  static const bool on = std::getenv("MEDICALL_FUZZ_TRACE") != nullptr;
  return on;
}
}  // namespace medicall::fuzz

#define FUZZ_CHECK(c)                                                                      \
  do {                                                                                     \
    if (!(c)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
      __builtin_trap();                                                                    \
    }                                                                                      \
  } while (0)

#define FUZZ_TRACE(...)                                                 \
  do {                                                                  \
    if (::medicall::fuzz::Tracing()) std::fprintf(stderr, __VA_ARGS__); \
  } while (0)
