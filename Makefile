# Strata — the two set-up commands are `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
# Release binaries link the Swift runtime and Foundation statically: the server maps 3 MiB less
# (docs/performance.md), and the binaries run without /opt/swift.
RELEASE = $(SWIFT) build -c release --static-swift-stdlib

.PHONY: run test bench fuzz conformance build build-debug deps deps-test deps-bench clean-data install

deps:
	@bash scripts/install-deps.sh run

deps-test:
	@bash scripts/install-deps.sh test

deps-bench:
	@bash scripts/install-deps.sh bench

build: deps
	$(RELEASE) --product strata
	$(RELEASE) --product strata-agent

## make install [PREFIX=/usr/local] [DESTDIR=…]: the release binaries, systemd units, sample configuration and docs
## (docs/install.md).
install: build
	@bash scripts/install.sh

build-debug:
	$(SWIFT) build --build-tests

## make run: build release, start the server on ./data with a local agent, print the URL and first login.
run: build
	@bash scripts/run.sh

## make test: install test dependencies, build, run every test and the examples of README.md and docs/query.md. The
## integration tests (real processes, long blocking waits) run in a process of their own after the others, so they
## never hold the few cooperative threads the async tests need. Last, the PromQL conformance run (docs/prometheus.md,
## "Conformance"): the test build's server, started and stopped by the harness, against a real Prometheus 2.42, with
## the deliberate differences of Tests/IntegrationTests/Fixtures/promql/differences.txt allowed (about a minute). Then
## the web UI's acceptance test in headless Chromium against a real server and agents (docs/ui.md, "Browser tests";
## screenshots in .build/browser-artifacts/, about 30 s).
test: deps-test build-debug
	rm -rf /tmp/strata-tests  # scratch of earlier runs (tests keep their data directories there for post-mortems)
	python3 scripts/check-openapi.py
	bash scripts/check-docs.sh
	$(SWIFT) test --skip-build --skip IntegrationTests
	$(SWIFT) test --skip-build --filter IntegrationTests
	python3 scripts/promql_conformance.py --start-strata "$$($(SWIFT) build --show-bin-path)/strata" \
		--allow-differences Tests/IntegrationTests/Fixtures/promql/differences.txt
	python3 scripts/browser_test.py --bin "$$($(SWIFT) build --show-bin-path)"

## make bench: figures as JSON lines (agent footprint beside node_exporter); see docs/performance.md.
bench: deps-bench build
	python3 bench/agent_footprint.py --interval 10 --duration 60
	python3 bench/agent_footprint.py --interval 1 --duration 30
	python3 bench/log_tracking.py --rate 10000 --duration 30
	$(RELEASE) --product strata-bench
	.build/release/strata-bench engine persist query recovery promql planner decode
	python3 bench/remote_write_side_by_side.py
	python3 bench/promql_side_by_side.py
	python3 bench/query_isolation.py
	python3 bench/ui_bench.py
	python3 bench/alerting_latency.py --rate 100000
	python3 bench/alerting_latency.py --rate 0 --seconds 3
	python3 bench/stream_latency.py --seconds 20
	python3 bench/control_latency.py --commands 1000 --interval 10
	python3 bench/control_groups.py --agents 100 --runs 100

## make conformance: the PromQL conformance harness's self-check (docs/prometheus.md, "Conformance"): a second
## Prometheus 2.42 plays the target and must agree with the first on every answer. The run against Strata is part of
## `make test`.
conformance: deps-test
	python3 scripts/promql_conformance.py --self-check

## make fuzz: every decoder under libFuzzer + AddressSanitizer for FUZZ_SECONDS each (default 60); docs/security.md.
fuzz: deps
	bash scripts/fuzz.sh

clean-data:
	rm -rf ./data
