#!/usr/bin/env bash
# Build the libFuzzer targets in build-fuzz (clang, LD_FUZZ=ON) and fuzz each
# one for SECONDS (default 60) on a scratch copy of its committed corpus.
# Fails on the first crash, leak, sanitizer report or timeout; the crashing
# input is left in build-fuzz/artifacts/. Usage: fuzz/run.sh [SECONDS] [name...]
set -euo pipefail

cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
build=${LD_FUZZ_BUILD:-build-fuzz}
jobs=${LD_FUZZ_JOBS:-2}

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DLD_FUZZ=ON -DLD_BUILD_TESTS=OFF \
    -DLD_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build" --target fuzz -j"$jobs" >/dev/null

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do
    n=${f#fuzz/fuzz_}
    names+=("${n%.c}")
  done
fi

mkdir -p "$build/artifacts"
asan=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for n in "${names[@]}"; do
  work=$(mktemp -d)
  cp fuzz/corpus/"$n"/* "$work"/
  echo "fuzz: $n for ${secs}s"
  # full unwinding on malloc where libfyaml is reached: it has no frame
  # pointers, and the suppression in lsan.supp matches a frame inside it
  # (costly elsewhere: har runs 40 times slower with it)
  case $n in
    doc|lint) export ASAN_OPTIONS=$asan:fast_unwind_on_malloc=0 ;;
    *) export ASAN_OPTIONS=$asan ;;
  esac
  if ! "$build/bin/fuzz_$n" -max_total_time="$secs" -timeout=20 \
       -max_len=16384 -print_final_stats=1 \
       -artifact_prefix="$build/artifacts/$n-" "$work" \
       >"$build/artifacts/$n.log" 2>&1; then
    echo "fuzz: $n FAILED (log: $build/artifacts/$n.log)" >&2
    grep -E 'ERROR|runtime error|SUMMARY|Test unit written' \
      "$build/artifacts/$n.log" >&2 || true
    status=1
  else
    grep -E '^stat::number_of_executed_units|^Done' \
      "$build/artifacts/$n.log" || true
  fi
  rm -rf "$work"
done
exit $status
