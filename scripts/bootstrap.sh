#!/usr/bin/env bash
# Installs what `make run` and `make test` need on a Debian machine, and skips what is there.
# Idempotent: a second run only checks versions. Run from anywhere; as root (apt-get), or with
# sudo available.
#
#   wasm32-unknown-unknown   rustup target, for the widget
#   trunk 0.21.14            builds the widget (cargo install --locked)
#   wasm-bindgen-cli         exactly the wasm-bindgen version in Cargo.lock (trunk and the
#                            wasm test runner both need it)
#   wasm-opt (binaryen 132)  from npm into .tools/ (Debian's binaryen 108 emits modules
#                            Chromium rejects)
#   chromium, chromedriver   Debian packages: Chromium, for browser and end-to-end tests
#   firefox-esr              Debian package: Firefox, for browser and end-to-end tests
#   geckodriver 0.37.1       Firefox's WebDriver server (cargo install --locked)
#   webkit2gtk-driver, xvfb  Debian packages: WebKitGTK's WebDriver server and MiniBrowser,
#   xauth                    which has no headless mode and so runs under xvfb-run
#   e2e/node_modules         `npm ci` of the committed e2e/package-lock.json
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
GECKODRIVER_VERSION=0.37.1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

say() { printf 'bootstrap: %s\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { say "missing $1: $2"; exit 1; }; }

need cargo "install Rust with rustup first"
need rustup "install Rust with rustup first"
need node "install Node.js (20 or newer) with npm"
need npm "install npm"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; exit 1
  fi
}

# --- wasm32 target -----------------------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "skip rustup target wasm32-unknown-unknown (installed)"
else
  say "install rustup target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- trunk -------------------------------------------------------------------------------
have_trunk="$(trunk --version 2>/dev/null || true)"
if [ "$have_trunk" = "trunk $TRUNK_VERSION" ]; then
  say "skip trunk $TRUNK_VERSION (installed)"
else
  say "install trunk $TRUNK_VERSION (found: ${have_trunk:-none}; takes about 7-9 minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi

# --- wasm-bindgen-cli, at the version of Cargo.lock --------------------------------------
bindgen_version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)"
if [ -z "$bindgen_version" ]; then
  say "could not find wasm-bindgen's version in Cargo.lock"; exit 1
fi
trunk_pin="$(awk -F'"' '/^wasm_bindgen *=/ { print $2; exit }' Trunk.toml)"
if [ "$trunk_pin" != "$bindgen_version" ]; then
  say "Trunk.toml pins wasm_bindgen = \"$trunk_pin\" but Cargo.lock has $bindgen_version: make them agree"
  exit 1
fi
have_bindgen="$(wasm-bindgen --version 2>/dev/null || true)"
have_runner="$(command -v wasm-bindgen-test-runner || true)"
if [ "$have_bindgen" = "wasm-bindgen $bindgen_version" ] && [ -n "$have_runner" ]; then
  say "skip wasm-bindgen-cli $bindgen_version (installed)"
else
  say "install wasm-bindgen-cli $bindgen_version (found: ${have_bindgen:-none}; takes about 3 minutes)"
  # Not --locked: its lockfile pins a crate version the registry no longer serves.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# --- wasm-opt from binaryen on npm, project-local ----------------------------------------
have_opt="$("$root/.tools/node_modules/.bin/wasm-opt" --version 2>/dev/null || true)"
case "$have_opt" in
  *"version $BINARYEN_VERSION "* | *"version $BINARYEN_VERSION") say "skip wasm-opt $BINARYEN_VERSION (in .tools/)" ;;
  *)
    say "install wasm-opt from npm binaryen@$BINARYEN_VERSION into .tools/ (found: ${have_opt:-none})"
    mkdir -p "$root/.tools"
    [ -f "$root/.tools/package.json" ] || printf '{ "private": true }\n' >"$root/.tools/package.json"
    npm install --prefix "$root/.tools" --save-exact "binaryen@$BINARYEN_VERSION" >/dev/null
    have_opt="$("$root/.tools/node_modules/.bin/wasm-opt" --version)"
    case "$have_opt" in
      *"version $BINARYEN_VERSION"*) ;;
      *) say "wasm-opt reports '$have_opt', wanted version $BINARYEN_VERSION"; exit 1 ;;
    esac
    ;;
esac
say "wasm-opt: $("$root/.tools/node_modules/.bin/wasm-opt" --version)"

# --- the three browser engines and their WebDriver servers (Debian packages) -------------
# One apt-get for whatever is missing; a package counts as present when its program is.
apt_missing=()
for pair in chromium:/usr/bin/chromium chromium-driver:/usr/bin/chromedriver \
  firefox-esr:/usr/bin/firefox-esr webkit2gtk-driver:/usr/bin/WebKitWebDriver \
  xvfb:/usr/bin/xvfb-run xauth:/usr/bin/xauth; do
  package="${pair%%:*}"
  if [ -x "${pair#*:}" ]; then
    say "skip $package (installed)"
  else
    apt_missing+=("$package")
  fi
done
if [ ${#apt_missing[@]} -gt 0 ]; then
  say "install ${apt_missing[*]} (apt)"
  as_root apt-get update
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y "${apt_missing[@]}"
fi

# --- geckodriver -------------------------------------------------------------------------
have_gecko="$(geckodriver --version 2>/dev/null | head -n 1 || true)"
case "$have_gecko" in
  "geckodriver $GECKODRIVER_VERSION"*) say "skip geckodriver $GECKODRIVER_VERSION (installed)" ;;
  *)
    say "install geckodriver $GECKODRIVER_VERSION (found: ${have_gecko:-none}; takes about 2 minutes)"
    cargo install --locked geckodriver --version "$GECKODRIVER_VERSION"
    ;;
esac

# --- e2e npm packages --------------------------------------------------------------------
# `npm ci` wipes node_modules, so only run it when the lock file changed since the last one.
lock_sum="$(sha256sum e2e/package-lock.json | cut -d' ' -f1)"
stamp="e2e/node_modules/.finlink-lock.sha256"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_sum" ]; then
  say "skip npm ci in e2e/ (package-lock.json unchanged)"
else
  say "install e2e packages (npm ci in e2e/)"
  (cd e2e && npm ci --no-audit --no-fund)
  printf '%s\n' "$lock_sum" >"$stamp"
fi

say "ready"
