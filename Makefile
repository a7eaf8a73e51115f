# Doorstep: the two commands a newcomer needs are `make serve` and `make test`.
# Both install whatever is missing first (scripts/setup.sh), idempotently.

SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
export CHROMEDRIVER ?= /usr/bin/chromedriver
export CHROMIUM ?= /usr/bin/chromium
PORT ?= 8080

.PHONY: serve test tools tools-browser build test-native test-js lint test-browser test-e2e bench forms clean

## Build the app and serve it at http://127.0.0.1:$(PORT)
serve: tools build
	@echo "Doorstep at http://127.0.0.1:$(PORT)  (Ctrl-C stops)"
	node scripts/serve.mjs dist $(PORT)

## Every test layer: native (Rust, and the journal's script in Node), lint, browser
## (wasm-bindgen-test), end-to-end (Playwright)
test: tools-browser test-native test-js lint test-browser build test-e2e

tools:
	@scripts/setup.sh

tools-browser:
	@scripts/setup.sh --browser

# Trunk runs only when a source of the build is newer than dist/ (a second `make` is a no-op).
BUILD_INPUTS := $(shell find src public style forms -type f) index.html Cargo.toml Cargo.lock \
	Trunk.toml scripts/post-build.mjs

build: tools dist/index.html

dist/index.html: $(BUILD_INPUTS)
	trunk build --release
	@touch dist/index.html

test-native:
	cargo test

# The durable journal (public/journal.js) against fake-indexeddb, in Node.
test-js: tools
	node --test tests/js/

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --all-targets -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --features bench --test browser_bench -- -D warnings
	cargo clippy --features bench --bench report -- -D warnings

test-browser: tools-browser
	cargo test --target wasm32-unknown-unknown --test browser_store --test browser_ui --test browser_transfer --test browser_handover

test-e2e: tools-browser build
	node --test --test-concurrency=1 tests/e2e/

## Prints every performance figure as `name: value unit`
# The browser benchmarks run back to back without yielding (the district import alone takes
# 15 s): the runner's default 20 s wait for the page is raised.
bench: tools-browser build
	WASM_BINDGEN_TEST_TIMEOUT=300 cargo test --release --target wasm32-unknown-unknown --features bench --test browser_bench -- --nocapture
	node tests/e2e/bench.mjs
	cargo bench --features bench --bench report

## After editing forms/community-needs.json: rewrite the compiled copy the app embeds
forms:
	DOORSTEP_UPDATE_FORMS=1 cargo test --lib the_compiled_builtin_form_matches_its_source

clean:
	rm -rf dist target/wasm-opt
