#!/usr/bin/env bash
# libFuzzer targets (clang, ASan+UBSan). `smoke`: replay each kept corpus, then fuzz each target
# for FUZZ_SECONDS (default 10; the stateful targets, whose every input is a whole session, for
# FUZZ_STATEFUL_SECONDS, default 5, to keep the smoke run within about 2 minutes).
# `long`: FUZZ_SECONDS default 600 per target, for every target.
# New crash inputs are written to server/fuzz/corpus/<target>/ to be kept and replayed. A target may
# have a libFuzzer dictionary next to its source: server/fuzz/<dir>/<target>.dict.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-smoke}"
if [ "$mode" = long ]; then secs="${FUZZ_SECONDS:-600}"; else secs="${FUZZ_SECONDS:-10}"; fi
stateful_secs="$secs"
[ "$mode" = long ] || stateful_secs="${FUZZ_STATEFUL_SECONDS:-5}"
stateful=" publisher_fuzzer rtp_rewriter_fuzzer jitter_buffer_fuzzer dtls_fuzzer api_fuzzer "

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

targets=$(find build/fuzz/server/fuzz -maxdepth 2 -type f -executable -name '*_fuzzer' 2>/dev/null | sort || true)
if [ -z "$targets" ]; then echo "fuzz: no targets built"; exit 0; fi
fail=0
for t in $targets; do
  name=$(basename "$t")
  corpus="server/fuzz/corpus/$name"
  mkdir -p "$corpus"
  work=$(mktemp -d)
  t_secs="$secs"
  case "$stateful" in *" $name "*) t_secs="$stateful_secs" ;; esac
  dict=()
  d=$(find server/fuzz -name "$name.dict" | head -1)
  [ -n "$d" ] && dict=(-dict="$d")
  echo "fuzz: $name: replay $(ls "$corpus" | wc -l) kept inputs, then ${t_secs}s"
  # Artifacts of the replay (a kept crash crashing again) go to the scratch directory, not the checkout.
  if ! "$t" -runs=0 -artifact_prefix="$work/" "$corpus" >"$work/replay.log" 2>&1; then
    echo "fuzz: $name: kept corpus crashed"; tail -30 "$work/replay.log"; fail=1; continue
  fi
  if ! "$t" -max_total_time="$t_secs" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$corpus/crash-" \
        "${dict[@]}" "$work" "$corpus" >"$work/run.log" 2>&1; then
    echo "fuzz: $name: crash found (input kept in $corpus)"; tail -40 "$work/run.log"; fail=1
  else
    grep -E '^#[0-9]+.*(DONE|pulse)' "$work/run.log" | tail -1 || true
  fi
  rm -rf "$work"
done
exit $fail
