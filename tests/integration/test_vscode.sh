#!/usr/bin/env bash
# The VS Code extension (vscode/): compiles with tsc, packages into a .vsix
# with @vscode/vsce (dependencies included, schema from `loaddensity
# schema`), and its compiled code behaves: loaded in node against a stand-in
# `vscode` module, activation registers the commands and says clearly when
# loaddensity-lsp is missing, "Lint workspace" turns real `loaddensity lint`
# findings into diagnostics, "Run this action file" starts the right task.
# Needs $LOADDENSITY and $LD_SOURCE_DIR (set by ctest), node and npm; the
# npm packages are installed by scripts/install-deps.sh (npm ci in vscode/),
# or here when vscode/node_modules does not match the lock file.
set -u
LD=${LOADDENSITY:?LOADDENSITY not set}
SRC=${LD_SOURCE_DIR:?LD_SOURCE_DIR not set}
EXT="$SRC/vscode"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
ko() { fail=$((fail + 1)); echo "FAIL - $1"; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

T=$(mktemp -d /tmp/ldvscode.XXXXXX)
trap 'rm -rf "$T"' EXIT
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

for tool in node npm; do
  command -v "$tool" >/dev/null || { ko "$tool is not installed"; finish; }
done

# the packages pinned by package-lock.json (same stamp as install-deps.sh)
stamp="$EXT/node_modules/.ld-lock-sum"
sum=$(sha256sum "$EXT/package-lock.json" | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
  echo "# npm ci in vscode/"
  if (cd "$EXT" && timeout 240 npm ci --no-audit --no-fund --loglevel=error) >"$T/npm" 2>&1; then
    echo "$sum" >"$stamp"
  else
    ko "npm ci in vscode/"; sed 's/^/    /' "$T/npm" | tail -20; finish
  fi
fi

cd "$EXT" || exit 1
# `vsce package` runs vscode:prepublish: the schema from $LOADDENSITY, then
# `tsc -p .`; start from nothing so both are proven to have run
rm -rf out schemas
if LOADDENSITY="$LD" timeout 180 npx --no-install vsce package --out "$T/ld.vsix" \
     </dev/null >"$T/vsce" 2>&1; then ok "vsce package"; else
  ko "vsce package"; sed 's/^/    /' "$T/vsce" | tail -30; finish
fi
grep -q '^> tsc -p \.' "$T/vsce" && [ -f out/extension.js ] && ok "tsc compiled out/extension.js" ||
  ko "tsc compiled out/extension.js"
[ -f schemas/loaddensity-action.schema.json ] && ok "schema generated at packaging time" ||
  ko "schema generated at packaging time"
"$LD" schema >"$T/schema.json" || ko "loaddensity schema"

# the .vsix is a zip: check its contents with python's zipfile
python3 - "$T/ld.vsix" "$T/schema.json" >"$T/zip" 2>&1 <<'PY'
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = set(z.namelist())
def check(name, cond):
    print(("ok - " if cond else "FAIL - ") + name)
for n in ("extension/out/extension.js", "extension/package.json",
          "extension/README.md", "extension/LICENSE.txt",
          "extension/schemas/loaddensity-action.schema.json",
          "extension/node_modules/vscode-languageclient/package.json",
          "extension/node_modules/vscode-languageclient/lib/node/main.js",
          "extension/node_modules/vscode-jsonrpc/package.json"):
    check("vsix has %s" % n, n in names)
check("vsix leaves out the TypeScript sources and dev tools",
      not any(n.startswith(("extension/src/", "extension/node_modules/typescript/",
                            "extension/node_modules/@vscode/vsce/"))
              for n in names))
pkg = json.loads(z.read("extension/package.json"))
c = pkg["contributes"]
url = c["jsonValidation"][0]["url"].lstrip("./")
check("jsonValidation points at the packaged schema", "extension/" + url in names)
check("jsonValidation matches *.ld.json and *.loaddensity.json",
      set(c["jsonValidation"][0]["fileMatch"]) == {"*.ld.json", "*.loaddensity.json"})
exts = {e for lang in c["languages"] for e in lang["extensions"]}
check("action file extensions associated",
      {".ld.json", ".loaddensity.json", ".ld.yaml"} <= exts)
titles = {x["command"]: x["title"] for x in c["commands"]}
check("command 'Run this action file'",
      titles.get("loaddensity.runFile") == "Run this action file")
check("command 'Lint workspace'",
      titles.get("loaddensity.lintWorkspace") == "Lint workspace")
check("lsp path is configurable",
      c["configuration"]["properties"]["loaddensity.lsp.path"]["default"] == "loaddensity-lsp")
packaged = json.loads(z.read("extension/schemas/loaddensity-action.schema.json"))
with open(sys.argv[2]) as f:
    check("packaged schema is the one `loaddensity schema` exports",
          packaged == json.load(f))
PY
cat "$T/zip"
pass=$((pass + $(grep -c '^ok - ' "$T/zip")))
fail=$((fail + $(grep -c '^FAIL - ' "$T/zip")))
grep -q Traceback "$T/zip" && ko "zip check crashed"

# behaviour of the compiled extension against a stand-in vscode module
mkdir -p "$T/ws/load" "$T/ws/sub"
cat >"$T/ws/load/good.ld.json" <<'EOF'
{"load_density": [["LD_register_variables", {"variables": {"a": "1"}}]]}
EOF
cat >"$T/ws/sub/bad.ld.json" <<'EOF'
[
  ["LD_typo"]
]
EOF
cat >"$T/activate.js" <<'EOF'
"use strict";
const Module = require("module");
const path = require("path");
const [ext, ld, ws] = process.argv.slice(2);
let pass = 0, fail = 0;
const check = (name, cond, detail) => {
  if (cond) { pass++; console.log("ok - " + name); }
  else { fail++; console.log("FAIL - " + name + (detail ? "\n    " + JSON.stringify(detail) : "")); }
};

// ---- a stand-in for the parts of the vscode API the extension touches
const calls = { error: [], warning: [], info: [], commands: {}, tasks: [], diags: new Map() };
const settings = { "lsp.path": "/nonexistent/loaddensity-lsp", path: ld };
class Uri {
  constructor(p) { this.fsPath = p; this.scheme = "file"; }
  static file(p) { return new Uri(p); }
  toString() { return "file://" + this.fsPath; }
}
class Range { constructor(a, b, c, d) { this.start = { line: a, character: b }; this.end = { line: c, character: d }; } }
class Diagnostic { constructor(range, message, severity) { Object.assign(this, { range, message, severity }); } }
class Task { constructor(def, scope, name, source, execution, matchers) {
  Object.assign(this, { def, scope, name, source, execution, matchers }); } }
class ProcessExecution { constructor(process, args, options) { Object.assign(this, { process, args, options }); } }
const disposable = { dispose() {} };
const message = (list) => (...args) => { list.push(args[0]); return Promise.resolve(undefined); };
const vscode = {
  Uri, Range, Diagnostic, Task, ProcessExecution,
  DiagnosticSeverity: { Error: 0, Warning: 1, Information: 2, Hint: 3 },
  TaskScope: { Workspace: 2 }, TaskRevealKind: { Always: 1 },
  window: { showErrorMessage: message(calls.error), showWarningMessage: message(calls.warning),
            showInformationMessage: message(calls.info), activeTextEditor: undefined },
  commands: { registerCommand: (id, fn) => { calls.commands[id] = fn; return disposable; },
              executeCommand: () => Promise.resolve() },
  languages: { createDiagnosticCollection: () => ({
    set: (uri, d) => calls.diags.set(uri.fsPath, d), clear: () => calls.diags.clear(), dispose() {} }) },
  workspace: {
    workspaceFolders: [{ uri: Uri.file(ws), name: "ws", index: 0 }],
    getConfiguration: () => ({ get: (k, d) => (k in settings ? settings[k] : d) }),
    onDidChangeConfiguration: () => disposable,
    createFileSystemWatcher: () => disposable,
    textDocuments: [],
    getWorkspaceFolder: () => vscode.workspace.workspaceFolders[0],
    findFiles: () => Promise.resolve([Uri.file(path.join(ws, "load/good.ld.json")),
                                      Uri.file(path.join(ws, "sub/bad.ld.json"))]),
  },
  tasks: { executeTask: (t) => { calls.tasks.push(t); return Promise.resolve({}); } },
};
const resolve = Module._resolveFilename;
Module._resolveFilename = function (req, ...rest) {
  return req === "vscode" ? "vscode" : resolve.call(this, req, ...rest);
};
// vscode-languageclient subclasses API classes at load time (CompletionItem,
// CodeLens, ...): any name the stand-in lacks is an empty class
const stubs = {};
const api = new Proxy(vscode, { get: (o, k) => (k in o ? o[k] : (stubs[k] = stubs[k] || class {})) });
require.cache.vscode = { id: "vscode", filename: "vscode", loaded: true, exports: api };

(async () => {
  const extension = require(path.join(ext, "out/extension.js"));
  const context = { subscriptions: [] };
  await extension.activate(context);
  check("activate registers 'Run this action file'", typeof calls.commands["loaddensity.runFile"] === "function");
  check("activate registers 'Lint workspace'", typeof calls.commands["loaddensity.lintWorkspace"] === "function");
  check("disposables handed to the context", context.subscriptions.length >= 4);
  const missing = calls.error.find((m) => m.includes("language server"));
  check("a missing loaddensity-lsp is reported clearly",
        missing && missing.includes("'/nonexistent/loaddensity-lsp' was not found") &&
        missing.includes("loaddensity.lsp.path"), calls.error);

  const counts = await calls.commands["loaddensity.lintWorkspace"]();
  check("lint workspace counts files and errors",
        counts && counts.files === 2 && counts.errors === 1, counts);
  const bad = calls.diags.get(path.join(ws, "sub/bad.ld.json")) || [];
  check("lint findings become diagnostics on the bad file", bad.length === 1, [...calls.diags.keys()]);
  const d = bad[0] || {};
  check("diagnostic: error, rule code, source",
        d.severity === 0 && d.code === "unknown-command" && d.source === "loaddensity lint", d);
  check("diagnostic: 0-based range on line 2", d.range && d.range.start.line === 1 &&
        d.range.start.character === 3 && d.range.end.character === 12, d.range);
  check("diagnostic message names the command", String(d.message).includes("LD_typo"), d.message);
  check("no diagnostics for the good file", !calls.diags.has(path.join(ws, "load/good.ld.json")));
  check("lint workspace reports the counts",
        calls.info.some((m) => m.includes("1 error(s)") && m.includes("2 action file(s)")), calls.info);

  const file = path.join(ws, "load/good.ld.json");
  await calls.commands["loaddensity.runFile"](Uri.file(file));
  const t = calls.tasks[0] || {};
  check("run this action file starts `loaddensity run FILE`",
        t.execution && t.execution.process === ld &&
        JSON.stringify(t.execution.args) === JSON.stringify(["run", file]) &&
        t.execution.options.cwd === ws, t.execution);
  check("the run task uses the $loaddensity problem matcher", t.matchers === "$loaddensity", t.matchers);

  settings.path = "nope-not-a-loaddensity";
  calls.error.length = 0;
  await calls.commands["loaddensity.runFile"](Uri.file(file));
  check("a missing loaddensity CLI is reported clearly",
        calls.tasks.length === 1 && calls.error.some((m) =>
          m.includes("'nope-not-a-loaddensity' was not found") && m.includes("loaddensity.path")), calls.error);
  await calls.commands["loaddensity.runFile"](undefined);
  check("run without a file asks for one", calls.warning.some((m) => m.includes("open an action file")), calls.warning);
  await extension.deactivate();
  console.log(`# activate.js: ${pass} ok, ${fail} failed`);
  process.exit(fail ? 1 : 0);
})().catch((e) => { console.log("FAIL - activate.js crashed: " + (e && e.stack)); process.exit(1); });
EOF
timeout 60 node "$T/activate.js" "$EXT" "$LD" "$T/ws" >"$T/act" 2>&1
cat "$T/act"
pass=$((pass + $(grep -c '^ok - ' "$T/act")))
fail=$((fail + $(grep -c '^FAIL - ' "$T/act")))
grep -q '^# activate.js' "$T/act" || ko "activate.js did not finish"

finish
