"""A small stand-in for the GitHub Actions runner, enough to run the steps of
a composite action (gh-action/action.yml) for real on this machine.

It reads action.yml with a YAML parser and, like the runner:
- substitutes ${{ }} expressions (inputs, steps.<id>.outputs, github.*,
  runner.*, env.*) in `env:`, `with:`, `if:` and `run:` values;
- runs every `run:` step with `bash --noprofile --norc -eo pipefail FILE`
  in $GITHUB_WORKSPACE, with fresh GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH
  and GITHUB_STEP_SUMMARY files per step, applying them afterwards (step
  outputs, job environment, PATH, job summary with its 1 MiB step limit);
- parses workflow commands (::error/::warning/::notice) from stdout and
  stderr, honouring ::stop-commands::TOKEN ... ::TOKEN::;
- stops at the first failing step, as a composite action without
  `if: always()` does;
- evaluates the action's `outputs:`.

Steps that `uses:` another action cannot run here: their `if:` must be
false under the simulated inputs, or the simulation refuses to go on.
Anything it does not understand (an unknown expression or context) is an
error, so the action cannot drift outside what the tests exercise.
"""
import os
import re
import subprocess
import tempfile

import yaml

STEP_SUMMARY_LIMIT = 1024 * 1024
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
COMMAND = re.compile(r"^::([a-z-]+)(?: ([^:]*))?::(.*)$")


class SimError(Exception):
    pass


def unescape_data(s):
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def unescape_prop(s):
    return unescape_data(s.replace("%3A", ":").replace("%2C", ","))


def parse_env_file(path):
    """name=value lines and name<<DELIM heredocs (GITHUB_OUTPUT/GITHUB_ENV)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or
                             line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            value = []
            while i < len(lines) and lines[i] != delim:
                value.append(lines[i])
                i += 1
            if i >= len(lines):
                raise SimError("unterminated heredoc %r in %s" % (delim, path))
            i += 1
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
        else:
            raise SimError("bad line in %s: %r" % (path, line))
    return out


class Annotation:
    def __init__(self, kind, props, message, step):
        self.kind, self.props, self.message, self.step = \
            kind, props, message, step

    def __repr__(self):
        return "::%s %s::%s (step %s)" % (self.kind, self.props,
                                          self.message, self.step)


def parse_commands(text, step):
    """Workflow commands in a step's output, with stop-commands honoured."""
    notes = []
    stop = None
    for line in text.splitlines():
        if stop is not None:
            if line == "::%s::" % stop:
                stop = None
            continue
        m = COMMAND.match(line)
        if not m:
            continue
        kind, props, msg = m.group(1), m.group(2) or "", m.group(3)
        if kind == "stop-commands":
            stop = msg
            continue
        if kind in ("error", "warning", "notice"):
            p = {}
            for part in [x for x in props.split(",") if x]:
                k, _, v = part.partition("=")
                p[k.strip()] = unescape_prop(v)
            notes.append(Annotation(kind, p, unescape_data(msg), step))
    if stop is not None:
        raise SimError("step %s: ::stop-commands::%s never resumed"
                       % (step, stop))
    return notes


class Result:
    def __init__(self):
        self.exit_code = 0
        self.failed_step = None
        self.steps = []            # (id or name, status, exit code)
        self.step_outputs = {}
        self.outputs = {}
        self.annotations = []
        self.summary = ""
        self.logs = {}
        self.env = {}

    def errors(self, title_prefix=None):
        return [a for a in self.annotations if a.kind == "error" and
                (title_prefix is None or
                 a.props.get("title", "").startswith(title_prefix))]


class Runner:
    def __init__(self, action_dir, workspace, base_env=None, timeout=120):
        self.action_dir = os.path.abspath(action_dir)
        with open(os.path.join(self.action_dir, "action.yml"),
                  encoding="utf-8") as f:
            self.action = yaml.safe_load(f)
        self.workspace = os.path.abspath(workspace)
        self.base_env = dict(base_env if base_env is not None
                             else os.environ)
        self.timeout = timeout
        self.temp = tempfile.mkdtemp(prefix="ldgh-runner-",
                                     dir=os.path.dirname(self.workspace))

    # -- expressions ------------------------------------------------------

    def _value(self, ref, ctx):
        parts = ref.split(".")
        head = parts[0]
        if head == "inputs" and len(parts) == 2:
            if parts[1] not in ctx["inputs"]:
                raise SimError("unknown input %r" % parts[1])
            return ctx["inputs"][parts[1]]
        if head == "steps" and len(parts) == 4 and parts[2] == "outputs":
            # an output a step never set reads as the empty string
            return ctx["steps"].get(parts[1], {}).get(parts[3], "")
        if head in ("github", "runner") and len(parts) == 2:
            table = ctx[head]
            if parts[1] not in table:
                raise SimError("unsupported context %r" % ref)
            return table[parts[1]]
        if head == "env" and len(parts) == 2:
            return ctx["env"].get(parts[1], "")
        raise SimError("unsupported expression %r" % ref)

    def _eval(self, expr, ctx):
        expr = expr.strip()
        m = re.fullmatch(r"(\S+)\s*(==|!=)\s*'([^']*)'", expr)
        if m:
            left = self._value(m.group(1), ctx)
            return (left == m.group(3)) == (m.group(2) == "==")
        return self._value(expr, ctx)

    def subst(self, text, ctx):
        if not isinstance(text, str):
            return "" if text is None else str(text).lower() \
                if isinstance(text, bool) else str(text)
        return EXPR.sub(lambda m: str(self._eval(m.group(1), ctx)), text)

    def condition(self, cond, ctx):
        if cond is None:
            return True
        cond = str(cond)
        m = EXPR.fullmatch(cond.strip())
        value = self._eval(m.group(1) if m else cond, ctx)
        if isinstance(value, bool):
            return value
        return bool(value)

    # -- running ----------------------------------------------------------

    def inputs(self, given):
        spec = self.action.get("inputs") or {}
        unknown = set(given) - set(spec)
        if unknown:
            raise SimError("unknown inputs: %s" % sorted(unknown))
        out = {}
        for name, d in spec.items():
            if name in given:
                out[name] = str(given[name])
            elif (d or {}).get("required") and "default" not in (d or {}):
                raise SimError("required input %r missing" % name)
            else:
                out[name] = str((d or {}).get("default", ""))
        return out

    def run(self, given_inputs, job_env=None):
        res = Result()
        ctx = {
            "inputs": self.inputs(given_inputs),
            "steps": res.step_outputs,
            "github": {"action_path": self.action_dir,
                       "workspace": self.workspace},
            "runner": {"temp": self.temp, "os": "Linux"},
            "env": dict(job_env or {}),
        }
        env_acc = dict(job_env or {})
        path_acc = []
        for index, step in enumerate(self.action["runs"]["steps"]):
            sid = step.get("id") or "step%d" % index
            if "uses" in step:
                if self.condition(step.get("if", "true"), ctx):
                    raise SimError("step %s uses %s, which the simulation "
                                   "cannot run" % (sid, step["uses"]))
                res.steps.append((sid, "skipped", None))
                continue
            if not self.condition(step.get("if"), ctx):
                res.steps.append((sid, "skipped", None))
                continue
            code = self._run_step(step, sid, ctx, env_acc, path_acc, res)
            res.steps.append((sid, "success" if code == 0 else "failure",
                              code))
            if code != 0:
                res.exit_code = code
                res.failed_step = sid
                break
        for name, d in (self.action.get("outputs") or {}).items():
            res.outputs[name] = self.subst(d.get("value", ""), ctx)
        res.env = env_acc
        return res

    def _run_step(self, step, sid, ctx, env_acc, path_acc, res):
        if step.get("shell") != "bash":
            raise SimError("step %s: only shell: bash is simulated" % sid)
        files = {k: os.path.join(self.temp, "%s_%s" % (sid, k)) for k in (
            "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH",
            "GITHUB_STEP_SUMMARY")}
        for p in files.values():
            open(p, "w").close()
        env = dict(self.base_env)
        env.update(env_acc)
        env.update({
            "GITHUB_ACTIONS": "true", "CI": "true",
            "GITHUB_WORKSPACE": self.workspace,
            "GITHUB_ACTION_PATH": self.action_dir,
            "RUNNER_TEMP": self.temp, "RUNNER_OS": "Linux",
            "GITHUB_REF_NAME": env.get("GITHUB_REF_NAME", "main"),
            "GITHUB_SHA": env.get("GITHUB_SHA", "0" * 40),
        })
        env.update(files)
        if path_acc:
            env["PATH"] = os.pathsep.join(path_acc + [env.get("PATH", "")])
        ctx["env"] = dict(env_acc)
        for k, v in (step.get("env") or {}).items():
            env[k] = self.subst(v, ctx)
        script = os.path.join(self.temp, "%s.sh" % sid)
        with open(script, "w", encoding="utf-8") as f:
            f.write(self.subst(step["run"], ctx))
        cwd = self.subst(step.get("working-directory", ""), ctx) or \
            self.workspace
        try:
            p = subprocess.run(["bash", "--noprofile", "--norc", "-eo",
                                "pipefail", script], cwd=cwd, env=env,
                               stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, timeout=self.timeout)
        except subprocess.TimeoutExpired:
            raise SimError("step %s timed out" % sid)
        out = p.stdout.decode("utf-8", "replace")
        err = p.stderr.decode("utf-8", "replace")
        res.logs[sid] = out + err
        res.annotations += parse_commands(out, sid)
        res.annotations += parse_commands(err, sid)
        res.step_outputs[sid] = parse_env_file(files["GITHUB_OUTPUT"])
        env_acc.update(parse_env_file(files["GITHUB_ENV"]))
        with open(files["GITHUB_PATH"], encoding="utf-8") as f:
            path_acc[:0] = [x for x in f.read().splitlines() if x]
        size = os.path.getsize(files["GITHUB_STEP_SUMMARY"])
        if size > STEP_SUMMARY_LIMIT:
            raise SimError("step %s wrote a %d-byte job summary (limit %d)"
                           % (sid, size, STEP_SUMMARY_LIMIT))
        with open(files["GITHUB_STEP_SUMMARY"], encoding="utf-8") as f:
            res.summary += f.read()
        return p.returncode
