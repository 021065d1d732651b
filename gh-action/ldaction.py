#!/usr/bin/env python3
"""Helpers of the LoadDensity GitHub Action (gh-action/action.yml).

The composite steps call `loaddensity` for everything that touches a load
test; this script only reads and writes the JSON those commands produce:
it expands the action-file input, writes the wrapper document, turns logs
into workflow annotations, picks the baseline run, decides the verdict and
renders the job summary. Standard library only (Python 3.8+), so it runs on
any hosted runner without installing anything.

Usage: ldaction.py COMMAND [args]   (see the functions named cmd_*)
"""
import glob
import html
import json
import os
import re
import sys

SUMMARY_LIMIT = 1024 * 1024          # GitHub's cap for one step's summary
SUMMARY_BUDGET = SUMMARY_LIMIT - 48 * 1024
MAX_ANNOTATIONS = 50                 # re-emitted from the run log
CELL_CHARS = 160


# ---------------------------------------------------------------- helpers

def load_json(path, default=None):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return default


def read_text(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def set_outputs(pairs):
    """Append name=value pairs to $GITHUB_OUTPUT (heredoc form when the
    value spans lines), and echo them for the log."""
    path = os.environ.get("GITHUB_OUTPUT")
    lines = []
    for name, value in pairs:
        value = "" if value is None else str(value)
        if "\n" in value:
            delim = "LD_EOF_%s" % os.urandom(8).hex()
            lines.append("%s<<%s\n%s\n%s\n" % (name, delim, value, delim))
        else:
            lines.append("%s=%s\n" % (name, value))
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.writelines(lines)
    for name, value in pairs:
        print("output %s=%s" % (name, "" if value is None else value))


def esc_data(s):
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def esc_prop(s):
    return esc_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(kind, message, title="LoadDensity", file=None, line=None,
               col=None, end_line=None, end_col=None):
    parts = []
    for key, val in (("file", file), ("line", line), ("col", col),
                     ("endLine", end_line), ("endColumn", end_col),
                     ("title", title)):
        if val not in (None, ""):
            parts.append("%s=%s" % (key, esc_prop(str(val))))
    return "::%s%s::%s" % (kind, " " + ",".join(parts) if parts else "",
                           esc_data(message))


def fmt_num(v, digits=2):
    if isinstance(v, bool) or v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v != v:
            return "-"
        if v == int(v) and abs(v) < 1e15:
            return str(int(v))
        return ("%%.%df" % digits) % v
    return str(v)


def fmt_thr(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return "%.6g" % v
    return str(v)


def cell(s, code=False):
    s = str(s).replace("\r", " ").replace("\n", " ")
    if len(s) > CELL_CHARS:
        s = s[:CELL_CHARS - 1] + "\u2026"
    s = html.escape(s, quote=False).replace("|", "&#124;")
    if code and "`" not in s and s:
        return "`%s`" % s
    return s


# ------------------------------------------------------------- commands

def cmd_files(spec, workspace="."):
    """Expand the action-file input: paths or glob patterns separated by
    newlines, commas or spaces, relative to the workspace. Prints one path
    per line; exits 2 naming the first pattern that matches nothing."""
    out = []
    for item in re.split(r"[\s,]+", spec.strip()):
        if not item:
            continue
        if glob.has_magic(item):
            found = sorted(glob.glob(os.path.join(workspace, item),
                                     recursive=True))
            found = [os.path.relpath(p, workspace) for p in found
                     if os.path.isfile(p)]
        else:
            found = [item] if os.path.isfile(os.path.join(workspace, item)) \
                else []
        if not found:
            print("no action file matches '%s'" % item, file=sys.stderr)
            return 2
        out.extend(p for p in found if p not in out)
    if not out:
        print("the action-file input is empty", file=sys.stderr)
        return 2
    for p in out:
        print(p)
    return 0


def given_variables(text):
    names = set()
    for line in text.splitlines():
        name = line.strip().split("=", 1)[0].strip()
        if name:
            names.add(name)
    return names


def cmd_lint(raw_json, out_json, variables=""):
    """Annotate the findings of `loaddensity lint --format json` and write
    the ones that stand to OUT_JSON. A variable given by the `variables`
    input is registered before the files run, which the linter cannot see:
    its undefined-variable findings are dropped. Sets errors/warnings."""
    findings = load_json(raw_json, [])
    if not isinstance(findings, list):
        findings = []
    given = given_variables(variables)
    kept = []
    for f in findings:
        if not isinstance(f, dict):
            continue
        m = re.match(r'variable "([^"]+)"', str(f.get("message", "")))
        if f.get("rule") == "undefined-variable" and m and \
                m.group(1) in given:
            continue
        kept.append(f)
    count = {"error": 0, "warning": 0, "notice": 0}
    for f in kept:
        sev = f.get("severity")
        kind = sev if sev in ("error", "warning") else "notice"
        count[kind] += 1
        print(annotation(kind, str(f.get("message", "")),
                         title="loaddensity lint (%s)" % f.get("rule", "?"),
                         file=f.get("file"), line=f.get("line"),
                         col=f.get("column"), end_line=f.get("end_line"),
                         end_col=f.get("end_column")))
    with open(out_json, "w", encoding="utf-8") as fh:
        json.dump(kept, fh, indent=1)
    print("%d error%s, %d warning%s" % (
        count["error"], "s" if count["error"] != 1 else "",
        count["warning"], "s" if count["warning"] != 1 else ""))
    set_outputs([("errors", count["error"]), ("warnings", count["warning"])])
    return 0


def cmd_extras(extras, commands_json):
    """Warn about extras this build cannot serve. The C build has no pip
    extras to install: an extra names a group of commands (metrics,
    recording, dashboard, ...) or a word in their names (websocket, mqtt)."""
    cmds = load_json(commands_json, [])
    if isinstance(cmds, dict):
        cmds = cmds.get("commands", [])
    missing = []
    for extra in [e.strip() for e in extras.split(",") if e.strip()]:
        key = extra.lower()
        match = [c for c in cmds
                 if str(c.get("group", "")).lower() == key
                 or key in str(c.get("name", "")).lower()]
        if not any(c.get("available") for c in match):
            missing.append(extra)
            why = ("its commands are not available in this build"
                   if match else "no command of this build provides it")
            print(annotation("warning", "extra '%s': %s (see `loaddensity "
                                        "commands`)" % (extra, why)))
    set_outputs([("missing-extras", ",".join(missing))])
    return 0


def cmd_wrapper(out, db, label, report_dir, title, *files):
    """Write the document the run step executes: the user's files, then
    persist, reports and annotations, all in one process (the records live
    in memory only for the life of one `loaddensity run`)."""
    env = os.environ
    metadata = {k: env.get(v) for k, v in (
        ("sha", "GITHUB_SHA"), ("ref", "GITHUB_REF"),
        ("repository", "GITHUB_REPOSITORY"), ("workflow", "GITHUB_WORKFLOW"),
        ("job", "GITHUB_JOB"), ("run_id", "GITHUB_RUN_ID"),
        ("run_attempt", "GITHUB_RUN_ATTEMPT"), ("event", "GITHUB_EVENT_NAME"))
        if env.get(v)}
    metadata["files"] = list(files)
    doc = [
        ["LD_execute_files", [list(files)]],
        ["LD_persist_records", {"database_path": db, "label": label,
                                "metadata": metadata}],
        ["LD_generate_summary_report",
         {"report_name": os.path.join(report_dir, "summary")}],
        ["LD_generate_junit_report",
         {"report_name": os.path.join(report_dir, "junit")}],
        ["LD_generate_html_report",
         {"html_name": os.path.join(report_dir, "report")}],
        ["LD_emit_github_annotations", {"title": title}],
    ]
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"load_density": doc}, f, indent=1)
        f.write("\n")
    return 0


NESTED = re.compile(r"nested actions? failed")


def walk_results(results):
    for r in results or []:
        if isinstance(r, dict):
            yield r


def failed_actions(results):
    """Failed results, less the LD_execute_files / LD_execute_action entries
    that only say that an action inside them failed (listed on its own)."""
    out = []
    for r in walk_results(results):
        err = r.get("error")
        msg = err.get("message") if isinstance(err, dict) else err
        if r.get("ok") or (r.get("command") in ("LD_execute_files",
                                                "LD_execute_action")
                           and NESTED.search(str(msg or ""))):
            continue
        out.append((r, msg))
    return out


def cmd_run_outputs(run_json, summary_json):
    run = load_json(run_json, {}) or {}
    summary = load_json(summary_json) or run.get("summary") or {}
    run_id = ""
    for r in walk_results(run.get("results")):
        if r.get("command") == "LD_persist_records" and r.get("ok"):
            run_id = r.get("value")
    totals = summary.get("totals") or {}
    lat = summary.get("latency_overall") or {}
    set_outputs([
        ("run-id", run_id),
        ("total", totals.get("requests", 0)),
        ("failed", totals.get("failures", 0)),
        ("p95-ms", fmt_num(lat.get("p95_ms"), 3) if lat else ""),
        ("actions-failed", len(failed_actions(run.get("results")))),
    ])
    return 0


LOG_ERROR = re.compile(r"^(?P<file>[^:\s][^:]*?):(?P<line>\d+):(?P<col>\d+): "
                       r"(?P<kind>error|warning): (?P<msg>.*)$")
LOG_ERROR_NOPOS = re.compile(r"^(?P<file>[^:\s][^:]*?): (?P<kind>error|"
                             r"warning): (?P<msg>.*)$")


def cmd_annotate(log_path, hide_file=""):
    """Turn a loaddensity log into annotations: workflow commands printed by
    LD_emit_github_annotations pass through; `file:line:col: error: msg`
    lines (a failed action) become ::error with a file position. Prints the
    number of annotations on the last line of stderr."""
    seen = set()
    count = 0
    for line in read_text(log_path).splitlines():
        out = None
        if re.match(r"^::(error|warning|notice)[ :]", line):
            out = line
        else:
            m = LOG_ERROR.match(line) or LOG_ERROR_NOPOS.match(line)
            if m:
                pos = m.groupdict()
                f = pos["file"]
                if hide_file and os.path.abspath(f) == \
                        os.path.abspath(hide_file):
                    if NESTED.search(pos["msg"]):
                        continue        # the nested failure has its own line
                    f = ""
                out = annotation(pos["kind"], pos["msg"], file=f,
                                 line=pos.get("line"), col=pos.get("col"))
        if out is None or out in seen:
            continue
        seen.add(out)
        if count < MAX_ANNOTATIONS:
            print(out)
        count += 1
    if count > MAX_ANNOTATIONS:
        print(annotation("notice", "%d more annotations are in the run log"
                         % (count - MAX_ANNOTATIONS)))
    set_outputs([("annotations", count)])
    return 0


def rule_text(rule):
    name = rule.get("name")
    where = " of %s" % name if name else " (overall)"
    return "%s%s" % (rule.get("type", "?"), where)


OPS = {"lt": "<", "lte": "\u2264", "gt": ">", "gte": "\u2265"}


def cmd_sla_outputs(sla_json, rc):
    rc = int(rc)
    data = load_json(sla_json, {}) or {}
    verdicts = data.get("verdicts") or []
    failed = [v for v in verdicts if not v.get("passed")]
    for v in failed:
        rule = v.get("rule") or {}
        print(annotation("error", "SLA gate %s %s %s failed: actual %s" % (
            rule_text(rule), OPS.get(rule.get("op", "lte"), "?"),
            fmt_thr(rule.get("value")),
            fmt_num(v.get("actual"), 3) if v.get("actual") is not None
            else v.get("reason", "no data")), title="LoadDensity SLA"))
    passed = "true" if rc == 0 else "false"
    set_outputs([("passed", passed), ("rules", len(verdicts)),
                 ("failed-rules", len(failed))])
    return 0


def cmd_baseline(runs_json, baseline, current):
    """Print the baseline run id: BASELINE itself when it is a number, else
    the newest run labelled BASELINE other than the current run."""
    baseline = baseline.strip()
    if re.fullmatch(r"[0-9]+", baseline):
        print(baseline)
        return 0
    runs = load_json(runs_json, []) or []
    for r in runs:           # newest first
        if str(r.get("id")) != str(current) and r.get("label") == baseline:
            print(r.get("id"))
            return 0
    return 1


def regressions_of(diff):
    rows = []
    for name, e in (diff.get("per_name") or {}).items():
        for metric, d in (e.get("deltas") or {}).items():
            if isinstance(d, dict) and d.get("regressed"):
                rows.append((name, metric, d))
    return rows


def cmd_diff_outputs(diff_json):
    diff = load_json(diff_json, {}) or {}
    rows = regressions_of(diff)
    for name, metric, d in rows[:MAX_ANNOTATIONS]:
        print(annotation("error", "regression: %s of %s went from %s to %s "
                         "(%s) against run %s" % (
                             metric, name, fmt_num(d.get("baseline"), 3),
                             fmt_num(d.get("current"), 3), pct(d.get("pct")),
                             diff.get("baseline_run_id")),
                         title="LoadDensity regression"))
    set_outputs([("regressions", len(rows))])
    return 0


def pct(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return "%+.1f%%" % (v * 100.0)
    return "n/a"


# -------------------------------------------------------------- verdict

def env_int(name):
    try:
        return int(os.environ.get(name, "") or 0)
    except ValueError:
        return 0


def truthy(v):
    return str(v or "").strip().lower() in ("true", "1", "yes", "on")


def listed_files():
    """The expanded action files (files.txt of the lint step)."""
    path = os.path.join(os.environ.get("LD_REPORT", "."), "files.txt")
    return [f for f in read_text(path).splitlines() if f]


def verdict():
    """Decide the result from the LD_* variables the summary step passes:
    (result, [reasons]). result is passed, linted, failed or broken."""
    e = os.environ
    files = listed_files()
    if e.get("LD_FILES_OK") != "true":
        return "broken", [e.get("LD_FILES_ERROR") or "no action file found"]
    lint_rc = env_int("LD_LINT_RC")
    lint_errors = env_int("LD_LINT_ERRORS")
    if lint_rc not in (0, 1) or lint_errors:
        what = ("%d lint error%s" % (lint_errors, "s" if lint_errors != 1
                                      else "")) if lint_errors else \
            "a file could not be read"
        return "broken", ["broken action file: %s in %s (see the "
                          "annotations); nothing was run"
                          % (what, ", ".join(files))]
    if truthy(e.get("LD_LINT_ONLY")):
        return "linted", []
    run_rc = env_int("LD_RUN_RC")
    if run_rc == 2:
        return "broken", ["broken action file: loaddensity could not run %s "
                          "(see the annotations)" % ", ".join(files)]
    reasons = []
    if run_rc not in (0, 1, 4):
        reasons.append("loaddensity run exited with code %d" % run_rc)
    if e.get("LD_SLA_RC") == "2":
        reasons.append("the SLA rules are invalid (see the log of the SLA "
                       "step)")
    elif e.get("LD_SLA_PASSED") == "false":
        reasons.append("SLA failed: %s of %s gates breached" % (
            e.get("LD_SLA_FAILED_RULES", "?"), e.get("LD_SLA_RULES", "?")))
    if e.get("LD_DIFF_RC") == "2":
        reasons.append("the regression diff against baseline '%s' failed "
                       "(see the log of the diff step)"
                       % e.get("LD_BASELINE", ""))
    regs = env_int("LD_REGRESSIONS")
    if regs:
        reasons.append("%d regression%s against baseline run %s" % (
            regs, "s" if regs != 1 else "", e.get("LD_BASELINE_ID", "?")))
    if truthy(e.get("LD_FAIL_ON_ERROR", "true")):
        failed = env_int("LD_FAILED")
        actions = env_int("LD_ACTIONS_FAILED")
        if failed:
            reasons.append("%d of %d requests failed" % (
                failed, env_int("LD_TOTAL")))
        if actions:
            reasons.append("%d action%s failed" % (
                actions, "s" if actions != 1 else ""))
    return ("failed" if reasons else "passed"), reasons


# -------------------------------------------------------------- summary

class Budget:
    """Markdown lines under a byte budget; tables stop adding rows when the
    budget runs low and say how many rows were left out."""

    def __init__(self, limit):
        self.limit = limit
        self.lines = []
        self.size = 0

    def fits(self, line, reserve=0):
        return self.size + len(line.encode("utf-8")) + 1 + reserve \
            <= self.limit

    def add(self, line=""):
        if not self.fits(line):
            return False
        self.lines.append(line)
        self.size += len(line.encode("utf-8")) + 1
        return True

    def table(self, header, rows, what="rows", reserve=4096):
        if not self.fits(header[0], reserve):
            return
        for h in header:
            self.add(h)
        for i, row in enumerate(rows):
            if not self.fits(row, reserve):
                self.add("")
                self.add("_%d more %s left out to keep the summary under "
                         "GitHub's 1 MiB limit (the report directory has "
                         "them all)._" % (len(rows) - i, what))
                break
            self.add(row)
        self.add("")

    def text(self):
        return "\n".join(self.lines) + "\n"


ICON = {"passed": "\u2705 passed", "linted": "\u2705 lint passed",
        "failed": "\u274c failed", "broken": "\U0001f6d1 broken action file"}


def summary_totals(b, s):
    t = s.get("totals") or {}
    lat = s.get("latency_overall") or {}
    b.add("### Totals")
    b.add("")
    b.table(["| requests | failures | failure rate | req/s | duration s | "
             "p50 ms | p95 ms | p99 ms | max ms |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"],
            ["| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                fmt_num(t.get("requests")), fmt_num(t.get("failures")),
                pct_plain(t.get("failure_rate")),
                fmt_num(t.get("requests_per_second"), 1),
                fmt_num(t.get("duration_s"), 2), fmt_num(lat.get("p50_ms")),
                fmt_num(lat.get("p95_ms")), fmt_num(lat.get("p99_ms")),
                fmt_num(lat.get("max_ms")))])


def pct_plain(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return "%.2f%%" % (v * 100.0)
    return "-"


def summary_per_name(b, s):
    per = s.get("per_name") or {}
    if not per:
        return
    b.add("### Per name")
    b.add("")
    rows = []
    for name, p in per.items():
        # latencies are over successful requests: none, no figure
        lat = [fmt_num(p.get(k)) if p.get("count", 1) else "-"
               for k in ("p50_ms", "p90_ms", "p95_ms", "p99_ms", "max_ms")]
        rows.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % tuple(
            [cell(name, code=True), fmt_num(p.get("requests")),
             fmt_num(p.get("failures")),
             fmt_num(p.get("requests_per_second"), 1)] + lat))
    b.table(["| name | requests | failures | req/s | p50 ms | p90 ms | "
             "p95 ms | p99 ms | max ms |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"], rows, "names")


def summary_sla(b, sla, rc):
    verdicts = (sla or {}).get("verdicts") or []
    b.add("### SLA gates")
    b.add("")
    if rc == "2":
        b.add("The SLA rules could not be judged (invalid rules): see the "
              "log of the SLA step.")
        b.add("")
        return
    rows = []
    # failed gates first: they are the ones a reader looks for
    for v in sorted(verdicts, key=lambda v: bool(v.get("passed"))):
        rule = v.get("rule") or {}
        actual = v.get("actual")
        rows.append("| %s | %s %s | %s | %s |" % (
            cell(rule_text(rule)), OPS.get(rule.get("op", "lte"), "?"),
            fmt_thr(rule.get("value")),
            fmt_num(actual, 3) if actual is not None
            else cell(v.get("reason") or "no data"),
            "\u2705 pass" if v.get("passed") else "\u274c **FAIL**"))
    b.table(["| gate | threshold | actual | result |",
             "|---|---|---:|---|"], rows, "gates")


def summary_diff(b, diff, rc, baseline, base_id):
    b.add("### Regressions")
    b.add("")
    if not base_id:
        b.add("No run labelled %s in the database yet: nothing to compare "
              "against." % cell(baseline, code=True))
        b.add("")
        return
    if rc == "2" or not diff:
        b.add("The diff against run %s failed: see the log of the diff step."
              % cell(base_id))
        b.add("")
        return
    rows = regressions_of(diff)
    compared = len(diff.get("per_name") or {})
    b.add("Baseline run %s, current run %s, tolerance %s; %d name%s "
          "compared." % (
              diff.get("baseline_run_id"), diff.get("current_run_id"),
              pct_plain(diff.get("tolerance")).replace(".00", ""), compared,
              "s" if compared != 1 else ""))
    b.add("")
    if not rows:
        b.add("\u2705 No regression.")
        b.add("")
        return
    b.table(["| name | metric | baseline | current | change |",
             "|---|---|---:|---:|---:|"],
            ["| %s | %s | %s | %s | %s |" % (
                cell(n, code=True), cell(m), fmt_num(d.get("baseline"), 3),
                fmt_num(d.get("current"), 3), pct(d.get("pct")))
             for n, m, d in rows], "regressions")


def summary_lint(b, findings):
    rows = []
    for f in findings or []:
        if not isinstance(f, dict) or f.get("severity") not in ("error",
                                                                "warning"):
            continue
        rows.append("| %s | %s | %s | %s | %s |" % (
            cell(f.get("file", ""), code=True), fmt_num(f.get("line")),
            f.get("severity"), cell(f.get("rule", "")),
            cell(f.get("message", ""))))
    if not rows:
        return
    b.add("### Lint")
    b.add("")
    b.table(["| file | line | severity | rule | message |",
             "|---|---:|---|---|---|"], rows, "findings")


def summary_failed_actions(b, run):
    rows = []
    for r, msg in failed_actions((run or {}).get("results")):
        rows.append("| %s | %s | %s |" % (
            cell(r.get("command") or "(action)", code=True),
            cell("%s:%s" % (r.get("file", ""), r.get("line", ""))),
            cell(msg or "")))
    if rows:
        b.add("### Failed actions")
        b.add("")
        b.table(["| action | where | error |", "|---|---|---|"], rows,
                "failed actions")


def cmd_summary(report_dir, limit=None):
    """Print the job summary (Markdown) and set the result/reasons outputs.
    Everything comes from files in REPORT_DIR and LD_* variables."""
    e = os.environ
    limit = int(limit) if limit else SUMMARY_BUDGET
    result, reasons = verdict()
    b = Budget(limit)
    b.add("## LoadDensity: %s" % ICON[result])
    b.add("")
    files = listed_files()
    facts = []
    if files:
        facts.append("files " + ", ".join(cell(f, code=True)
                                          for f in files[:20]))
    if e.get("LD_RUN_ID"):
        facts.append("run **%s** (label %s)" % (
            cell(e["LD_RUN_ID"]), cell(e.get("LD_LABEL", ""), code=True)))
    if facts:
        b.add("; ".join(facts))
        b.add("")
    for r in reasons:
        b.add("- **%s**" % cell(r))
    if reasons:
        b.add("")
    summary = load_json(os.path.join(report_dir, "summary.json"))
    if summary:
        summary_totals(b, summary)
    if e.get("LD_SLA_RAN") == "true":
        summary_sla(b, load_json(os.path.join(report_dir, "sla.json")),
                    e.get("LD_SLA_RC", ""))
    if e.get("LD_BASELINE"):
        summary_diff(b, load_json(os.path.join(report_dir, "diff.json")),
                     e.get("LD_DIFF_RC", ""), e["LD_BASELINE"],
                     e.get("LD_BASELINE_ID", ""))
    lint = load_json(os.path.join(report_dir, "lint.json"))
    if result == "broken":
        summary_lint(b, lint)
    summary_failed_actions(b, load_json(os.path.join(report_dir,
                                                     "run.json")))
    if summary:
        summary_per_name(b, summary)
    if result != "broken":
        summary_lint(b, lint)
    b.add("<sub>Reports (summary.json, junit.xml, report.html, run.log) are "
          "in %s.</sub>" % cell(e.get("LD_REPORT_REL", report_dir),
                                code=True))
    sys.stdout.write(b.text())
    set_outputs_stderr([("result", result), ("reasons", "\n".join(reasons))])
    return 0


def set_outputs_stderr(pairs):
    # stdout carries the Markdown; keep the echo off it
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        set_outputs(pairs)
    finally:
        sys.stdout = out


def cmd_fail(result, reasons_text):
    """Print one ::error per reason (a distinct title for a broken file)."""
    title = ("LoadDensity: broken action file" if result == "broken"
             else "LoadDensity")
    for r in [r for r in reasons_text.splitlines() if r.strip()]:
        print(annotation("error", r, title=title))
    return 0


COMMANDS = {
    "files": cmd_files, "lint": cmd_lint, "extras": cmd_extras,
    "wrapper": cmd_wrapper, "run-outputs": cmd_run_outputs,
    "annotate": cmd_annotate, "sla-outputs": cmd_sla_outputs,
    "baseline": cmd_baseline, "diff-outputs": cmd_diff_outputs,
    "summary": cmd_summary, "fail": cmd_fail,
}


def main(argv):
    if len(argv) < 2 or argv[1] not in COMMANDS:
        print("usage: ldaction.py {%s} ..." % ",".join(sorted(COMMANDS)),
              file=sys.stderr)
        return 2
    try:
        return COMMANDS[argv[1]](*argv[2:])
    except TypeError as exc:
        print("ldaction.py %s: %s" % (argv[1], exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
