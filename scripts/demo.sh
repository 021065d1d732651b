#!/usr/bin/env bash
# Install what is needed, build, and run a real load test against the
# embedded target on loopback (the seed's example document), printing the
# summary. Extra arguments go to `loaddensity demo` (e.g. --seconds 5).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --build-only
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DLD_BUILD_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"
exec ./build/bin/loaddensity demo "$@"
