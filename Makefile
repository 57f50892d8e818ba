# Gatehouse: `make run` and `make test` each do their own set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
CONFIG ?= config.example.json
DEB_PACKAGES := pkg-config libssl-dev libsqlite3-dev zlib1g-dev libcurl4-openssl-dev
BENCH_PACKAGES := wrk nginx-light openssl
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/gatehouse

.PHONY: help deps bench-deps embed build release run test bench clean

help:
	@echo "make run    build and serve Gatehouse on http://127.0.0.1:8080 ($(CONFIG), database under var/)"
	@echo "make test   run every test"
	@echo "make bench  measure Gatehouse beside nginx and openssl on this machine"

# Installs the Debian packages that are missing, and only those.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

bench-deps: deps
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The migration files travel inside the binary; regenerate the embedded copy from migrations/.
embed:
	@python3 scripts/embed-migrations

build: deps embed
	$(SWIFT) build

release: deps embed
	$(SWIFT) build -c release

run: release
	@mkdir -p var
	$(RELEASE_BIN) migrate --config $(CONFIG)
	@echo "Gatehouse: open http://127.0.0.1:8080/ (Ctrl-C stops it)"
	$(RELEASE_BIN) serve --config $(CONFIG) --no-migrate

test: deps embed
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: bench-deps release
	@bash scripts/bench $(RELEASE_BIN)

clean:
	rm -rf .build var
