#!/usr/bin/env bash
# Install every Debian package LoadDensity needs to build and test
# (--build-only: just build; --bench: also the peer tools of bench/;
# --fuzz: also clang for the libFuzzer targets of fuzz/).
# Idempotent: packages already installed are left alone. Works as root on a
# fresh Debian 12 (or through sudo). Says what it installs; fails loudly.
set -euo pipefail

# Build and runtime libraries.
BUILD_PKGS=(
  build-essential cmake pkg-config git
  libuv1-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev
  libjansson-dev libfyaml-dev libpcre2-dev libzmq3-dev libmsgpack-dev
  liburing-dev
)
# Test tools.
TEST_PKGS=(
  libcmocka-dev libxml2-utils python3-locust python3-yaml pre-commit
  openssl curl nghttp2-server
)

# The libFuzzer targets of fuzz/ (only with --fuzz): clang and its runtime.
FUZZ_PKGS=(
  clang libclang-rt-14-dev
)

# Peer tools for the benchmarks in bench/ (only with --bench).
BENCH_PKGS=(
  nginx-light wrk hey nghttp2-client python3-locust time hyperfine
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" != "--build-only" ]; then
  want+=("${TEST_PKGS[@]}")
fi
if [ "${1:-}" = "--bench" ]; then
  want+=("${BENCH_PKGS[@]}")
fi
if [ "${1:-}" = "--fuzz" ]; then
  want+=("${FUZZ_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the JavaScript test clients (LSP, MCP, JSON Schema); use the
# machine's node when it has one, Debian's otherwise.
if [ "${1:-}" != "--build-only" ] && ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

install_js() {
  # JavaScript test dependencies from the npm registry, pinned by
  # tests/js/package-lock.json; skipped when the lock file has not changed.
  [ "${1:-}" = "--build-only" ] && return 0
  local dir stamp sum
  for dir in tests/js vscode; do
    [ -f "$dir/package-lock.json" ] || continue
    stamp="$dir/node_modules/.ld-lock-sum"
    sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
      continue
    fi
    echo "install-deps: npm ci in $dir"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "install-deps: npm ci failed in $dir" >&2
      exit 1
    fi
    echo "$sum" >"$stamp"
  done
}

cd "$(dirname "$0")/.."

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages already installed"
  install_js "${1:-}"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
if ! "${SUDO[@]}" apt-get update -q; then
  echo "install-deps: apt-get update failed" >&2
  exit 1
fi
if ! "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  echo "install-deps: apt-get install failed for: ${missing[*]}" >&2
  exit 1
fi
install_js "${1:-}"
echo "install-deps: done"
