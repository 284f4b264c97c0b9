# Strata — the two set-up commands are `make run` and `make test`.
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)

.PHONY: run test build build-debug deps deps-test clean-data

deps:
	@bash scripts/install-deps.sh run

deps-test:
	@bash scripts/install-deps.sh test

build: deps
	$(SWIFT) build -c release --product strata

build-debug:
	$(SWIFT) build --build-tests

## make run: build release, start the server on ./data with a local agent, print the URL and first login.
run: build
	@bash scripts/run.sh

## make test: install test dependencies, build, run every test.
test: deps-test build-debug
	$(SWIFT) test --skip-build

clean-data:
	rm -rf ./data
