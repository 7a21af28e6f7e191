#!/usr/bin/env bash
# Runs every benchmark program (bench_*) of the release build and prints its figures.
# Record figures with this exact command in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
for b in $(find build/release/bench -maxdepth 2 -type f -executable -name 'bench_*' | sort); do
  echo "== $b"
  "$b" --benchmark_counters_tabular=true "$@"
done
