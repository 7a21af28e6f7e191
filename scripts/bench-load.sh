#!/usr/bin/env bash
# `make bench-load`: the load generator (bench/load) against a fresh MediCall server on this machine,
# server pinned to core 0 and generator to core 1, inside a private network namespace (loopback only).
# Prints one JSON report per scenario. Sizes: LOAD_S1_ROOMS (1:1 consultations, default 20),
# LOAD_S2_ROOMS (groups of 5, default 4), LOAD_SECONDS (measured window, default 20), LOAD_WORKERS
# (the server's media workers, default 1). Record figures with the exact command in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${MEDICALL_BENCH_NETNS:-}" != 1 ]; then
  exec unshare -n env MEDICALL_BENCH_NETNS=1 bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
LOAD=build/release/bench/load/medicall_load
S1_ROOMS=${LOAD_S1_ROOMS:-20}
S2_ROOMS=${LOAD_S2_ROOMS:-4}
SECONDS_=${LOAD_SECONDS:-20}
WORKERS=${LOAD_WORKERS:-1}
data=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data"' EXIT

taskset -c 0 ./build/medicall --port 3801 --media-port 41800 --media-workers "$WORKERS" --data-dir "$data" \
  --log-level warn >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:3801/healthz >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== medicall $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $WORKERS media worker(s), server on core 0, generator on core 1"
for scenario in "s1 $S1_ROOMS" "s2 $S2_ROOMS"; do
  set -- $scenario
  echo "== $1: $2 room(s), ${SECONDS_} s"
  taskset -c 1 "$LOAD" --server http://127.0.0.1:3801 --server-pid "$server" --scenario "$1" --rooms "$2" \
    --seconds "$SECONDS_" --warmup 3
done
