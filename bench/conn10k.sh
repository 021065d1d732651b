#!/usr/bin/env bash
# 10,000 concurrent keep-alive connections: loaddensity runs 10,000 users
# (one connection each) against nginx on loopback and reports the client's
# peak RSS, the connections established to nginx (ss, sampled mid-run), the
# requests recorded and the client CPU time. Goal: <= 150 MiB RSS with every
# request recorded.
#
# Usage: bench/conn10k.sh [SECONDS] [BUILD_DIR]   (defaults: 20, build)
# Environment: CONN10K_USERS (10000), CONN10K_SPAWN (2000 users per second;
#   nginx runs with multi_accept on: without it, its one worker, busy serving
#   the first users, overflows its accept queue, and SYN cookies that no
#   longer validate come back as resets), CONN10K_WAIT ("1 0":
#   the users' wait_time between requests, one run each; 0 is flat out),
#   CONN10K_DRIVERS
#   ("auto curl"), BENCH_OUT (bench/results), BENCH_PORT (18392).
# Needs nginx (scripts/install-deps.sh --bench), a hard open-files limit
# above USERS + 256 (ulimit -Hn; nginx needs as many), and USERS free
# ephemeral ports per run (each run uses its own nginx port, as the client
# leaves USERS sockets in TIME_WAIT for a minute after a run).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-20}
BUILD=${2:-build}
LD="$BUILD/bin/loaddensity"
USERS=${CONN10K_USERS:-10000}
SPAWN=${CONN10K_SPAWN:-2000}
WAITS=${CONN10K_WAIT:-"1 0"}
DRIVERS=${CONN10K_DRIVERS:-"auto curl"}
OUT=${BENCH_OUT:-bench/results}
PORT=${BENCH_PORT:-18392}
mkdir -p "$OUT"
command -v nginx >/dev/null || { echo "missing nginx: run scripts/install-deps.sh --bench" >&2; exit 2; }
[ -x "$LD" ] || { echo "missing $LD: build first" >&2; exit 2; }
need=$((USERS + 256))
# -S: a plain `ulimit -n` would lower the hard limit too, and nginx (started
# from this shell) would then get too few worker connections
ulimit -Sn "$need" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge "$need" ] || { echo "open files limited to $(ulimit -n) (< $need): raise ulimit -Hn" >&2; exit 2; }

# nginx runs as www-data: its workers cannot go past the hard limit
NOFILE=$((USERS * 2 + 1024))
[ "$NOFILE" -le "$(ulimit -Hn)" ] || NOFILE=$(ulimit -Hn)
W=$(mktemp -d /tmp/ld10k.XXXXXX)
chmod 755 "$W"
trap 'kill $(cat "$W/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT
mkdir -p "$W/www" "$W/logs"
printf 'Hello, world!' >"$W/www/13"
cat >"$W/nginx.conf" <<EOF
worker_processes 1;
worker_cpu_affinity 01;
worker_rlimit_nofile $NOFILE;
pid $W/nginx.pid;
error_log $W/logs/error.log warn;
events { worker_connections $((NOFILE - 64)); multi_accept on; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 300s;
  client_body_temp_path $W/logs;
  proxy_temp_path $W/logs;
  fastcgi_temp_path $W/logs;
  uwsgi_temp_path $W/logs;
  scgi_temp_path $W/logs;
  server {
    # one port per run: the client's TIME_WAIT sockets of a run (one per
    # user, 60 s) would otherwise use up the ephemeral ports of the next
    listen 127.0.0.1:$PORT backlog=4096;
    listen 127.0.0.1:$((PORT + 1)) backlog=4096;
    listen 127.0.0.1:$((PORT + 2)) backlog=4096;
    listen 127.0.0.1:$((PORT + 3)) backlog=4096;
    listen 127.0.0.1:$((PORT + 4)) backlog=4096;
    listen 127.0.0.1:$((PORT + 5)) backlog=4096;
    root $W/www;
    default_type text/plain;
  }
}
EOF
nginx -c "$W/nginx.conf" -p "$W"
sleep 0.3
curl -sf "http://127.0.0.1:$PORT/13" >/dev/null || { echo "nginx did not start" >&2; cat "$W/logs/error.log" >&2; exit 1; }

results="$OUT/conn10k.tsv"
printf "driver\tusers\twait_s\tseconds\trequests\tfailures\tconns_mid_run\tpeak_rss_mib\tcpu_s\tbytes_per_user\n" >"$results"
run=0
for drv in $DRIVERS; do
  for wait in $WAITS; do
    name="$drv-$wait"
    rport=$((PORT + run % 6))
    run=$((run + 1))
    cat >"$W/$name.ld.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"user": "fast_http_user", "wait_time": $wait, "driver": "$drv"},
  "user_count": $USERS, "spawn_rate": $SPAWN, "test_time": $DUR,
  "tasks": [{"method": "get", "request_url": "http://127.0.0.1:$rport/13"}]}],
 ["LD_generate_summary_report", {"report_name": "$W/$name"}]]
EOF
    /usr/bin/time -f "%U %S %M" -o "$W/$name.time" taskset -c 1 "$LD" run -q "$W/$name.ld.json" >"$W/$name.out" 2>&1 &
    pid=$!
    sleep $((DUR / 2 + 1))
    active=$(ss -Htn state established "( dport = :$rport )" | wc -l)
    wait "$pid" || true
    read -r usr sys rss <"$W/$name.time"
    python3 - "$W/$name.json" "$drv" "$USERS" "$wait" "$DUR" "${active:-0}" "$usr" "$sys" "$rss" <<'PY' | tee -a "$results"
import json, sys
path, drv, users, wait, dur, active, usr, sys_, rss = sys.argv[1:]
try:
    t = json.load(open(path))["totals"]
    req, fail = t["requests"], t["failures"]
except (OSError, ValueError, KeyError):
    req = fail = 0
rss_kib = int(rss)
# what is left per user once the records (32 bytes each) are set aside
per_user = (rss_kib * 1024 - 32 * req) / float(users)
print("%s\t%s\t%s\t%s\t%d\t%d\t%s\t%.1f\t%.2f\t%.0f" % (
    drv, users, wait, dur, req, fail, active, rss_kib / 1024.0,
    float(usr) + float(sys_), per_user))
PY
    sleep 2 # let nginx drop the old connections
  done
done
echo "table: $results"
