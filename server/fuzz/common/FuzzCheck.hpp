#pragma once
// FUZZ_CHECK(condition): an invariant of a fuzz target. When it fails, the condition and its line go
// to stderr and the process traps, so libFuzzer keeps the input as a crash (server/fuzz/corpus/<target>/).
#include <cstdio>

#define FUZZ_CHECK(c)                                                                       \
  do {                                                                                      \
    if (!(c)) {                                                                             \
      std::fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__); \
      __builtin_trap();                                                                     \
    }                                                                                       \
  } while (0)
