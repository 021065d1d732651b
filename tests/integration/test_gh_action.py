"""Runs the composite GitHub Action (gh-action/action.yml) for real under a
simulated runner (test_gh_action_runner.py) against the embedded target on
loopback: a passing run, an SLA failure with failed requests, a lint
failure, lint-only, a missing file, a regression against a stored baseline,
and the 1 MiB bound of the job summary.

Needs LOADDENSITY (the built binary) and LD_SOURCE_DIR; started by
test_gh_action.sh under ctest. Prints "N passed, M failed" at the end.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_gh_action_runner import Runner, parse_commands  # noqa: E402

LD = os.environ["LOADDENSITY"]
SRC = os.environ["LD_SOURCE_DIR"]
ACTION_DIR = os.path.join(SRC, "gh-action")

passed = 0
failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok - %s" % name)
    else:
        failed += 1
        print("FAIL - %s" % name)
        if detail:
            for line in str(detail).splitlines()[:40]:
                print("    " + line)


def start_target():
    p = subprocess.Popen([LD, "target", "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         stdin=subprocess.DEVNULL)
    deadline = time.time() + 10
    line = b""
    while time.time() < deadline:
        line = p.stdout.readline()
        m = re.search(rb"127\.0\.0\.1:(\d+)", line)
        if m:
            return p, int(m.group(1))
        if p.poll() is not None:
            break
    p.kill()
    raise RuntimeError("target did not start: %r" % line)


def stop_target(p):
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


SMOKE = """{"load_density": [
  ["LD_start_test", {
    "user_detail_dict": {"user": "fast_http_user"},
    "user_count": 4, "spawn_rate": 50, "test_time": 0.5,
    "tasks": [
      {"method": "get", "request_url": "${var.base}/get", "name": "home"},
      {"method": "get", "request_url": "${var.base}/json", "name": "api"}
    ]
  }]
]}
"""

FAILING = """{"load_density": [
  ["LD_start_test", {
    "user_detail_dict": {"user": "fast_http_user"},
    "user_count": 2, "spawn_rate": 50, "test_time": 0.5,
    "tasks": [
      {"method": "get", "request_url": "${var.base}/get", "name": "home"},
      {"method": "get", "request_url": "${var.base}/status/500",
       "name": "broken"}
    ]
  }]
]}
"""

DELAYED = """{"load_density": [
  ["LD_start_test", {
    "user_detail_dict": {"user": "fast_http_user", "wait_time": 0.01},
    "user_count": 6, "spawn_rate": 100, "test_time": 0.6,
    "tasks": [
      {"method": "get", "request_url": "${var.base}/delay/${var.delay}",
       "name": "slow"}
    ]
  }]
]}
"""

ACTION_FAILS = """[
  ["LD_generate_csv_report", {"csv_name": "/nonexistent-ld-dir/x/report"}]
]
"""

BAD = """[
  ["LD_typo"]
]
"""


def files_in(report):
    return sorted(os.listdir(report)) if os.path.isdir(report) else []


def test_structure(action):
    inputs = action.get("inputs", {})
    for name in ("action-file", "extras", "sla-rules", "database",
                 "baseline", "fail-on-error", "report-dir", "lint-only"):
        check("input %s is declared with a description" % name,
              name in inputs and inputs[name].get("description"))
    outputs = action.get("outputs", {})
    for name in ("run-id", "total", "failed", "p95-ms", "sla-passed",
                 "regressions"):
        check("output %s is declared" % name, name in outputs)
    steps = action["runs"]["steps"]
    check("composite action", action["runs"]["using"] == "composite")
    uses = [s for s in steps if "uses" in s]
    check("the build cache step is conditional on building",
          uses and all("steps.prep.outputs.build" in str(s.get("if"))
                       for s in uses), uses)
    unsafe = [s.get("id") for s in steps
              if "run" in s and "${{" in s["run"]]
    check("no expression is spliced into a script (inputs go through env)",
          not unsafe, unsafe)


def action_uses(doc):
    """Every step of a workflow document that uses this action."""
    for job in (doc or {}).get("jobs", {}).values():
        for step in job.get("steps", []):
            uses = str(step.get("uses", ""))
            if uses in ("./gh-action", "./gh-action/") or \
                    uses.split("@")[0].endswith("LoadDensity/gh-action"):
                yield step


def test_examples(action):
    """The repository's workflows and the docs use the action as declared."""
    import yaml
    inputs = action.get("inputs", {})
    required = {k for k, v in inputs.items() if v.get("required")}
    docs = []
    wf_dir = os.path.join(SRC, ".github", "workflows")
    for name in sorted(os.listdir(wf_dir)) if os.path.isdir(wf_dir) else []:
        with open(os.path.join(wf_dir, name)) as f:
            docs.append((".github/workflows/" + name, yaml.safe_load(f)))
    with open(os.path.join(SRC, "docs", "github-action.md")) as f:
        for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", f.read(),
                                             re.S)):
            docs.append(("docs/github-action.md block %d" % i,
                         yaml.safe_load(block)))
    used = 0
    for where, doc in docs:
        for step in action_uses(doc):
            used += 1
            given = set((step.get("with") or {}).keys())
            check("%s: inputs of '%s' are declared" % (where, step.get(
                "name", step.get("id", "step"))),
                given <= set(inputs) and required <= given,
                sorted(given - set(inputs)) or sorted(required - given))
    check("the workflows and docs use the action", used >= 3, used)
    wf = dict(docs)
    suite = wf.get(".github/workflows/ci.yml") or {}
    check("ci.yml runs the test suite", any(
        ".ci/run" in str(st.get("run", "")) for job in
        suite.get("jobs", {}).values() for st in job.get("steps", [])))


def test_pass(runner, port, ws):
    res = runner.run({
        "action-file": "load/smoke.json",
        "variables": "base=http://127.0.0.1:%d\n" % port,
        "extras": "metrics, reports",
        "sla-rules": '[{"type": "latency_p95", "value": 5000},'
                     ' {"type": "failure_rate", "value": 0}]',
        "loaddensity-path": LD,
    })
    o = res.outputs
    check("pass: exit 0", res.exit_code == 0,
          "%s %s\n%s" % (res.failed_step, res.exit_code,
                         res.logs.get(res.failed_step, "")))
    ran = [st for st in res.steps if st[1] != "skipped"]
    check("pass: every run step ran and succeeded",
          len(ran) == 9 and all(st[1] == "success" for st in ran), res.steps)
    check("pass: the cache step was skipped",
          ("step1", "skipped", None) in res.steps, res.steps)
    check("pass: run-id is 1", o.get("run-id") == "1", o)
    check("pass: total > 0", o.get("total", "0").isdigit() and
          int(o["total"]) > 0, o)
    check("pass: failed is 0", o.get("failed") == "0", o)
    check("pass: p95-ms is a number",
          re.fullmatch(r"[0-9]+(\.[0-9]+)?", o.get("p95-ms", "")), o)
    check("pass: sla-passed true", o.get("sla-passed") == "true", o)
    check("pass: regressions 0", o.get("regressions") == "0", o)
    check("pass: result passed", o.get("result") == "passed", o)
    check("pass: lint-errors 0", o.get("lint-errors") == "0", o)
    check("pass: no error annotation", not res.errors(),
          res.errors())
    warn = [a for a in res.annotations if a.kind == "warning"]
    check("pass: no undefined-variable warning for a given variable",
          not [a for a in warn if "undefined-variable" in
               a.props.get("title", "")], warn)
    check("pass: extra 'metrics' is flagged as unavailable",
          any("extra 'metrics'" in a.message for a in warn) and
          not any("extra 'reports'" in a.message for a in warn), warn)
    check("pass: LOADDENSITY exported through GITHUB_ENV",
          res.env.get("LOADDENSITY") == LD, res.env)
    s = res.summary
    for text in ("## LoadDensity: \u2705 passed", "### Totals",
                 "### Per name", "`home`", "`api`", "### SLA gates",
                 "latency_p95 (overall)", "failure_rate (overall)",
                 "\u2705 pass", "run **1** (label `main`)"):
        check("pass: summary has %r" % text, text in s, s)
    report = o.get("report-dir", "")
    check("pass: report-dir is absolute inside the workspace",
          report == os.path.join(ws, "loaddensity-report"), report)
    for name in ("summary.json", "junit.xml", "report.html", "run.log",
                 "loaddensity.db"):
        check("pass: report has %s" % name, name in files_in(report),
              files_in(report))
    with open(os.path.join(report, "summary.json")) as f:
        total = json.load(f)["totals"]["requests"]
    check("pass: total output matches summary.json",
          str(total) == o.get("total"), (total, o))
    return res


def test_sla_failure(runner, port):
    res = runner.run({
        "action-file": "load/failing.json",
        "variables": "base=http://127.0.0.1:%d" % port,
        "sla-rules": "rules/strict.json",
        "fail-on-error": "false",
        "loaddensity-path": LD,
    })
    o = res.outputs
    check("sla: exit 1 from the verdict step",
          res.exit_code == 1 and res.failed_step == "verdict",
          (res.failed_step, res.exit_code, res.logs))
    check("sla: sla-passed false", o.get("sla-passed") == "false", o)
    check("sla: run-id 2 (same database)", o.get("run-id") == "2", o)
    check("sla: failed requests counted",
          o.get("failed", "0").isdigit() and int(o["failed"]) > 0, o)
    gate = res.errors("LoadDensity SLA")
    check("sla: one annotation per breached gate", len(gate) == 1 and
          "latency_p95 of home" in gate[0].message and
          "actual" in gate[0].message, gate)
    fails = [a for a in res.errors("LoadDensity")
             if a.step == "annotate"]
    check("sla: failed requests annotated by the annotate step",
          any(a.message.startswith("GET broken") and "HTTP 500" in
              a.message for a in fails), res.annotations)
    check("sla: the run step itself emits no annotation",
          not [a for a in res.annotations if a.step == "run"],
          [a for a in res.annotations if a.step == "run"])
    verdict = [a for a in res.errors() if a.step == "verdict"]
    check("sla: verdict says SLA failed", len(verdict) == 1 and
          verdict[0].message == "SLA failed: 1 of 2 gates breached" and
          verdict[0].props.get("title") == "LoadDensity", verdict)
    check("sla: fail-on-error false ignores failed requests",
          not any("requests failed" in a.message for a in verdict),
          verdict)
    s = res.summary
    for text in ("## LoadDensity: \u274c failed", "\u274c **FAIL**",
                 "latency_p95 of home", "\u2264 0.001", "`broken`",
                 "SLA failed: 1 of 2 gates breached"):
        check("sla: summary has %r" % text, text in s, s)
    check("sla: failed gate listed before the passing one",
          s.find("\u274c **FAIL**") < s.find("\u2705 pass"), s)


def test_fail_on_error(runner, port):
    res = runner.run({
        "action-file": "load/failing.json, load/action_fails.json",
        "variables": "base=http://127.0.0.1:%d" % port,
        "loaddensity-path": LD,
    })
    verdict = [a.message for a in res.errors() if a.step == "verdict"]
    check("fail-on-error (default true): exit 1", res.exit_code == 1,
          res.exit_code)
    check("fail-on-error: verdict names the failed requests",
          any(re.fullmatch(r"\d+ of \d+ requests failed", m)
              for m in verdict), verdict)
    check("fail-on-error: verdict counts the one failed action",
          "1 action failed" in verdict, verdict)
    ann = [a for a in res.errors() if a.step == "annotate"]
    check("failed action annotated on its file and line", any(
        a.props.get("file") == "load/action_fails.json" and
        a.props.get("line") == "2" and "cannot write" in a.message
        for a in ann), ann)
    check("no annotation for the wrapper's nested-failure line",
          not any("nested" in a.message for a in ann), ann)
    check("summary lists the failed action",
          "### Failed actions" in res.summary and
          "`LD_generate_csv_report`" in res.summary and
          "LD_execute_files" not in res.summary.split(
              "### Failed actions")[1].split("###")[0], res.summary)
    check("fail-on-error: sla-passed true without rules",
          res.outputs.get("sla-passed") == "true", res.outputs)


def test_lint_failure(runner):
    res = runner.run({
        "action-file": "load/bad.json load/smoke.json",
        "sla-rules": '[{"type": "latency_p95", "value": 1}]',
        "loaddensity-path": LD,
    })
    o = res.outputs
    check("lint: exit 2 (broken action file)", res.exit_code == 2 and
          res.failed_step == "verdict", (res.failed_step, res.exit_code))
    check("lint: lint-errors 1", o.get("lint-errors") == "1", o)
    check("lint: result broken", o.get("result") == "broken", o)
    check("lint: nothing ran (no run-id, no total)",
          o.get("run-id") == "" and o.get("total") == "", o)
    check("lint: no SLA verdict", o.get("sla-passed") == "", o)
    lint = [a for a in res.errors() if a.step == "lint"]
    check("lint: annotation with file and line",
          len(lint) == 1 and lint[0].props.get("file") == "load/bad.json"
          and lint[0].props.get("line") == "2" and
          "unknown-command" in lint[0].props.get("title", "") and
          "LD_typo" in lint[0].message, lint)
    undef = [a for a in res.annotations if a.kind == "warning" and
             "undefined-variable" in a.props.get("title", "")]
    check("lint: without the variables input, ${var.base} is flagged",
          len(undef) == 2 and undef[0].props.get("file") ==
          "load/smoke.json", undef)
    verdict = [a for a in res.errors() if a.step == "verdict"]
    check("lint: a distinct verdict for a broken file",
          len(verdict) == 1 and verdict[0].props.get("title") ==
          "LoadDensity: broken action file" and
          verdict[0].message.startswith("broken action file: 1 lint error "
                                        "in load/bad.json"), verdict)
    s = res.summary
    for text in ("\U0001f6d1 broken action file", "### Lint",
                 "unknown-command", "`load/bad.json`"):
        check("lint: summary has %r" % text, text in s, s)
    check("lint: no run files in the report",
          "run.json" not in files_in(o.get("report-dir", "")),
          files_in(o.get("report-dir", "")))


def test_lint_only_and_missing(runner):
    res = runner.run({"action-file": "load/*.json", "lint-only": "true",
                      "report-dir": "lint-report",
                      "loaddensity-path": LD})
    check("lint-only on a glob with a bad file: exit 2", res.exit_code == 2,
          res.exit_code)
    res = runner.run({"action-file": "load/smoke.json\nload/failing.json",
                      "lint-only": "true", "report-dir": "lint-report",
                      "loaddensity-path": LD})
    check("lint-only: exit 0", res.exit_code == 0, res.logs)
    check("lint-only: result linted",
          res.outputs.get("result") == "linted", res.outputs)
    check("lint-only: nothing ran", res.outputs.get("run-id") == "" and
          "run.json" not in files_in(res.outputs.get("report-dir", "")),
          res.outputs)
    check("lint-only: summary says lint passed",
          "\u2705 lint passed" in res.summary, res.summary)
    res = runner.run({"action-file": "load/nope.json",
                      "loaddensity-path": LD})
    verdict = [a for a in res.errors() if a.step == "verdict"]
    check("missing file: exit 2 naming it", res.exit_code == 2 and
          verdict and "no action file matches 'load/nope.json'" in
          verdict[0].message, (res.exit_code, verdict))


def test_regression(runner, port):
    common = {"action-file": "load/delayed.json", "database": "db/runs.db",
              "report-dir": "reg-report", "loaddensity-path": LD,
              "fail-on-error": "false"}
    base = runner.run(dict(common, label="base", variables=(
        "base=http://127.0.0.1:%d\ndelay=1" % port)))
    check("regression: baseline run passes", base.exit_code == 0,
          base.logs)
    check("regression: unknown baseline label is only a notice",
          base.outputs.get("regressions") == "0", base.outputs)
    cur = runner.run(dict(common, label="pr", baseline="base", variables=(
        "base=http://127.0.0.1:%d\ndelay=40" % port)))
    o = cur.outputs
    check("regression: enough samples on both sides (diff needs 30)",
          int(base.outputs.get("total") or 0) >= 60 and
          int(o.get("total") or 0) >= 40, (base.outputs, o))
    check("regression: exit 1", cur.exit_code == 1, cur.logs)
    check("regression: regressions > 0",
          o.get("regressions", "0").isdigit() and
          int(o["regressions"]) > 0, o)
    regs = cur.errors("LoadDensity regression")
    check("regression: annotated", regs and any(
        "of slow went from" in a.message for a in regs), regs)
    verdict = [a.message for a in cur.errors() if a.step == "verdict"]
    check("regression: verdict names the baseline run", any(
        re.fullmatch(r"\d+ regressions? against baseline run %s"
                     % base.outputs.get("run-id"), m) for m in verdict),
          verdict)
    s = cur.summary
    for text in ("### Regressions", "Baseline run %s, current run %s" % (
            base.outputs.get("run-id"), o.get("run-id")), "`slow`",
            "p95_ms"):
        check("regression: summary has %r" % text, text in s, s)
    by_id = runner.run(dict(common, label="pr2",
                            baseline=base.outputs.get("run-id", "x"),
                            variables="base=http://127.0.0.1:%d\ndelay=1"
                            % port, **{"tolerance": "100"}))
    check("regression: baseline by id with a huge tolerance passes",
          by_id.exit_code == 0 and by_id.outputs.get("regressions") == "0",
          (by_id.exit_code, by_id.outputs, by_id.logs.get("diff")))


def test_summary_limit(tmp):
    """A run with 12,000 long names (3 MB of rows) still gives a summary
    under 1 MiB."""
    report = os.path.join(tmp, "big")
    os.makedirs(report)
    per = {}
    for i in range(12000):
        per["/api/v1/items/%06d/%s" % (i, "x" * 140)] = {
            "requests": 10, "failures": 1, "requests_per_second": 1.5,
            "p50_ms": 1.25, "p90_ms": 2.5, "p95_ms": 3.75, "p99_ms": 5.0,
            "max_ms": 9.0}
    with open(os.path.join(report, "summary.json"), "w") as f:
        json.dump({"totals": {"requests": 400000, "failures": 40000},
                   "latency_overall": {"p95_ms": 3.75}, "per_name": per}, f)
    write(os.path.join(report, "files.txt"), "big.json\n")
    env = dict(os.environ, LD_REPORT=report, LD_FILES_OK="true",
               LD_LINT_RC="0", LD_LINT_ERRORS="0", LD_RUN_RC="0",
               LD_RAN="true", LD_FAIL_ON_ERROR="false",
               GITHUB_OUTPUT=os.path.join(report, "out"))
    p = subprocess.run([sys.executable,
                        os.path.join(ACTION_DIR, "ldaction.py"), "summary",
                        report], env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    out = p.stdout
    check("summary limit: exit 0", p.returncode == 0, p.stderr)
    check("summary limit: under 1 MiB", 0 < len(out) <= 1024 * 1024,
          len(out))
    text = out.decode("utf-8")
    check("summary limit: says how many names were left out",
          re.search(r"_\d+ more names left out", text) is not None,
          text[-400:])
    check("summary limit: keeps the totals", "### Totals" in text)


def test_parse_commands():
    notes = parse_commands("::stop-commands::abc\n::error::hidden\n::abc::\n"
                           "::error file=a.json,line=3,title=T%3Ax::m%0An\n",
                           "s")
    check("simulator: stop-commands honoured and escapes decoded",
          len(notes) == 1 and notes[0].props == {
              "file": "a.json", "line": "3", "title": "T:x"} and
          notes[0].message == "m\nn", notes)


def main():
    import yaml
    with open(os.path.join(ACTION_DIR, "action.yml")) as f:
        action = yaml.safe_load(f)
    tmp = tempfile.mkdtemp(prefix="ldgh-")
    target = None
    try:
        ws = os.path.join(tmp, "workspace")
        write(os.path.join(ws, "load/smoke.json"), SMOKE)
        write(os.path.join(ws, "load/failing.json"), FAILING)
        write(os.path.join(ws, "load/delayed.json"), DELAYED)
        write(os.path.join(ws, "load/bad.json"), BAD)
        write(os.path.join(ws, "load/action_fails.json"), ACTION_FAILS)
        write(os.path.join(ws, "rules/strict.json"), json.dumps({"rules": [
            {"type": "latency_p95", "value": 0.001, "name": "home"},
            {"type": "requests", "value": 1, "op": "gte"}]}))
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "RUNNER_")) and
               k != "LOADDENSITY"}
        runner = Runner(ACTION_DIR, ws, base_env=env, timeout=60)
        test_parse_commands()
        test_structure(action)
        test_examples(action)
        target, port = start_target()
        test_pass(runner, port, ws)
        test_sla_failure(runner, port)
        test_fail_on_error(runner, port)
        test_lint_failure(runner)
        test_lint_only_and_missing(runner)
        test_regression(runner, port)
        test_summary_limit(tmp)
    finally:
        if target:
            stop_target(target)
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
