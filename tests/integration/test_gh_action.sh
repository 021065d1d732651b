#!/usr/bin/env bash
# The GitHub Action (gh-action/action.yml) run for real under a simulated
# runner: see test_gh_action.py. Needs $LOADDENSITY and $LD_SOURCE_DIR (set
# by ctest), python3 and python3-yaml.
set -u
: "${LOADDENSITY:?LOADDENSITY not set}"
SRC=${LD_SOURCE_DIR:?LD_SOURCE_DIR not set}
PY=python3
# Debian's python3 has python3-yaml; a python3 earlier on PATH may not
if ! "$PY" -c 'import yaml' 2>/dev/null && [ -x /usr/bin/python3 ]; then
  PY=/usr/bin/python3
fi
if ! "$PY" -c 'import yaml' 2>/dev/null; then
  echo "FAIL - python3-yaml is not installed (scripts/install-deps.sh)"
  exit 1
fi
exec timeout 240 "$PY" "$SRC/tests/integration/test_gh_action.py"
