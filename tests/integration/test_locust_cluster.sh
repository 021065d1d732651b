#!/usr/bin/env bash
# Two C workers under a real headless Locust master (--expect-workers 2)
# against the embedded target: the master's CSV counts equal the workers'
# totals and the target's own count; its percentiles agree with our
# histograms; quit makes the workers leave cleanly; the master log is clean.
. "${LD_SOURCE_DIR:?}/tests/fixtures/cluster/lib.sh"

# The CLI's own checks need no master.
"$LD" worker --help >"$T/help.out" 2>&1
check "worker --help" grep -q "master-host" "$T/help.out"
"$LD" worker >/dev/null 2>&1
check "worker without FILE is a usage error" [ $? = 2 ]
echo '[["LD_add_package_to_executor", ["x"]]]' >"$T/none.json"
"$LD" worker "$T/none.json" >/dev/null 2>"$T/none.err"
check "a file without LD_start_test is refused" [ $? = 2 ]
check "and says why" grep -q "no LD_start_test" "$T/none.err"
"$LD" worker --master-port 1 --connect-timeout 0.5 -q "$T/none.json" \
  >/dev/null 2>&1
check "bad input is refused before connecting" [ $? = 2 ]

need_locust
cd "$T" || exit 1
start_target

cat >"$T/w.json" <<EOF
[["LD_start_test", {
  "user_detail_dict": {"user": "fast_http_user", "wait_time": 0.005},
  "host": "http://127.0.0.1:$TPORT",
  "tasks": [{"method": "get", "request_url": "/", "name": "home"},
            {"method": "get", "request_url": "/status/503", "name": "bad"},
            {"method": "get", "request_url": "/delay/30", "name": "slow"}]}]]
EOF

export LOADDENSITY_FILE=$T/w.json
start_master master --headless --expect-workers 2 \
  --expect-workers-max-wait 30 -u 6 -r 6 -t 6s --csv "$T/m"
for i in 1 2; do
  "$LD" worker --master-port "$MPORT" --connect-timeout 30 --json "$T/w.json" \
    >"$T/w$i.json" 2>"$T/w$i.err" &
  eval "W$i=\$!"
  PIDS+=($!)
done

wait_pid "$MPID" 60
mrc=$?
check "master ends with its run time (exit $mrc)" [ "$mrc" = 0 -o "$mrc" = 1 ]
wait_pid "$W1" 10
check "worker 1 leaves cleanly on quit" [ $? = 0 ]
wait_pid "$W2" 10
check "worker 2 leaves cleanly on quit" [ $? = 0 ]
check "master log: both workers connected" grep -q "2 workers connected" "$T/master.log"
check "master log: no receive-loop crash, no unknown message" clean_log "$T/master.log"
check "workers said goodbye" grep -q "quit" "$T/w1.err"

# Counts: master CSV == sum of the workers' own totals == the target.
served=$(target_count)
req1=$(js "$T/w1.json" 'd["totals"]["requests"]')
req2=$(js "$T/w2.json" 'd["totals"]["requests"]')
fail1=$(js "$T/w1.json" 'd["totals"]["failures"]')
fail2=$(js "$T/w2.json" 'd["totals"]["failures"]')
creq=$(csv "$T/m_stats.csv" "" Aggregated "Request Count")
cfail=$(csv "$T/m_stats.csv" "" Aggregated "Failure Count")
echo "# target=$served workers=$req1+$req2 fails=$fail1+$fail2 csv=$creq/$cfail"
check "both workers sent load" [ "$req1" -gt 50 -a "$req2" -gt 50 ]
check "CSV requests == workers' totals" [ "$creq" = $((req1 + req2)) ]
check "CSV requests == target's count" [ "$creq" = "$served" ]
check "CSV failures == workers' failures" [ "$cfail" = $((fail1 + fail2)) ]
check "CSV failures of 'bad' == its requests" \
  [ "$(csv "$T/m_stats.csv" GET bad "Failure Count")" = "$(csv "$T/m_stats.csv" GET bad "Request Count")" ]
check "failures CSV names the error" grep -q "HTTP 503" "$T/m_failures.csv"

# Percentiles: Locust's (bucket values of the merged reports) lie within
# the span of the workers' own histogram percentiles (one bucket of slack).
pct_ok() { # pct_ok NAME CSVCOL KEY
  local c a b
  c=$(csv "$T/m_stats.csv" GET "$1" "$2")
  a=$(js "$T/w1.json" "d['per_name']['$1']['$3']")
  b=$(js "$T/w2.json" "d['per_name']['$1']['$3']")
  echo "# $1 $2: csv=$c workers=$a,$b"
  "$PY" -c "import sys; c,a,b=map(float,sys.argv[1:]); lo,hi=min(a,b),max(a,b); tol=max(1.0, 0.06*hi); sys.exit(0 if lo-tol <= c <= hi+tol else 1)" "$c" "$a" "$b"
}
check "slow p50 consistent" pct_ok slow 50% p50_ms
check "slow p95 consistent" pct_ok slow 95% p95_ms
check "home p50 consistent" pct_ok home 50% p50_ms
check "slow avg >= 30 ms" "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) >= 30 else 1)" \
  "$(csv "$T/m_stats.csv" GET slow "Average Response Time")"
check "content size of home is 13 bytes" \
  "$PY" -c "import sys; sys.exit(0 if float(sys.argv[1]) == 13 else 1)" \
  "$(csv "$T/m_stats.csv" GET home "Average Content Size")"
finish
