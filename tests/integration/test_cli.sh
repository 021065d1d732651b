#!/usr/bin/env bash
# CLI integration tests: the built `loaddensity` binary against files on disk
# and the embedded target on loopback. Needs $LOADDENSITY and $LD_SOURCE_DIR
# (set by ctest).
set -u
LD=${LOADDENSITY:?LOADDENSITY not set}
SRC=${LD_SOURCE_DIR:?LD_SOURCE_DIR not set}
T=$(mktemp -d /tmp/ldcli.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }

# expect NAME WANT_EXIT CMD... : run, keep stdout/stderr in $T/out, $T/err
expect() {
  local name=$1 want=$2
  shift 2
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" = "$want" ]; then ok "$name"; else
    ko "$name (exit $got, want $want)"; sed 's/^/    /' "$T/out" "$T/err" | head -20
  fi
}
contains() { # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then ok "$1"; else
    ko "$1: '$3' not in $2"; sed 's/^/    /' "$2" | head -20
  fi
}

cd "$T" || exit 1

expect "version" 0 "$LD" --version
contains "version text" "$T/out" "loaddensity "
expect "help" 0 "$LD" --help
contains "help lists run" "$T/out" "run FILE..."
expect "no args is a usage error" 2 "$LD"
expect "unknown command" 2 "$LD" frobnicate
contains "unknown command says so" "$T/err" "unknown command 'frobnicate'"

# The program itself links only what lint/schema need; the engine and its
# libraries live in loaddensity-cli.so (cli/main.c, registry/impls.h).
heavy=$(readelf -d "$LD" | grep NEEDED | grep -E 'libcurl|libssl|libcrypto|libsqlite|libzmq|libuv|libmsgpack|libpcre2' || true)
if [ -z "$heavy" ]; then ok "loaddensity needs no engine library"; else
  ko "loaddensity needs engine libraries: $heavy"; fi
readelf -d "$(dirname "$LD")/loaddensity-cli.so" | grep -q 'NEEDED.*libcurl' &&
  ok "loaddensity-cli.so has the engine" || ko "loaddensity-cli.so lacks libcurl"
expect "a module missing is an internal error" 70 env LOADDENSITY_CLI_MODULE=/nonexistent/x.so "$LD" commands
contains "the missing module is named" "$T/err" "cannot load /nonexistent/x.so"
expect "lint without the module" 0 env LOADDENSITY_CLI_MODULE=/nonexistent/x.so "$LD" lint "$SRC/examples/seed_smoke.json"
for sub in run run-dir run-str init commands demo target; do
  expect "$sub --help" 0 "$LD" "$sub" --help
  contains "$sub --help has usage" "$T/out" "usage: loaddensity $sub"
done
expect "serve is not available yet" 69 "$LD" serve
contains "serve says not available" "$T/err" "not available yet"

# run: a good file, a file with a failing action, a broken file
cat >good.json <<'EOF'
{"load_density": [
  ["LD_register_variables", {"variables": {"who": "world"}}],
  ["print", ["hello"]]
]}
EOF
expect "run good file" 0 "$LD" run good.json
contains "print output" "$T/out" "hello"
contains "result lines" "$T/out" "2 actions: 2 ok, 0 failed"

cat >mixed.json <<'EOF'
[
  ["LD_no_such_command"],
  ["print", ["after the error"]]
]
EOF
expect "run with a failing action exits 1" 1 "$LD" run mixed.json
contains "runs on after an error" "$T/out" "after the error"
contains "error names file:line:col" "$T/err" "mixed.json:2:4: error: unknown command"
expect "fail-fast stops" 1 "$LD" run --fail-fast mixed.json
if grep -q "after the error" "$T/out"; then ko "fail-fast ran the next action"; else ok "fail-fast skipped the rest"; fi

printf '[["print", ["x"]]\n  ["print"]]\n' >broken.json
expect "syntax error exits 2" 2 "$LD" run broken.json
contains "syntax error position" "$T/err" "broken.json:2:3: error: expected ',' or ']'"
expect "missing file exits 2" 2 "$LD" run nope.json
contains "missing file named" "$T/err" "nope.json"

expect "run-str" 0 "$LD" run-str '[["print", ["inline"]]]'
contains "run-str output" "$T/out" "inline"
expect "run-str bad json" 2 "$LD" run-str '[["print"'
contains "run-str error position" "$T/err" "<run-str>:1:"
expect "--json output" 0 "$LD" run --json good.json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] and len(d["results"])==2' "$T/out"; then ok "--json is valid JSON"; else ko "--json is not valid JSON"; fi
expect "--var registers a variable" 0 "$LD" run-str --var greeting=hi '[["print", ["ok"]]]'

mkdir d && cp good.json d/1.json && printf -- '- [print, [from-yaml]]\n' >d/2.yaml
expect "run-dir" 0 "$LD" run-dir d
contains "run-dir ran yaml" "$T/out" "from-yaml"
expect "run-dir empty" 2 "$LD" run-dir "$T/nowhere"

# an SLA gate that fails makes the run exit 3
expect "failed SLA exits 3" 3 "$LD" run-str '[["LD_assert_sla", {"rules": [{"type": "requests", "op": "gte", "value": 1}]}]]'

# legacy flags
expect "legacy -e" 0 "$LD" -e good.json
expect "legacy --execute_str" 0 "$LD" --execute_str '[["print", ["legacy"]]]'
contains "legacy output" "$T/out" "legacy"
expect "legacy -d" 0 "$LD" -d d

# init
expect "init" 0 "$LD" init proj
for f in proj/LoadDensity/keyword/keyword1.json proj/LoadDensity/keyword/keyword2.json proj/LoadDensity/executor/run_all.sh; do
  if [ -s "$f" ]; then ok "init created $f"; else ko "init did not create $f"; fi
done
expect "init refuses to overwrite" 2 "$LD" init proj
expect "init --force" 0 "$LD" init --force proj
expect "legacy -c" 0 "$LD" -c proj2

# commands and the generated reference
expect "commands" 0 "$LD" commands
contains "commands lists availability" "$T/out" "[not available yet]"
expect "commands --json" 0 "$LD" commands --json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(c["name"]=="LD_start_test" and c["available"] for c in d)' "$T/out"; then ok "commands --json content"; else ko "commands --json content"; fi
expect "commands --markdown" 0 "$LD" commands --markdown
if cmp -s "$T/out" "$SRC/docs/commands.md"; then ok "docs/commands.md is up to date"; else
  ko "docs/commands.md is stale: regenerate with 'loaddensity commands --markdown > docs/commands.md'"
  diff "$T/out" "$SRC/docs/commands.md" | head -20
fi

# The seed's own example, unchanged but for its URL pointed at the embedded
# target (30 s, 20 users): every request succeeds and the summary report
# counts exactly what the target served.
"$LD" target --port 0 >"$T/target.out" 2>&1 &
tpid=$!
for _ in $(seq 50); do grep -q listening "$T/target.out" && break; sleep 0.1; done
tport=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$T/target.out" | head -1)
sed "s/127.0.0.1:18089/127.0.0.1:$tport/" "$SRC/examples/seed_smoke.json" >seed.json
expect "seed example runs" 0 "$LD" run -q seed.json
# an unknown I/O choice is bad input, said before anything is sent
cat >io.json <<EOF
[["LD_start_test", {"user_detail_dict": {"user": "fast_http_user"},
  "user_count": 1, "test_time": 0.2, "tasks": [{"request_url": "http://127.0.0.1:$tport/"}]}]]
EOF
expect "LOADDENSITY_IO unknown value" 1 env LOADDENSITY_IO=uring "$LD" run -q io.json
contains "LOADDENSITY_IO message" "$T/err" 'LOADDENSITY_IO="uring": expected "auto", "epoll" or "io_uring"'
kill -INT "$tpid"; wait "$tpid"
served=$(sed -n 's/^served \([0-9]*\) requests.*/\1/p' "$T/target.out")
if python3 -c 'import json,sys; s=json.load(open("smoke.json")); t=s["totals"]; assert t["failures"]==0 and t["requests"]==int(sys.argv[1])>100, (t, sys.argv[1]); assert set(s["per_name"])=={"http://127.0.0.1:%s/get" % sys.argv[2], "http://127.0.0.1:%s/post" % sys.argv[2]}' "$served" "$tport"; then
  ok "seed example: summary matches what the target served ($served requests)"
else
  ko "seed example summary"; cat smoke.json | head -30
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
