# finlink: the two commands of the README, and their parts.
#
#   make run    install what is missing, build the widget and the server, start the server
#   make test   install what is missing, then every check and all three test layers
#
# Parts: bootstrap, widget, server, fmt, clippy, test-native, test-browser, test-e2e.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
# wasm-opt (binaryen 132) lives in .tools/; cargo-installed trunk and wasm-bindgen in ~/.cargo/bin.
export PATH := $(ROOT)/.tools/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
# Trunk must not look for a newer version of itself (no network for that here).
export TRUNK_SKIP_VERSION_CHECK := true

# Browser tests: wasm-bindgen-test-runner in headless Chromium. The runner picks the first
# driver named by GECKODRIVER, SAFARIDRIVER or CHROMEDRIVER, then searches PATH (geckodriver
# first), so name Chromium's driver and no other.
CHROMEDRIVER ?= /usr/bin/chromedriver
BROWSER_TEST_ENV := env -u GECKODRIVER -u SAFARIDRIVER -u GECKODRIVER_REMOTE \
	-u SAFARIDRIVER_REMOTE -u CHROMEDRIVER_REMOTE \
	CHROMEDRIVER=$(CHROMEDRIVER) \
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(ROOT)/tests/webdriver.json

# Extra arguments for the server of `make run`, e.g. make run ARGS='--business-name "Acme"'.
ARGS ?=

.PHONY: help run test bootstrap widget server server-debug fmt clippy clippy-native clippy-wasm \
	test-native test-browser test-e2e bench clean-widget

help:
	@echo "make run    build the widget and the server, then start the server (http://127.0.0.1:8080)"
	@echo "make test   formatting, clippy, native tests, browser tests, widget build, end-to-end tests"
	@echo "parts:      bootstrap widget server fmt clippy test-native test-browser test-e2e"
	@echo "make bench  widget and loader bytes (gzip, brotli), time to an interactive consent screen"

## The two commands ------------------------------------------------------------------------

run: bootstrap widget server
	./target/release/finlink-server --widget-dir dist $(ARGS)

# Runs every part even after one fails, then prints `N passed, N failed` over all layers.
test:
	@scripts/test.sh

## Parts ------------------------------------------------------------------------------------

bootstrap:
	@scripts/bootstrap.sh

# The widget page, as served at /link/: dist/index.html, boot.js, finlink.js, finlink_bg.wasm.
widget:
	trunk build index.html --release
	@wasm=dist/finlink_bg.wasm; \
	 echo "widget: $$wasm $$(wc -c <$$wasm) bytes, $$(gzip -9c $$wasm | wc -c) gzipped"

server:
	cargo build --release -p finlink-server

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

test-browser:
	$(BROWSER_TEST_ENV) cargo test --target wasm32-unknown-unknown -p finlink --no-fail-fast

# The real server (debug build, shared with `cargo test`) and the built widget, in Chromium.
test-e2e: widget server-debug
	cd e2e && FINLINK_SERVER=$(ROOT)/target/debug/finlink-server FINLINK_WIDGET_DIR=$(ROOT)/dist \
		node --test

# Not a test: the widget's and loader's bytes, and the median time from Finlink.collect to an
# interactive consent screen over 20 runs, against the release widget and server (README.md).
bench: widget server
	cd e2e && FINLINK_SERVER=$(ROOT)/target/release/finlink-server FINLINK_WIDGET_DIR=$(ROOT)/dist \
		node bench.js --runs 20

# Not a test: institution search over the FedACH directory loaded as --institutions loads it:
# load and index build time, the directory file's bytes (plain, gzip), per-keystroke search time.
bench-search:
	cargo run --release -p finlink-server --example bench_search -- $(ROOT)/../shared/data/FedACHdir.txt

clean-widget:
	rm -rf dist
