# Tessera: `make run` opens the desktop app, `make test` runs every check.
# Both set up what a fresh Debian 12 machine lacks (system packages, UI packages) first.
#
# Every cargo build goes through the same shape (`--workspace --all-targets`, default features
# plus `ts`, which writes the IPC types' TypeScript twins during the tests) so that tests,
# clippy and the app share one warm target/ instead of rebuilding for feature unification.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
FEATURES := --features tessera-app/ts
CARGO_BUILD := cargo build --workspace --all-targets $(FEATURES)
APP := target/debug/tessera-app
# The release build a shop installs: the app, its CLI and the hub, in one cargo invocation.
RELEASE_BUILD := cargo build --release -p tessera-app -p tessera-cli -p tessera-hub

.PHONY: run test e2e soak fuzz bench bench-smoke bench-sync bench-import bench-reports bench-start dist dist-test licences licences-check setup system-deps ui-deps ui-build build e2e-deps fmt-check clippy rust-test bindings-check ui-check ui-lint ui-test

## The desktop app, on the database in the platform's data folder (or ARGS="--db PATH").
run: setup ui-build build
	$(APP) $(ARGS)

## Every check: format, lints, Rust tests (end-to-end ones included, on a private Xvfb display),
## generated IPC types up to date, UI type checks, lints and tests.
test: setup ui-build fmt-check licences-check clippy build e2e-deps rust-test bench-smoke bindings-check ui-check ui-lint ui-test

## The end-to-end tests alone: the real app driven over WebDriver. Screenshots: target/e2e-screenshots/
e2e: setup ui-build build e2e-deps
	scripts/with-display.sh cargo test --workspace $(FEATURES) --test desktop --test counter --test chain --test manager

## The sync fault harness, long: thousands of operations on five tills under faults, with what it
## did printed at the end (SOAK_OPS, SOAK_TILLS, SOAK_SEED change it). `make test` runs it short.
SOAK_OPS ?= 3000
SOAK_TILLS ?= 5
SOAK_SEED ?= 3
soak: setup build
	TESSERA_SOAK_OPS=$(SOAK_OPS) TESSERA_SOAK_TILLS=$(SOAK_TILLS) TESSERA_SOAK_SEED=$(SOAK_SEED) \
	  cargo test --workspace $(FEATURES) --test faults -- --nocapture

## Fuzzing (cargo-fuzz, libFuzzer): scan decoding, token verification, member codes, CSV import
## and the sync requests, FUZZ_SECONDS each (60 by default; FUZZ_TARGETS="a b" picks some). The
## first run installs cargo-fuzz and builds the core instrumented (about 8 minutes here).
fuzz: setup
	scripts/fuzz.sh

## The figures of issue 12 in a release build, each next to plain SQLite doing the same work in
## the same run: a table, and target/bench/results.json (docs/performance.md). BENCH_SCALE picks
## the store: small (100,000 members, 2,000,000 events; the default) or full (1,000,000 and
## 20,000,000: about an hour to generate, once); each is kept under target/bench/.
bench: setup
	cargo build --release -p tessera-bench -p tessera-cli
	target/release/tessera-bench

## The same on a tiny store, in the debug build: `make test` checks every figure still runs
## (never how fast).
bench-smoke: build
	BENCH_SCALE=smoke target/debug/tessera-bench

## Sync figures: push 100,000 events from one till and pull them into another, hub on SQLite and
## on PostgreSQL, and the hub's peak memory (BENCH_EVENTS changes the count). Release build, as a
## shop runs it.
bench-sync: setup
	cargo build --release -p tessera-hub -p tessera-cli
	cargo build --release -p tessera-sync-tests --bin sync_bench
	target/release/sync_bench

## The desktop app's start (launch to an armed cashier screen) and idle memory, debug and release,
## each next to a minimal Tauri 2 window built the same way (tests/minimal-window), under Xvfb:
## a table, and target/bench/start.json.
bench-start: setup ui-build build e2e-deps
	$(RELEASE_BUILD)
	cargo build --release -p tessera-minimal-window
	scripts/with-display.sh target/debug/start_bench

## Release packages in target/dist/: the desktop app (.deb and .rpm, with the `tessera` CLI) and
## the hub (.deb, a systemd service). README "Install"; docs/decisions/0028-packages.md.
dist: setup ui-build
	$(RELEASE_BUILD)
	scripts/dist.sh

## The packages installed into a scratch root and checked: files, menu entry, systemd unit, the
## installed binaries running. `.ci/run` runs it after `make test`.
dist-test: dist
	scripts/dist-test.sh

## The licences of every library the shipped binaries link (crates/core/assets/licences.txt),
## written again from Cargo.lock after a dependency changed.
licences:
	scripts/licences.py

licences-check:
	scripts/licences.py --check

## Time to import 50,000 members from a CSV file as Excel writes it (IMPORT_ROWS=N for another size).
bench-import: setup build
	scripts/bench-import.sh

## Time of each report on a generated store (REPORT_MEMBERS, REPORT_EVENTS: 100,000 and
## 2,000,000 by default; generated once and kept under target/bench/). The debug build by
## default; TESSERA=target/release/tessera for the build a shop runs (decision 0025).
bench-reports: setup build
	scripts/bench-reports.sh

setup: system-deps ui-deps

system-deps:
	@bash scripts/setup-system.sh

# npm ci only when the lock file changed since the last install.
ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
ui-deps: ui/node_modules/.package-lock.json

# The app embeds ui/dist at compile time, so the UI is built before any cargo step.
ui-build: ui-deps
	cd ui && npm run build

build:
	$(CARGO_BUILD)

# tauri-driver bridges WebDriver to the app (WebKitWebDriver comes with the system packages).
e2e-deps:
	@command -v tauri-driver >/dev/null || [ -x "$${CARGO_HOME:-$$HOME/.cargo}/bin/tauri-driver" ] || \
	  cargo install tauri-driver --locked --version '^2'

fmt-check:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets $(FEATURES) -- -D warnings

# Under a display: the end-to-end tests run in the same cargo invocation as the others, so that
# the whole workspace is built once, with one feature set.
rust-test:
	scripts/with-display.sh cargo test --workspace $(FEATURES)

# ts-rs rewrites ui/src/lib/bindings during `cargo test`; committed copies must match.
bindings-check:
	@if [ -n "$$(git status --porcelain -- ui/src/lib/bindings)" ]; then \
	  echo "ui/src/lib/bindings differ from the Rust types: commit the regenerated files."; \
	  git status --porcelain -- ui/src/lib/bindings; exit 1; fi

ui-check:
	cd ui && npm run check

# ESLint with type information: no floating promises, returned promises awaited (ui/eslint.config.js).
ui-lint:
	cd ui && npm run lint

ui-test:
	cd ui && npm test
