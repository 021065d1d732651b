#!/usr/bin/env bash
# Requests per worker CPU-second under one Locust master: the C worker
# (`loaddensity worker`) against Locust's own Python worker (FastHttpUser),
# same master, same target (the embedded one), same users, no wait time.
#
# The target and the master run on CPU 0, the worker on CPU 1 (taskset).
# A worker's CPU time is user+sys of its process (getrusage of the child);
# its requests are what the master's CSV counted. Python's worker needs the
# version workaround of Debian's empty locust.__version__ (see
# shared/locust/PROTOCOL.md 9.3), added to its locustfile below.
#
# Usage: bench/locust_worker.sh [SECONDS] [BUILD_DIR]   (defaults: 10, build)
# Environment: BENCH_USERS (20), BENCH_OUT (bench/results).
# Needs: python3-locust (scripts/install-deps.sh), taskset (util-linux).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
BUILD=${2:-build}
USERS=${BENCH_USERS:-20}
OUT=${BENCH_OUT:-bench/results}
LD="$PWD/$BUILD/bin/loaddensity"
PY=/usr/bin/python3
LOCUST=/usr/bin/locust
SRC=$PWD
[ -x "$LD" ] || { echo "build first: $LD is missing" >&2; exit 2; }
[ -x "$LOCUST" ] || { echo "install python3-locust" >&2; exit 2; }
W=$(mktemp -d /tmp/ldbench-locust.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$W"' EXIT

free_port() {
  "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

taskset -c 0 "$LD" target --port 0 >"$W/target.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q listening "$W/target.log" && break; sleep 0.1; done
TPORT=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$W/target.log")

cat >"$W/w.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"user": "fast_http_user", "wait_time": 0},
  "host": "http://127.0.0.1:$TPORT",
  "tasks": [{"method": "get", "request_url": "/"}]}]]
EOF
cat >"$W/pyworker.py" <<EOF
import locust.runners
if not locust.runners.__version__:
    locust.runners.__version__ = "2.12.1"
from locust import FastHttpUser, constant, task

class LoadDensityUser(FastHttpUser):
    host = "http://127.0.0.1:$TPORT"
    wait_time = constant(0)

    @task
    def home(self):
        self.client.get("/")
EOF

# cpu CMD...: run CMD, print its user+sys CPU seconds on fd 3.
cpu() {
  "$PY" -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f" % (r.ru_utime + r.ru_stime))' "$@"
}

# run NAME WORKER-CMD...: one master run with that worker; prints
# "requests cpu_s".
run() {
  local name=$1 port
  shift
  port=$(free_port)
  LOADDENSITY_FILE="$W/w.json" taskset -c 0 "$LOCUST" \
    -f "$SRC/locust/loaddensity_master.py" --master \
    --master-bind-host 127.0.0.1 --master-bind-port "$port" --headless \
    --expect-workers 1 --expect-workers-max-wait 30 -u "$USERS" -r "$USERS" \
    -t "${DUR}s" --csv "$W/$name" >"$W/$name.master.log" 2>&1 &
  local m=$!
  PIDS+=($m)
  local c
  c=$(cpu taskset -c 1 "$@" --master-port "$port")
  wait "$m" || true
  local req
  req=$("$PY" -c 'import csv, sys
for r in csv.DictReader(open(sys.argv[1])):
    if r["Name"] == "Aggregated": print(r["Request Count"])' "$W/${name}_stats.csv")
  echo "$req $c"
}

read -r creq ccpu < <(run c "$LD" worker -q --drop-records --threads 1 "$W/w.json")
read -r preq pcpu < <(run py "$LOCUST" -f "$W/pyworker.py" --worker \
  --master-host 127.0.0.1)

mkdir -p "$OUT"
"$PY" - "$creq" "$ccpu" "$preq" "$pcpu" "$DUR" "$USERS" "$BUILD" <<'EOF' | tee "$OUT/locust_worker.txt"
import sys
creq, ccpu, preq, pcpu = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
dur, users, build = sys.argv[5], sys.argv[6], sys.argv[7]
c = creq / ccpu if ccpu else 0
p = preq / pcpu if pcpu else 0
print("under one Locust 2.12 master, %s s, %s users, GET / (13 B), keep-alive;"
      " worker on CPU 1, target and master on CPU 0; build dir %s" % (dur, users, build))
print("%-28s %10s %10s %14s" % ("worker", "requests", "cpu s", "req/cpu-s"))
print("%-28s %10d %10.2f %14.0f" % ("loaddensity worker (C)", creq, ccpu, c))
print("%-28s %10d %10.2f %14.0f" % ("locust --worker FastHttpUser", preq, pcpu, p))
print("ratio: %.1fx" % (c / p if p else 0))
EOF
