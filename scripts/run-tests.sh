#!/usr/bin/env bash
# The test command (`make test`): assumes `make build web` ran. Runs, in order: format and
# clang-tidy checks, unit tests (CTest), fuzz smoke runs, web unit tests (Vitest), then node's test runner for the
# API conformance and browser end-to-end suites inside a private network namespace.
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== code format (clang-format)"
bash scripts/format-check.sh || status=1

echo "== static analysis (clang-tidy: naming, bugprone)"
bash scripts/lint.sh || status=1

echo "== unit tests (ctest)"
ctest --preset release -j "$(nproc)" || status=1

echo "== fuzz smoke"
bash scripts/fuzz.sh smoke || status=1

if [ -f web/package.json ]; then
  echo "== web unit tests (vitest)"
  (cd web && npm test) || status=1
fi

echo "== interop and end-to-end tests (node --test, private network namespace)"
mapfile -t files < <(find tests -name '*.test.mjs' -not -path '*/node_modules/*' | sort)
if [ ${#files[@]} -gt 0 ]; then
  unshare -n bash -c 'ip link set lo up && exec node --test --test-concurrency=1 "$@"' _ "${files[@]}" || status=1
fi
exit $status
