# MediCall: the two commands in the README are `make run` and `make test`.
# Both install what they need (scripts/install-deps.sh, idempotent).
SHELL := /bin/bash
JOBS ?= $(shell nproc)
PORT ?= 3001

.PHONY: deps build web run test unit asan tsan fuzz-smoke fuzz-long bench bench-bwe bench-load format-check lint clean

deps:
	@bash scripts/install-deps.sh

build: deps
	cmake --preset release >/dev/null
	cmake --build --preset release -j $(JOBS)
	@cp build/release/server/medicall build/medicall
	@echo "built build/medicall"

web: deps
	@if [ -f web/package.json ]; then cd web && npm run build; else echo "web/ not present: serving the fallback page"; fi

run: build web
	./build/medicall --port $(PORT)

# Everything CI runs: build once, unit tests, fuzz smoke runs, web unit tests, then the
# interop and browser end-to-end tests (node's test runner) inside a private network namespace.
test: build web
	@bash scripts/run-tests.sh

unit: build
	ctest --preset release -j $(JOBS)

# Unit tests under AddressSanitizer + UBSan (debug build in build/asan).
asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j $(JOBS)

# Unit tests under ThreadSanitizer (debug build in build/tsan).
tsan: deps
	cmake --preset tsan >/dev/null
	cmake --build --preset tsan -j $(JOBS)
	ctest --preset tsan -j $(JOBS)

fuzz-smoke: deps
	@bash scripts/fuzz.sh smoke

# Long fuzzing: FUZZ_SECONDS per target (default 600).
fuzz-long: deps
	@bash scripts/fuzz.sh long

bench: build
	@bash scripts/bench.sh

# Convergence of the send-side bandwidth estimator on simulated 1 and 5 Mbit/s links (bench/RESULTS.md).
bench-bwe: build
	./build/release/bench/bwe/bench_bwe

# The load generator (bench/load) against a fresh server: S1 (1:1) and S2 (groups of 5), JSON reports.
bench-load: build
	@bash scripts/bench-load.sh

format-check:
	@bash scripts/format-check.sh

lint: build
	@bash scripts/lint.sh

clean:
	rm -rf build
