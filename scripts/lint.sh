#!/usr/bin/env bash
# clang-tidy (naming and bugprone checks from .clang-tidy) over the server's sources, using the
# release build's compile_commands.json. Fails on any finding in project code.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/release/compile_commands.json ] || { echo "lint: build/release missing: run make build"; exit 1; }
mapfile -t files < <(git ls-files 'server/src/*.cpp')
printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p build/release --quiet \
  --header-filter='server/src/.*' --warnings-as-errors='*' > build/lint.log 2>&1 || {
  grep -E "(warning|error):" build/lint.log | sort -u | head -50
  echo "lint: clang-tidy found problems (full log: build/lint.log)"
  exit 1
}
echo "lint: ${#files[@]} files clean"
