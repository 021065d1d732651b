#!/usr/bin/env bash
# Side-by-side HTTP/1.1 keep-alive benchmark: loaddensity against wrk, hey,
# h2load and Locust (FastHttpUser), all hitting the same nginx on loopback.
#
# nginx runs one worker pinned to CPU 0; every client is pinned to CPU 1.
# For each client, connection count (1, 50) and body (13 B, 1 KiB) it
# reports requests/s, client CPU-seconds per 100k requests (user+sys from
# wait4), client peak RSS, and p50/p99 latency when the tool prints them,
# then ratios against wrk and Locust. CPU per request is the robust figure
# on shared 2-vCPU machines; wall-clock req/s is noisier.
#
# Usage: bench/http_peers.sh [SECONDS] [BUILD_DIR]   (defaults: 10, build)
# Needs: scripts/install-deps.sh --bench (nginx-light, wrk, hey,
# nghttp2-client, python3-locust, time).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
BUILD=${2:-build}
LD="$BUILD/bin/loaddensity"
OUT=${BENCH_OUT:-bench/results}
CONNS=${BENCH_CONNS:-"1 50"}
BODIES=${BENCH_BODIES:-"13 1024"}
TOOLS=${BENCH_TOOLS:-"loaddensity wrk hey h2load locust"}
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
elif tool == "h2load":
    m = re.search(r"requests: \d+ total, \d+ started, (\d+) done", text); req = float(m.group(1))
    m = re.search(r"finished in [\d.]+\w+, ([\d.]+) req/s", text); rps = float(m.group(1))
elif tool == "loaddensity":
    s = json.load(open(path.replace(".out", ".json")))
    t, l = s["totals"], s["latency_overall"]
    req, rps, p50, p99 = t["requests"], t["requests_per_second"], l["p50_ms"], l["p99_ms"]
print(req, rps, p50, p99)
PY
}

results="$OUT/http_peers.tsv"
printf "tool\tconns\tbody\trequests\trps\tcpu_s_per_100k\tpeak_rss_mib\tp50_ms\tp99_ms\n" >"$results"

for body in $BODIES; do
  URL="http://127.0.0.1:$PORT/$body"
  for c in $CONNS; do
    for tool in $TOOLS; do
      name="$tool-$c-$body"
      case $tool in
        wrk) run_timed "$name" wrk -t1 -c"$c" -d"${DUR}s" --latency "$URL" ;;
        hey) run_timed "$name" hey -z "${DUR}s" -c "$c" -cpus 1 "$URL" ;;
        h2load) run_timed "$name" h2load --h1 -c "$c" -t 1 -D "$DUR" "$URL" ;;
        locust)
          command -v locust >/dev/null || continue
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
        loaddensity)
          cat >"$W/$name.ld.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"user": "fast_http_user"},
  "user_count": $c, "spawn_rate": 100000, "test_time": $DUR, "threads": 1,
  "tasks": [{"method": "get", "request_url": "$URL"}]}],
 ["LD_generate_summary_report", {"report_name": "$W/$name"}]]
EOF
          run_timed "$name" "$LD" run -q "$W/$name.ld.json" ;;
      esac
      [ -f "$W/$name.time" ] || continue
      read -r usr sys rss <"$W/$name.time"
      if [ "$tool" = locust ]; then
        parsed=$(python3 - "$W/${name}_stats.csv" <<'PY' || echo "nan nan nan nan"
import sys
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1])]
head = [h.strip('"') for h in rows[0]]
agg = [r for r in rows[1:] if r[1].strip('"') == "Aggregated"][0]
get = lambda k: agg[head.index(k)].strip('"')
print(get("Request Count"), get("Requests/s"), get("50%"), get("99%"))
PY
)
      else
        parsed=$(parse "$tool" "$W/$name.out" 2>/dev/null || echo "nan nan nan nan")
      fi
      read -r req rps p50 p99 <<<"$parsed"
      cpu=$(python3 -c "import sys; u,s,r=map(float,sys.argv[1:4]); print('%.3f' % ((u+s)/r*1e5) if r>0 else 'nan')" "$usr" "$sys" "$req")
      mib=$(python3 -c "print('%.1f' % (int('$rss')/1024))")
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$tool" "$c" "$body" "$req" "$rps" "$cpu" "$mib" "$p50" "$p99" | tee -a "$results"
    done
  done
done

echo
echo "ratios (CPU-s per 100k requests; < 1 means cheaper than the peer):"
python3 - "$results" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
idx = {(r["tool"], r["conns"], r["body"]): r for r in rows}
for r in rows:
    if r["tool"] != "loaddensity":
        continue
    k = (r["conns"], r["body"])
    out = []
    for peer in ("wrk", "hey", "h2load", "locust"):
        p = idx.get((peer,) + k)
        try:
            out.append("%s %.2fx" % (peer, float(r["cpu_s_per_100k"]) / float(p["cpu_s_per_100k"])))
        except (TypeError, ValueError, ZeroDivisionError):
            pass
    print("conns=%s body=%s: %s" % (k[0], k[1], ", ".join(out)))
PY
echo "table: $results"
