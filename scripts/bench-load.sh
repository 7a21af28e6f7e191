#!/usr/bin/env bash
# `make bench-load`: the load generator (bench/load) against a fresh MediCall server on this machine,
# server pinned to core 0 and generator to core 1, inside a private network namespace (loopback only).
# Prints one JSON report per scenario, each against a fresh server. Sizes: LOAD_S1_ROOMS (1:1
# consultations, default 20), LOAD_S2_ROOMS (groups of 5, default 4), LOAD_S3_ROOMS (one speaker and 9
# listeners, default 2), LOAD_S4_ROOMS (join storm: 2 joins per room, one every 100 ms, default 50),
# LOAD_SECONDS (measured window, default 20), LOAD_WORKERS (the server's media workers, default 1),
# LOAD_SCENARIOS (default "s1 s2 s3 s4"), LOAD_SERVER_CPUS / LOAD_GENERATOR_CPUS (taskset lists,
# default 0 and 1). Record figures with the exact command in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${MEDICALL_BENCH_NETNS:-}" != 1 ]; then
  exec unshare -n env MEDICALL_BENCH_NETNS=1 bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
LOAD=build/release/bench/load/medicall_load
S1_ROOMS=${LOAD_S1_ROOMS:-20}
S2_ROOMS=${LOAD_S2_ROOMS:-4}
S3_ROOMS=${LOAD_S3_ROOMS:-2}
S4_ROOMS=${LOAD_S4_ROOMS:-50}
SECONDS_=${LOAD_SECONDS:-20}
WORKERS=${LOAD_WORKERS:-1}
SERVER_CPUS=${LOAD_SERVER_CPUS:-0}
GENERATOR_CPUS=${LOAD_GENERATOR_CPUS:-1}
data=$(mktemp -d)
server=
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  server=
}
trap 'stop_server; rm -rf "$data"' EXIT
# A fresh server per scenario, so that its memory per leg is measured from its own start.
start_server() {
  rm -rf "$data/store" && mkdir -p "$data/store"
  taskset -c "$SERVER_CPUS" ./build/medicall --port 3801 --media-port 41800 --media-workers "$WORKERS" --data-dir "$data/store" \
    --log-level warn >"$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS http://127.0.0.1:3801/healthz >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the server did not start:" >&2
  cat "$data/server.log" >&2
  exit 1
}
echo "== medicall $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $WORKERS media worker(s), server on cores $SERVER_CPUS, generator on cores $GENERATOR_CPUS"
for scenario in ${LOAD_SCENARIOS:-s1 s2 s3 s4}; do
  case $scenario in
    s1) rooms=$S1_ROOMS ;; s2) rooms=$S2_ROOMS ;; s3) rooms=$S3_ROOMS ;; s4) rooms=$S4_ROOMS ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  echo "== $scenario: $rooms room(s), ${SECONDS_} s"
  start_server
  taskset -c "$GENERATOR_CPUS" "$LOAD" --server http://127.0.0.1:3801 --server-pid "$server" --scenario "$scenario" --rooms "$rooms" \
    --seconds "$SECONDS_" --warmup 3 || echo "(the generator exited $?: not every leg was connected and receiving)"
  stop_server
done
