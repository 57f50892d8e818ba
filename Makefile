# Gatehouse: `make run` and `make test` each do their own set-up on a fresh Debian machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

SWIFT ?= swift
CONFIG ?= config.example.json
DEB_PACKAGES := pkg-config libssl-dev libsqlite3-dev zlib1g-dev libcurl4-openssl-dev libidn2-dev libicu-dev libldap-dev
BENCH_PACKAGES := wrk nginx-light openssl util-linux slapd
# Debian packages the tests run: nginx and Caddy in front of Gatehouse for the forward-auth
# round trips, headless Chromium with its chromedriver for the browser walks, and glewlwyd (with
# openssl for its keys) for the back-channel logout round trip, and OpenLDAP's slapd with
# ldap-utils for the directory tests (each test starts its own slapd on loopback ports).
TEST_PACKAGES := nginx-light caddy chromium chromium-driver glewlwyd openssl slapd ldap-utils iproute2 util-linux
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN = $(shell $(SWIFT) build -c release --show-bin-path)/gatehouse
# Test tools from PyPI live in a virtual environment under var/. oidc-provider-mock 0.4.8
# needs Python 3.12 or later: the first of these found is used.
VENV := var/venv
PYTHON_CANDIDATES := python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3)
TEST_PYTHON_PACKAGES := oidc-provider-mock==0.4.8 selenium==4.51.0 schemathesis==4.32.5
DEV_IDP_PORT := 9400

.PHONY: help deps bench-deps test-deps test-tools embed build release run test test-browser test-api test-glewlwyd fuzz fuzz-replay bench install clean

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
		echo "slapd slapd/no_configuration boolean true" | $(SUDO) debconf-set-selections; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test-deps: deps
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		echo "slapd slapd/no_configuration boolean true" | $(SUDO) debconf-set-selections; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

# The migration files, page templates and static files travel inside the binary; regenerate
# the embedded copies from migrations/ and Public/.
embed:
	@python3 scripts/embed-migrations
	@python3 scripts/embed-public

build: deps embed
	$(SWIFT) build

release: deps embed
	$(SWIFT) build -c release

# Serves Gatehouse with the development provider beside it (provider "dev" in the config),
# so a newcomer can sign in end to end at once. Ctrl-C stops both.
run: release
	@mkdir -p var
	$(RELEASE_BIN) migrate --config $(CONFIG)
	@bin="$(RELEASE_BIN)"; \
	"$$bin" dev-idp --port $(DEV_IDP_PORT) --redirect-uri http://127.0.0.1:8080/oidc/dev/callback & idp=$$!; \
	trap 'kill $$idp 2>/dev/null; wait $$idp 2>/dev/null' EXIT INT TERM; \
	echo "Gatehouse: open http://127.0.0.1:8080/ and sign in with the development provider (Ctrl-C stops both)"; \
	"$$bin" serve --config $(CONFIG) --no-migrate

# The venv is rebuilt only when missing or when the package list changes.
test-tools: $(VENV)/.installed

$(VENV)/.installed: Makefile
	@python=""; for candidate in $(PYTHON_CANDIDATES); do \
		if command -v "$$candidate" >/dev/null 2>&1 && "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then python=$$candidate; break; fi; \
	done; \
	if [ -z "$$python" ]; then echo "make test needs Python 3.12 or later for oidc-provider-mock (tried: $(PYTHON_CANDIDATES))" >&2; exit 1; fi; \
	echo "test tools: $$python -m venv $(VENV)"; \
	rm -rf $(VENV) && "$$python" -m venv $(VENV) && \
	$(VENV)/bin/pip install --quiet --disable-pip-version-check $(TEST_PYTHON_PACKAGES) && \
	touch $@

test: deps test-deps embed test-tools
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) --no-print-directory fuzz-replay
	$(MAKE) --no-print-directory test-browser
	$(MAKE) --no-print-directory test-api
	$(MAKE) --no-print-directory test-glewlwyd
	@echo "fuzz smoke: $(FUZZ_SMOKE_SECONDS) s per target"
	@bash scripts/fuzz $(FUZZ_SMOKE_SECONDS)

FUZZ_TARGETS := http jws json config template cookie form
FUZZ_SECONDS ?= 120
FUZZ_SMOKE_SECONDS ?= 3

# Every saved input (seeds, and each crash ever found, once fixed) through every parser, in an
# ordinary build: a regression that brings a crash back fails here.
fuzz-replay: deps embed
	$(SWIFT) build --product gatehouse-fuzz
	@bin="$$($(SWIFT) build --show-bin-path)/gatehouse-fuzz"; \
	for target in $(FUZZ_TARGETS); do "$$bin" "$$target" Tests/Fuzz/$$target/* || exit 1; done

# libFuzzer (with AddressSanitizer) on each parser for FUZZ_SECONDS seconds; prints executions
# per target and fails on any crash, out-of-bounds access or hang (see scripts/fuzz).
fuzz: deps embed
	@bash scripts/fuzz $(FUZZ_SECONDS)

# Headless Chromium walks the pages as a person would (Tests/Browser, stdlib unittest); each
# page it lands on is saved as a PNG under var/screenshots/.
test-browser: deps test-deps embed test-tools
	$(SWIFT) build
	TEST_GATEHOUSE_BIN="$$($(SWIFT) build --show-bin-path)/gatehouse" $(VENV)/bin/python -m unittest discover -s Tests/Browser -v

# schemathesis (PyPI) against the real server: every admin API operation with a token of each
# scope, every answer checked against the OpenAPI document, every documented status reached.
test-api: deps embed test-tools
	$(SWIFT) build
	TEST_GATEHOUSE_BIN="$$($(SWIFT) build --show-bin-path)/gatehouse" $(VENV)/bin/python Tests/API/run_schemathesis.py

# Back-channel and RP-initiated logout against Debian's glewlwyd 2.7.5, a provider nobody here
# wrote: set up through its admin API, signed in through, signed out of (Tests/Glewlwyd).
test-glewlwyd: deps test-deps embed
	$(SWIFT) build
	TEST_GATEHOUSE_BIN="$$($(SWIFT) build --show-bin-path)/gatehouse" python3 Tests/Glewlwyd/run_glewlwyd.py

# Installs the binary, the example configuration and a hardened systemd unit under PREFIX
# (DESTDIR for staging). The binary carries its migrations, templates and static files, so it
# serves from any working directory. INSTALL_BIN installs an already built binary instead of a
# fresh release build.
PREFIX ?= /usr/local
INSTALL_BIN ?=
install:
	@bin="$(INSTALL_BIN)"; \
	if [ -z "$$bin" ]; then $(MAKE) --no-print-directory release && bin="$(RELEASE_BIN)"; fi; \
	root="$(DESTDIR)$(PREFIX)"; \
	install -D -m 0755 "$$bin" "$$root/bin/gatehouse" && \
	install -D -m 0644 config.example.json "$$root/etc/gatehouse/config.example.json" && \
	install -d -m 0755 "$$root/lib/systemd/system" && \
	sed -e "s|@BINDIR@|$(PREFIX)/bin|g" -e "s|@CONFDIR@|$(PREFIX)/etc/gatehouse|g" deploy/gatehouse.service.in \
		> "$$root/lib/systemd/system/gatehouse.service" && \
	chmod 0644 "$$root/lib/systemd/system/gatehouse.service" && \
	echo "installed gatehouse under $$root (copy etc/gatehouse/config.example.json to config.json and edit it)"

bench: bench-deps test-tools release
	@bash scripts/bench $(RELEASE_BIN)

clean:
	rm -rf .build .build-fuzz var
