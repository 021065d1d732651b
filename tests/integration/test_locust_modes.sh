#!/usr/bin/env bash
# runner_mode "master" and "worker" of LD_start_test through `loaddensity
# run` (the master is Locust's, started with the shipped locustfile), and a
# C worker that survives its master being killed and joins the new one.
. "${LD_SOURCE_DIR:?}/tests/fixtures/cluster/lib.sh"
need_locust
cd "$T" || exit 1
start_target
export LOADDENSITY_LOCUST=$LOCUST

# ---- LD_start_test in master mode + LD_start_test in worker mode ----
P=$(free_port)
TASKS='"tasks": [{"method": "get", "request_url": "/"}]'
cat >"$T/master.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"user": "fast_http_user"},
  "runner_mode": "master", "master_bind_host": "127.0.0.1",
  "master_bind_port": $P, "expected_workers": 1,
  "user_count": 3, "spawn_rate": 3, "test_time": 4, $TASKS}]]
EOF
cat >"$T/worker.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"wait_time": 0.01},
  "host": "http://127.0.0.1:$TPORT", "runner_mode": "worker",
  "master_host": "127.0.0.1", "master_port": $P, $TASKS}]]
EOF
"$LD" run --json "$T/master.json" >"$T/m.json" 2>"$T/master.log" &
M=$!
PIDS+=($M)
"$LD" run --json "$T/worker.json" >"$T/wk.json" 2>"$T/worker.err" &
W=$!
PIDS+=($W)
wait_pid "$M" 60
check "LD master mode runs to the end" [ $? = 0 ]
wait_pid "$W" 10
check "LD worker mode ends when the master quits" [ $? = 0 ]
check "master mode result is the master's" \
  [ "$(js "$T/m.json" 'd["summary"]["runner_mode"]')" = master ]
mreq=$(js "$T/m.json" 'd["summary"]["totals"]["requests"]')
wreq=$(js "$T/wk.json" 'd["summary"]["totals"]["requests"]')
served=$(target_count)
echo "# master=$mreq worker=$wreq target=$served"
check "worker sent load" [ "$wreq" -gt 20 ]
check "master's requests == worker's == target's" [ "$mreq" = "$wreq" -a "$wreq" = "$served" ]
check "master log: clean" clean_log "$T/master.log"

# ---- the master dies (SIGKILL) and a new one takes its port ----
cat >"$T/w.json" <<EOF
[["LD_start_test", {"user_detail_dict": {"wait_time": 0.01},
  "host": "http://127.0.0.1:$TPORT", $TASKS}]]
EOF
export LOADDENSITY_FILE=$T/w.json
start_master a --headless --expect-workers 1 --expect-workers-max-wait 30 \
  -u 2 -r 2 -t 60s
"$LD" worker --master-port "$MPORT" --connect-timeout 30 "$T/w.json" \
  >/dev/null 2>"$T/wr.err" &
WR=$!
PIDS+=($WR)
check "first master spawned users" wait_log "$T/a.log" "All users spawned" 30
kill -9 "$MPID"
sleep 1
"$LOCUST" -f "$LOCUSTFILE" --master --master-bind-host 127.0.0.1 \
  --master-bind-port "$MPORT" --headless --expect-workers 1 \
  --expect-workers-max-wait 30 -u 2 -r 2 -t 4s --csv "$T/b" >"$T/b.log" 2>&1 &
B=$!
PIDS+=($B)
wait_pid "$B" 60
check "new master runs its test (exit $?)" [ -f "$T/b_stats.csv" ]
wait_pid "$WR" 10
check "worker leaves the new master cleanly" [ $? = 0 ]
check "worker noticed the restart" grep -q "connected to a master again" "$T/wr.err"
check "new master registered the worker" grep -q "reported as ready" "$T/b.log"
check "new master got load" [ "$(csv "$T/b_stats.csv" "" Aggregated "Request Count")" -gt 20 ]
check "new master log: clean" clean_log "$T/b.log"
finish
