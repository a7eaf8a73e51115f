#!/usr/bin/env bash
# Installs what building and testing Doorstep needs, once. Every step checks first, so a
# second run installs nothing. Versions are pinned where a mismatch breaks the build
# (see ../shared/TOOLCHAIN.md). Usage: scripts/setup.sh [--browser]
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
want_browser=${1:-}

say() { printf 'setup: %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q " ${TRUNK_VERSION}\$"; then
  say "installing trunk ${TRUNK_VERSION} (about 8 minutes on 2 cores)"
  cargo install trunk --locked --version "${TRUNK_VERSION}"
fi

# Without --locked: the CLI's lock file names a crate version the registry does not serve.
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}\$" \
  || ! command -v wasm-bindgen-test-runner >/dev/null; then
  say "installing wasm-bindgen-cli ${WASM_BINDGEN_VERSION} (about 3 minutes)"
  cargo install wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi

# wasm-opt from npm's binaryen (Debian's binaryen 108 produces a module that dies at start)
# and playwright-core. `npm ci` only when the lock file is newer than the installed tree.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (binaryen, playwright-core)"
  npm ci --no-audit --no-fund
fi

if [ "$want_browser" = "--browser" ]; then
  # A Chinese font too: without one Chromium prints the zh-CN report as empty boxes, and the
  # report's PDF test reads its text (tablets and PCs in use have one; a bare CI box does not).
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null \
    || ! fc-list :lang=zh 2>/dev/null | grep -q .; then
    say "installing Debian's chromium, chromium-driver and a Chinese font"
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y chromium chromium-driver fonts-wqy-microhei
  fi
fi
