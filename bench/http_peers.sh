#!/usr/bin/env bash
# Side-by-side HTTP/1.1 keep-alive benchmark: loaddensity (native HTTP/1.1
# driver, the default for http://, its sockets through io_uring where the
# kernel allows), loaddensity with "driver": "curl", wrk,
# hey, h2load and Locust (FastHttpUser), all hitting the same nginx on
# loopback with the same GET.
#
# nginx runs one worker pinned to CPU 0; every client is pinned to CPU 1 and
# runs one thread (loaddensity records every request). For each client,
# connection count (1, 50) and body (13 B, 1 KiB) it reports requests/s,
# client CPU-seconds per 100k requests (user+sys from wait4), client peak
# RSS, and p50/p99 latency when the tool prints them, then ratios against
# wrk and Locust. CPU per request is the robust figure on shared 2-vCPU
# machines; wall-clock req/s and p99 are noisier. With BENCH_REPEAT=N every
# run is repeated N times (the order of tools rotates) and the summary
# shows medians.
#
# Usage: bench/http_peers.sh [SECONDS] [BUILD_DIR]   (defaults: 10, build)
# Environment: BENCH_TOOLS ("loaddensity ld-curl wrk hey h2load locust";
#   also "ld-epoll": the native driver with LOADDENSITY_IO=epoll (libuv's
#   epoll instead of io_uring), and "uring-floor": bench_uring_floor, an
#   io_uring client that records nothing: the floor of this workload),
#   BENCH_CONNS ("1 50"), BENCH_BODIES ("13 1024"), BENCH_REPEAT (1),
#   BENCH_OUT (bench/results), BENCH_PORT (18391).
# Needs: scripts/install-deps.sh --bench (nginx-light, wrk, hey,
# nghttp2-client, python3-locust, time, liburing-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
BUILD=${2:-build}
LD="$BUILD/bin/loaddensity"
OUT=${BENCH_OUT:-bench/results}
CONNS=${BENCH_CONNS:-"1 50"}
BODIES=${BENCH_BODIES:-"13 1024"}
TOOLS=${BENCH_TOOLS:-"loaddensity ld-curl wrk hey h2load locust"}
REPEAT=${BENCH_REPEAT:-1}
mkdir -p "$OUT"
W=$(mktemp -d /tmp/ldbench.XXXXXX)
chmod 755 "$W"   # nginx workers run as www-data
trap 'kill $(cat "$W/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$W"' EXIT

for t in nginx wrk hey h2load; do
  command -v "$t" >/dev/null || { echo "missing $t: run scripts/install-deps.sh --bench" >&2; exit 2; }
done
[ -x "$LD" ] || { echo "missing $LD: build first" >&2; exit 2; }

# ---- nginx: one worker on CPU 0, a 13-byte and a 1 KiB body ----
PORT=${BENCH_PORT:-18391}
mkdir -p "$W/www" "$W/logs"
printf 'Hello, world!' >"$W/www/13"
head -c 1024 /dev/zero | tr '\0' 'x' >"$W/www/1024"
cat >"$W/nginx.conf" <<EOF
worker_processes 1;
worker_cpu_affinity 01;
pid $W/nginx.pid;
error_log $W/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path $W/logs;
  proxy_temp_path $W/logs;
  fastcgi_temp_path $W/logs;
  uwsgi_temp_path $W/logs;
  scgi_temp_path $W/logs;
  server {
    listen 127.0.0.1:$PORT;
    root $W/www;
    default_type text/plain;
  }
}
EOF
nginx -c "$W/nginx.conf" -p "$W"
sleep 0.3
curl -sf "http://127.0.0.1:$PORT/13" >/dev/null || { echo "nginx did not start" >&2; cat "$W/logs/error.log" >&2; exit 1; }

# run_timed NAME CMD...: pinned to CPU 1; writes $W/NAME.{out,time}
run_timed() {
  local name=$1
  shift
  rm -f "$W/$name.time"
  /usr/bin/time -f "%U %S %M" -o "$W/$name.time" taskset -c 1 "$@" >"$W/$name.out" 2>&1 || true
}

# parse wrk/hey/h2load/loaddensity outputs into "requests rps p50 p99"
parse() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
tool, path = sys.argv[1], sys.argv[2]
text = open(path, errors="replace").read()
req = rps = p50 = p99 = float("nan")
def ms(v, unit):
    v = float(v); return v * {"us": 1e-3, "ms": 1, "s": 1e3}[unit]
if tool == "wrk":
    m = re.search(r"(\d+) requests in", text); req = float(m.group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    for q, name in (("50", "p50"), ("99", "p99")):
        m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % q, text, re.M)
        if m:
            if name == "p50": p50 = ms(*m.groups())
            else: p99 = ms(*m.groups())
elif tool == "hey":
    m = re.search(r"\[200\]\s+(\d+) responses", text); req = float(m.group(1)) if m else 0
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"50% in ([\d.]+) secs", text); p50 = float(m.group(1)) * 1e3 if m else p50
    m = re.search(r"99% in ([\d.]+) secs", text); p99 = float(m.group(1)) * 1e3 if m else p99
elif tool == "uring-floor":
    m = re.search(r"requests (\d+) rps ([\d.]+)", text)
    req, rps = float(m.group(1)), float(m.group(2))
elif tool == "h2load":
    m = re.search(r"requests: \d+ total, \d+ started, (\d+) done", text); req = float(m.group(1))
    m = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text); rps = float(m.group(1))
elif tool in ("loaddensity", "ld-curl", "ld-epoll"):
    s = json.load(open(path.replace(".out", ".json")))
    t, l = s["totals"], s["latency_overall"]
    req, rps, p50, p99 = t["requests"], t["requests_per_second"], l["p50_ms"], l["p99_ms"]
print(req, rps, p50, p99)
PY
}

parse_locust() {
  python3 - "$1" <<'PY' || echo "nan nan nan nan"
import sys
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
head = [h.strip('"') for h in rows[0]]
agg = [r for r in rows[1:] if r[1].strip('"') == "Aggregated"][0]
get = lambda k: agg[head.index(k)].strip('"')
print(get("Request Count"), get("Requests/s"), get("50%"), get("99%"))
PY
}

# run_one TOOL CONNS BODY REP: one measurement, appended to $results
run_one() {
  local tool=$1 c=$2 body=$3 rep=$4 name driver
  local url="http://127.0.0.1:$PORT/$body"
  name="$tool-$c-$body-$rep"
  case $tool in
    wrk) run_timed "$name" wrk -t1 -c"$c" -d"${DUR}s" --latency "$url" ;;
    hey) run_timed "$name" hey -z "${DUR}s" -c "$c" -cpus 1 "$url" ;;
    h2load) run_timed "$name" h2load --h1 -c "$c" -t 1 -D "$DUR" "$url" ;;
    uring-floor)
      [ -x "$BUILD/bin/bench_uring_floor" ] || { echo "no $BUILD/bin/bench_uring_floor (needs liburing-dev)" >&2; return 0; }
      run_timed "$name" "$BUILD/bin/bench_uring_floor" "$PORT" "/$body" "$c" "$DUR" ;;
    locust)
      command -v locust >/dev/null || return 0
      cat >"$W/locustfile.py" <<EOF
from locust import FastHttpUser, task, constant
class U(FastHttpUser):
    wait_time = constant(0)
    @task
    def get(self):
        self.client.get("/$body")
EOF
      run_timed "$name" locust -f "$W/locustfile.py" --headless -u "$c" -r "$c" \
        -t "${DUR}s" --host "http://127.0.0.1:$PORT" --csv "$W/$name" --only-summary
      ;;
    loaddensity | ld-curl | ld-epoll)
      driver=""
      io=auto
      [ "$tool" = ld-curl ] && driver=', "driver": "curl"'
      [ "$tool" = ld-epoll ] && io=epoll
      cat >"$W/$name.ld.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"user": "fast_http_user", "wait_time": 0$driver},
  "user_count": $c, "spawn_rate": 100000, "test_time": $DUR, "threads": 1,
  "tasks": [{"method": "get", "request_url": "$url"}]}],
 ["LD_generate_summary_report", {"report_name": "$W/$name"}]]
EOF
      run_timed "$name" env LOADDENSITY_IO=$io "$LD" run -q "$W/$name.ld.json" ;;
    *) echo "unknown tool $tool" >&2; return 0 ;;
  esac
  [ -f "$W/$name.time" ] || return 0
  local usr sys rss parsed req rps p50 p99 cpu mib
  read -r usr sys rss <"$W/$name.time"
  if [ "$tool" = locust ]; then
    parsed=$(parse_locust "$W/${name}_stats.csv")
  else
    parsed=$(parse "$tool" "$W/$name.out" 2>/dev/null || echo "nan nan nan nan")
  fi
  read -r req rps p50 p99 <<<"$parsed"
  cpu=$(python3 -c "import sys; u,s,r=map(float,sys.argv[1:4]); print('%.3f' % ((u+s)/r*1e5) if r>0 else 'nan')" "$usr" "$sys" "$req")
  mib=$(python3 -c "print('%.1f' % (int('$rss')/1024))")
  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$tool" "$c" "$body" "$rep" "$req" "$rps" "$cpu" "$mib" "$p50" "$p99" | tee -a "$results"
}

results="$OUT/http_peers.tsv"
printf "tool\tconns\tbody\trep\trequests\trps\tcpu_s_per_100k\tpeak_rss_mib\tp50_ms\tp99_ms\n" >"$results"
read -r -a tools <<<"$TOOLS"
for rep in $(seq 1 "$REPEAT"); do
  for body in $BODIES; do
    for c in $CONNS; do
      # rotate the order so no tool always runs right after the same one
      n=${#tools[@]}
      for i in $(seq 0 $((n - 1))); do
        run_one "${tools[$(((i + rep - 1) % n))]}" "$c" "$body" "$rep"
      done
    done
  done
done

echo
python3 - "$results" "$OUT/http_peers.md" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
keys, groups = [], {}
for r in rows:
    k = (r["tool"], r["conns"], r["body"])
    if k not in groups:
        keys.append(k)
        groups[k] = []
    groups[k].append(r)
def med(k, col):
    vals = []
    for r in groups.get(k, []):
        try:
            v = float(r[col])
            if v == v:
                vals.append(v)
        except ValueError:
            pass
    return statistics.median(vals) if vals else float("nan")
def f(v, fmt):
    return "n/a" if v != v else fmt % v
out = []
out.append("| client | conns | body | runs | req/s | CPU-s/100k | × wrk | Locust ÷ | RSS MiB | p50 ms | p99 ms |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|")
order = ["loaddensity", "ld-epoll", "ld-curl", "uring-floor", "wrk", "h2load", "hey", "locust"]
keys.sort(key=lambda k: (int(k[2]), int(k[1]), order.index(k[0]) if k[0] in order else 99))
for k in keys:
    tool, c, body = k
    cpu = med(k, "cpu_s_per_100k")
    wrk = med(("wrk", c, body), "cpu_s_per_100k")
    loc = med(("locust", c, body), "cpu_s_per_100k")
    name = {"loaddensity": "loaddensity (native)", "ld-curl": "loaddensity (libcurl)",
            "ld-epoll": "loaddensity (native, epoll)",
            "locust": "Locust FastHttpUser",
            "uring-floor": "io_uring floor (records nothing)"}.get(tool, tool)
    out.append("| %s | %s | %s B | %d | %s | %s | %s | %s | %s | %s | %s |" % (
        name, c, body, len(groups[k]), f(med(k, "rps"), "%.0f"), f(cpu, "%.2f"),
        f(cpu / wrk if wrk == wrk and wrk else float("nan"), "%.2f"),
        f(loc / cpu if loc == loc and cpu else float("nan"), "%.1f"),
        f(med(k, "peak_rss_mib"), "%.1f"), f(med(k, "p50_ms"), "%.3f"),
        f(med(k, "p99_ms"), "%.3f")))
# Per-round ratios: in each round the tools of one row run back to back, so
# their ratio is taken before the machine's speed drifts; the median and
# range over rounds say how stable a ratio is.
def cpu_of(tool, c, body, rep):
    for r in groups.get((tool, c, body), []):
        if r["rep"] == rep:
            try:
                v = float(r["cpu_s_per_100k"])
                return v if v == v and v > 0 else None
            except ValueError:
                return None
    return None
rounds = []
rows_seen = []
for k in keys:
    if k[0] == "loaddensity" and (k[1], k[2]) not in rows_seen:
        rows_seen.append((k[1], k[2]))
if rows_seen and len({r["rep"] for r in rows}) > 1:
    rounds.append("")
    rounds.append("Per round (tools of a row back to back), CPU per request of "
                  "each client divided by loaddensity (native)'s in the same "
                  "round: median (min–max) over rounds.")
    rounds.append("")
    others = [t for t in ("ld-epoll", "uring-floor", "wrk", "h2load", "hey", "locust", "ld-curl")
              if any(k[0] == t for k in keys)]
    rounds.append("| conns | body | " + " | ".join(
        {"locust": "Locust", "ld-curl": "libcurl driver", "ld-epoll": "epoll",
         "uring-floor": "io_uring floor"}.get(t, t) + " ÷ native"
        for t in others) + " |")
    rounds.append("|---|---|" + "---|" * len(others))
    for c, body in rows_seen:
        cells = []
        for t in others:
            rs = []
            for rep in sorted({r["rep"] for r in rows}, key=int):
                a, b = cpu_of(t, c, body, rep), cpu_of("loaddensity", c, body, rep)
                if a and b:
                    rs.append(a / b)
            cells.append("%.2f (%.2f–%.2f)" % (statistics.median(rs), min(rs), max(rs))
                         if rs else "n/a")
        rounds.append("| %s | %s B | %s |" % (c, body, " | ".join(cells)))
text = "\n".join(out + rounds) + "\n"
open(sys.argv[2], "w").write(text)
print(text)
print("× wrk: client CPU per request relative to wrk (< 1 is cheaper);")
print("Locust ÷: how many times more CPU per request Locust FastHttpUser used.")
PY
echo "raw runs: $results; table: $OUT/http_peers.md"
