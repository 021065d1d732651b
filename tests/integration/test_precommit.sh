#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) run by Debian's pre-commit
# (`pre-commit try-repo`) on a good and a bad action file, offline: the hook
# is `language: system`, so nothing is installed; a proxy that refuses
# every connection makes any network use fail. Needs $LOADDENSITY and
# $LD_SOURCE_DIR (set by ctest) and pre-commit (scripts/install-deps.sh).
set -u
LD=${LOADDENSITY:?LOADDENSITY not set}
SRC=${LD_SOURCE_DIR:?LD_SOURCE_DIR not set}
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }

if ! command -v pre-commit >/dev/null 2>&1; then
  echo "FAIL - pre-commit is not installed (scripts/install-deps.sh installs it)"
  echo "0 passed, 1 failed"
  exit 1
fi

T=$(mktemp -d /tmp/ldprecommit.XXXXXX)
trap 'rm -rf "$T"' EXIT
export HOME="$T/home" PRE_COMMIT_HOME="$T/cache" XDG_CACHE_HOME="$T/xdg"
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.invalid
export GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.invalid
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9
export HTTP_PROXY=$http_proxy HTTPS_PROXY=$https_proxy no_proxy= NO_PROXY=
export PATH="$(cd "$(dirname "$LD")" && pwd):$PATH"
mkdir -p "$HOME"
command -v loaddensity >/dev/null || { echo "FAIL - loaddensity not on PATH"; exit 1; }

# the hook repository: .pre-commit-hooks.yaml as in the source tree
hooks="$T/hooks"
mkdir -p "$hooks"
cp "$SRC/.pre-commit-hooks.yaml" "$hooks/"
git -C "$hooks" init -q && git -C "$hooks" add . &&
  git -C "$hooks" commit -q -m hooks || { echo "FAIL - git"; exit 1; }

# a project with a good file, a bad file and a JSON file that is no action
proj="$T/proj"
mkdir -p "$proj/load"
cd "$proj" || exit 1
cat >load/smoke.ld.json <<'J'
{"load_density": [
  ["LD_register_variables", {"variables": {"base": "http://127.0.0.1:1"}}],
  ["LD_start_test", {"user_detail_dict": {"user": "fast_http_user"},
    "user_count": 1, "spawn_rate": 1, "test_time": 1,
    "tasks": [{"method": "get", "request_url": "${var.base}/get"}]}]
]}
J
cat >load/flow.ld.yaml <<'J'
load_density:
  - [LD_register_variables, {variables: {base: "http://127.0.0.1:1"}}]
  - [LD_summary]
J
cat >load/bad.ld.json <<'J'
[
  ["LD_typo"],
  ["LD_start_test", {"user_count": "many"}]
]
J
echo '{"name": "not-an-action", "version": "1.0.0"}' >package.json
git init -q && git add . && git commit -q -m files

run() { # run NAME WANT_EXIT ARGS...
  local name=$1 want=$2
  shift 2
  timeout 120 pre-commit try-repo "$hooks" loaddensity-lint "$@" \
    >"$T/out" 2>&1
  local got=$?
  if [ "$got" = "$want" ]; then ok "$name"; else
    ko "$name (exit $got, want $want)"; sed 's/^/    /' "$T/out" | head -30
  fi
}
has() { # has NAME TEXT
  if grep -qF -- "$2" "$T/out"; then ok "$1"; else
    ko "$1: '$2' not in the output"; sed 's/^/    /' "$T/out" | head -30
  fi
}
hasnt() {
  if ! grep -qF -- "$2" "$T/out"; then ok "$1"; else
    ko "$1: '$2' in the output"; sed 's/^/    /' "$T/out" | head -30
  fi
}

run "good JSON file passes" 0 --files load/smoke.ld.json
has "hook reported as passed" "loaddensity lint"
has "passed status" "Passed"
run "good YAML file passes" 0 --files load/flow.ld.yaml
run "bad file fails" 1 --files load/bad.ld.json
has "failed status" "Failed"
has "lint finding with position" "load/bad.ld.json:2:"
has "unknown command named" "LD_typo"
has "wrong type named" "user_count"
run "all files: the bad one fails the hook" 1 --all-files
has "bad file linted" "load/bad.ld.json"
hasnt "package.json is not an action file" "package.json"
run "a non-matching file is skipped" 0 --files package.json
has "skipped status" "(no files to check)Skipped"
git rm -q load/bad.ld.json && git commit -q -m fix
run "all files pass once the bad file is gone" 0 --all-files

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
