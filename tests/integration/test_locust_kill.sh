#!/usr/bin/env bash
# A C worker killed with SIGKILL mid-run: the real Locust master reports it
# missing, the other worker carries on to the end of the run and leaves
# cleanly when the master quits; the master log stays clean.
. "${LD_SOURCE_DIR:?}/tests/fixtures/cluster/lib.sh"
need_locust
cd "$T" || exit 1
start_target

cat >"$T/w.json" <<EOF
[["LD_start_test", {
  "user_detail_dict": {"wait_time": 0.01},
  "host": "http://127.0.0.1:$TPORT",
  "tasks": [{"method": "get", "request_url": "/"}]}]]
EOF

export LOADDENSITY_FILE=$T/w.json
start_master master --headless --expect-workers 2 \
  --expect-workers-max-wait 30 -u 4 -r 4 -t 11s --csv "$T/m"
for i in 1 2; do
  "$LD" worker --master-port "$MPORT" --connect-timeout 30 --json "$T/w.json" \
    >"$T/w$i.json" 2>"$T/w$i.err" &
  eval "W$i=\$!"
  PIDS+=($!)
done

check "users spawned" wait_log "$T/master.log" "All users spawned" 30
sleep 2
id1=$(sed -n 's/.*connecting to .* as \(.*\)$/\1/p' "$T/w1.err" | head -1)
kill -9 "$W1"
check "killed worker reported missing" \
  wait_log "$T/master.log" "Worker $id1 failed to send heartbeat, setting state to missing" 10
before=$(target_count)
sleep 2
after=$(target_count)
echo "# target count: $before then $after"
check "the other worker carries on" [ "$after" -gt "$before" ]
check "the test was not stopped" absent "$T/master.log" "The last worker went missing"

wait_pid "$MPID" 40
mrc=$?
check "master ends with its run time (exit $mrc)" [ "$mrc" = 0 ]
wait_pid "$W2" 10
check "surviving worker leaves cleanly on quit" [ $? = 0 ]
check "master heard the survivor quit" grep -q "quit. 0 workers ready" "$T/master.log"
check "master log: no receive-loop crash, no unknown message" clean_log "$T/master.log"

req2=$(js "$T/w2.json" 'd["totals"]["requests"]')
creq=$(csv "$T/m_stats.csv" "" Aggregated "Request Count")
served=$(target_count)
echo "# csv=$creq survivor=$req2 target=$served"
# The killed worker's last window (<= 3 s) never reached the master.
check "CSV holds the survivor's requests" [ "$creq" -ge "$req2" ]
check "CSV holds no more than the target served" [ "$creq" -le "$served" ]
finish
