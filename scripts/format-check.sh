#!/usr/bin/env bash
# Checks that every C++ file of the server, its tests, fuzzers and benchmarks follows .clang-format.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files 'server/*.cpp' 'server/*.hpp' 'bench/*.cpp' 'bench/*.hpp')
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "format: $f differs from .clang-format (run: clang-format -i $f)"
    bad=1
  fi
done
[ $bad -eq 0 ] && echo "format: ${#files[@]} files follow .clang-format"
exit $bad
