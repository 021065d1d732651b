#!/usr/bin/env bash
# Install every Debian package LoadDensity needs to build, test and benchmark.
# Idempotent: packages already installed are left alone. Works as root on a
# fresh Debian 12 (or through sudo). Says what it installs; fails loudly.
set -euo pipefail

# Build and runtime libraries.
BUILD_PKGS=(
  build-essential cmake pkg-config git
  libuv1-dev libcurl4-openssl-dev libsqlite3-dev libssl-dev
  libjansson-dev libfyaml-dev
)
# Test tools.
TEST_PKGS=(
  libcmocka-dev
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" != "--build-only" ]; then
  want+=("${TEST_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages already installed"
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
echo "install-deps: done"
