# finlink: the two commands of the README, and their parts.
#
#   make run    install what is missing, build the widget and the server, start the server
#   make test   install what is missing, then every check and all three test layers
#
# Parts: bootstrap, widget, server, fmt, clippy, test-native, test-browser, test-e2e,
# test-e2e-engines; example-leptos (built for test-e2e).

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
# wasm-opt (binaryen 132) lives in .tools/; cargo-installed trunk and wasm-bindgen in ~/.cargo/bin.
export PATH := $(ROOT)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Trunk must not look for a newer version of itself (no network for that here).
export TRUNK_SKIP_VERSION_CHECK := true

# Browser tests: wasm-bindgen-test-runner, once per engine. The runner takes the first driver
# named by GECKODRIVER, SAFARIDRIVER or CHROMEDRIVER, else searches PATH (geckodriver first),
# so each run names exactly one and unsets the others. A test binary may take 60 s (the runner's
# default is 20 s; the slowest takes 5 s here), for a slower or busier machine.
CHROMEDRIVER ?= /usr/bin/chromedriver
GECKODRIVER ?= $(HOME)/.cargo/bin/geckodriver
WEBKITDRIVER ?= /usr/bin/WebKitWebDriver
BROWSER_TEST_ENV := env -u CHROMEDRIVER -u GECKODRIVER -u SAFARIDRIVER -u CHROMEDRIVER_REMOTE \
	-u GECKODRIVER_REMOTE -u SAFARIDRIVER_REMOTE -u MSEDGEDRIVER -u MSEDGEDRIVER_REMOTE \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=60
BROWSER_TEST := cargo test --target wasm32-unknown-unknown -p finlink --no-fail-fast

# Extra arguments for the server of `make run`, e.g. make run ARGS='--business-name "Acme"'.
ARGS ?=

.PHONY: help run test bootstrap widget server server-debug fmt clippy clippy-native clippy-wasm \
	test-native test-browser test-browser-chromium test-browser-firefox test-browser-webkit \
	test-e2e test-e2e-engines test-e2e-chromium test-e2e-firefox test-e2e-webkit engines-readme \
	bench clean-widget example-leptos

help:
	@echo "make run    build the widget and the server, then start the server (http://127.0.0.1:8080)"
	@echo "            with two demo shops, each its own business: http://127.0.0.1:3000, :3001"
	@echo "make test   formatting, clippy, native tests, browser tests and end-to-end tests in"
	@echo "            Chromium, Firefox and WebKit"
	@echo "parts:      bootstrap widget server fmt clippy test-native test-browser test-e2e test-e2e-engines"
	@echo "examples:   example-leptos (the Leptos checkout of examples/leptos-host)"
	@echo "engines:    test-browser-{chromium,firefox,webkit} test-e2e-{chromium,firefox,webkit}"
	@echo "make bench  widget and loader bytes (gzip, brotli), time to the widget's first content"
	@echo "            and to an interactive consent screen"

## The two commands ------------------------------------------------------------------------

run: bootstrap widget server
	./target/release/finlink-server --widget-dir dist $(ARGS)

# Runs every part even after one fails, then prints `N passed, N failed` over all layers.
test:
	@scripts/test.sh

## Parts ------------------------------------------------------------------------------------

bootstrap:
	@scripts/bootstrap.sh

# What is shipped names no directory of the machine that built it: the panic locations of
# dependencies read `index.crates.io-<hash>/<crate>-<version>/src/...` (and a git dependency's
# `<name>-<hash>/<commit>/...`), not the builder's cargo home. Cargo adds these flags to those
# of .cargo/config.toml (RUSTFLAGS would replace them).
CARGO_HOME ?= $(HOME)/.cargo
SHIPPED_WASM_ENV := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--remap-path-prefix=$(CARGO_HOME)/registry/src/= \
	--remap-path-prefix=$(CARGO_HOME)/git/checkouts/="

# The widget page, as served at /link/: dist/index.html, boot.js, finlink.js, finlink_bg.wasm;
# then the hosted verification page, a bundle of its own served at /link/verify/, into
# dist/verify/ (after the widget: Trunk empties its dist directory first).
widget:
	$(SHIPPED_WASM_ENV) trunk build index.html --release
	$(SHIPPED_WASM_ENV) trunk --config Trunk.verify.toml build --release
	@wasm=dist/finlink_bg.wasm; \
	 echo "widget: $$wasm $$(wc -c <$$wasm) bytes, $$(gzip -9c $$wasm | wc -c) gzipped"
	@wasm=dist/verify/finlink-verify_bg.wasm; \
	 echo "verification page: $$wasm $$(wc -c <$$wasm) bytes, $$(gzip -9c $$wasm | wc -c) gzipped"

server:
	cargo build --release -p finlink-server

# The Leptos checkout of examples/leptos-host (the finlink crate's host API in a real
# application), for e2e/leptos-host.test.js: into target/examples/leptos-host, never dist/.
# A release build, the shorter one in `make test`: run after `widget` on a fresh clone it took
# 49 s, a debug build 80 s (nothing before it builds the Leptos stack for wasm32 in debug with
# these features; release shares the proc macros and part of the stack with `widget`).
LEPTOS_HOST_DIR := $(ROOT)/target/examples/leptos-host
example-leptos:
	$(SHIPPED_WASM_ENV) trunk --config examples/leptos-host/Trunk.toml build --release
	@wasm=$(LEPTOS_HOST_DIR)/checkout_bg.wasm; \
	 echo "example-leptos: $$wasm $$(wc -c <$$wasm) bytes, $$(gzip -9c $$wasm | wc -c) gzipped"

server-debug:
	cargo build -p finlink-server

fmt:
	cargo fmt --all --check

clippy: clippy-native clippy-wasm

clippy-native:
	cargo clippy --workspace --all-targets -- -D warnings

clippy-wasm:
	cargo clippy -p finlink --target wasm32-unknown-unknown --all-targets -- -D warnings

test-native:
	cargo test --workspace --no-fail-fast

# The wasm-bindgen-test suite in each engine (DESIGN §7): Chromium (Chrome, Edge), Firefox,
# and WebKit (Safari, iOS web views).
test-browser: test-browser-chromium test-browser-firefox test-browser-webkit

test-browser-chromium:
	@echo "test-browser: engine Chromium: $$(/usr/bin/chromium --version), headless, through $(CHROMEDRIVER)"
	$(BROWSER_TEST_ENV) CHROMEDRIVER=$(CHROMEDRIVER) \
		WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(ROOT)/tests/webdriver-chromium.json $(BROWSER_TEST)

# The runner adds -headless to the capabilities of tests/webdriver-firefox.json.
test-browser-firefox:
	@echo "test-browser: engine Firefox: $$(/usr/bin/firefox-esr --version), headless, through $(GECKODRIVER)"
	$(BROWSER_TEST_ENV) GECKODRIVER=$(GECKODRIVER) \
		WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(ROOT)/tests/webdriver-firefox.json $(BROWSER_TEST)

# WebKitWebDriver speaks the protocol the runner uses for safaridriver (so the runner says
# "Safari"); it sends no capabilities to it, and WebKitWebDriver then starts WebKitGTK's
# MiniBrowser with --automation. MiniBrowser has no headless mode: a virtual X display.
test-browser-webkit:
	@echo "test-browser: engine WebKit: WebKitGTK $$(scripts/engines.sh version webkit), MiniBrowser under xvfb-run, through $(WEBKITDRIVER)"
	$(BROWSER_TEST_ENV) SAFARIDRIVER=$(WEBKITDRIVER) xvfb-run -a $(BROWSER_TEST)

# End-to-end tests run the real server (debug build, shared with `cargo test`) and the built
# widget. scripts/test.sh builds them once, in test-e2e, and passes E2E_BUILD= to the parts
# after it.
E2E_BUILD ?= widget server-debug example-leptos
E2E_ENV := FINLINK_SERVER=$(ROOT)/target/debug/finlink-server FINLINK_WIDGET_DIR=$(ROOT)/dist \
	FINLINK_LEPTOS_HOST_DIR=$(LEPTOS_HOST_DIR)

# The Playwright suite (e2e/*.test.js) in Chromium: every flow, axe-core, fault injection.
# One file at a time, on any machine: node runs one fewer than the machine's cores at once by
# default, each file with its own server and browser, which would change the load the tests'
# timing sees from machine to machine.
test-e2e: $(E2E_BUILD)
	cd e2e && $(E2E_ENV) node --test --test-concurrency=1 *.test.js

# The main linking flows, one test definition (e2e/engines/flows.test.js) run in each engine
# through its WebDriver server.
test-e2e-engines: test-e2e-chromium test-e2e-firefox test-e2e-webkit

test-e2e-chromium: $(E2E_BUILD)
	@echo "test-e2e: engine Chromium: $$(/usr/bin/chromium --version), headless, through $(CHROMEDRIVER)"
	cd e2e && $(E2E_ENV) FINLINK_ENGINE=chromium CHROMEDRIVER=$(CHROMEDRIVER) \
		node --test engines/flows.test.js

test-e2e-firefox: $(E2E_BUILD)
	@echo "test-e2e: engine Firefox: $$(/usr/bin/firefox-esr --version), headless, through $(GECKODRIVER)"
	cd e2e && $(E2E_ENV) FINLINK_ENGINE=firefox GECKODRIVER=$(GECKODRIVER) \
		node --test engines/flows.test.js

test-e2e-webkit: $(E2E_BUILD)
	@echo "test-e2e: engine WebKit: WebKitGTK $$(scripts/engines.sh version webkit), MiniBrowser under xvfb-run, through $(WEBKITDRIVER)"
	cd e2e && $(E2E_ENV) FINLINK_ENGINE=webkit WEBKITDRIVER=$(WEBKITDRIVER) \
		xvfb-run -a node --test engines/flows.test.js

# The README's support table of browser engines, from the last `make test`
# (target/test-logs/engines.md, which scripts/test.sh writes).
engines-readme:
	scripts/engines.sh readme

# Not a test: the widget's and loader's bytes, and the median time from Finlink.collect to an
# interactive consent screen over 20 runs, against the release widget and server (README.md).
bench: widget server
	cd e2e && FINLINK_SERVER=$(ROOT)/target/release/finlink-server FINLINK_WIDGET_DIR=$(ROOT)/dist \
		node bench.js --runs 20

# Not a test: institution search over the FedACH directory loaded as --institutions loads it.
# 1. Native: load and index build time, the directory file's bytes (plain, gzip), per-keystroke
#    search time, and the server endpoint over loopback (server/examples/bench_search.rs).
# 2. The release widget in headless Chromium: keystroke to paint (e2e/bench-search.js, which
#    also saves the directory file to target/bench-search/directory.txt).
# 3. Per-keystroke search time in WebAssembly (release) in headless Chromium, over that file
#    (tests/search_speed.rs).
FEDACH := $(ROOT)/../shared/data/FedACHdir.txt
bench-search: widget server
	cargo run --release -p finlink-server --example bench_search -- $(FEDACH)
	cd e2e && FINLINK_SERVER=$(ROOT)/target/release/finlink-server FINLINK_WIDGET_DIR=$(ROOT)/dist \
		node bench-search.js --directory $(FEDACH)
	$(BROWSER_TEST_ENV) CHROMEDRIVER=$(CHROMEDRIVER) \
		WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(ROOT)/tests/webdriver-chromium.json \
		FINLINK_BENCH_DIRECTORY=$(ROOT)/target/bench-search/directory.txt \
		cargo test --release --target wasm32-unknown-unknown -p finlink --features bench-search \
		--test search_speed -- --nocapture

clean-widget:
	rm -rf dist
