#!/usr/bin/env bash
# Benchmark loaddensity-mcp against the reference TypeScript MCP server.
# Builds a Release loaddensity-mcp in build-bench-mcp/ (unless --ld PATH is
# given), installs server-everything from package-lock.json, runs bench.mjs.
# usage: bench/mcp/run.sh [--ld PATH] [--runs N] [--calls N] [--json]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
args=("$@")
if [[ " $* " != *" --ld "* ]]; then
  cmake -S "$root" -B "$root/build-bench-mcp" -DCMAKE_BUILD_TYPE=Release \
    -DLD_BUILD_TESTS=OFF -DLD_BUILD_BENCH=OFF >/dev/null
  cmake --build "$root/build-bench-mcp" -j"$(nproc)" --target loaddensity-mcp >/dev/null
  args+=(--ld "$root/build-bench-mcp/bin/loaddensity-mcp")
fi
if [ ! -d "$here/node_modules/@modelcontextprotocol/server-everything" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$here/bench.mjs" "${args[@]}"
