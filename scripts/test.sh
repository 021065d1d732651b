#!/usr/bin/env bash
# Install what is needed, build, and run every test: first an optimised build
# with warnings as errors, then the same suite under AddressSanitizer and
# UndefinedBehaviorSanitizer. Set LD_SKIP_SANITIZERS=1 to run only the first.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

echo "== build (RelWithDebInfo, -Werror)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLD_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"
echo "== tests"
(cd build-test && ctest --output-on-failure -j"$jobs" --timeout 600)

if [ "${LD_SKIP_SANITIZERS:-0}" != "1" ]; then
  echo "== build (ASan + UBSan)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DLD_WERROR=ON \
        -DLD_ASAN=ON -DLD_UBSAN=ON >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan + UBSan"
  (cd build-asan && ctest --output-on-failure -j"$jobs" --timeout 900)
fi
