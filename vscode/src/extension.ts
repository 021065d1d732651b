/*
 * LoadDensity for VS Code: starts loaddensity-lsp for action files
 * (diagnostics, completion, hover, quick fixes, symbols come from the
 * server), and adds two commands that call the loaddensity CLI:
 * "Run this action file" (a task, so errors land in Problems through the
 * $loaddensity problem matcher) and "Lint workspace" (every action file,
 * findings in Problems). The JSON Schema is contributed statically in
 * package.json (jsonValidation).
 */
import * as cp from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

/** Action files: the names the extension (and the server) handle. */
export const ACTION_GLOB = "**/*.{ld.json,loaddensity.json,ld.yaml,ld.yml}";
const EXCLUDE_GLOB = "**/{node_modules,.git}/**";
const LINT_CHUNK = 200; // files per `loaddensity lint` (command-line length)

let client: LanguageClient | undefined;
let lintDiagnostics: vscode.DiagnosticCollection | undefined;

function setting<T>(key: string, fallback: T): T {
  return vscode.workspace.getConfiguration("loaddensity").get<T>(key, fallback);
}

function workspaceRoot(): string | undefined {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length ? folders[0].uri.fsPath : undefined;
}

/** ${workspaceFolder} and a leading ~ in a configured path. */
function expand(p: string): string {
  const root = workspaceRoot() ?? "";
  let out = p.split("${workspaceFolder}").join(root);
  if (out === "~" || out.startsWith("~/")) {
    out = path.join(os.homedir(), out.slice(1));
  }
  return out;
}

function isExecutable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * A command name (looked up on PATH) or a path (relative to the workspace)
 * to an executable file; undefined when there is none.
 */
export function resolveExecutable(cmd: string, cwd?: string): string | undefined {
  if (!cmd) {
    return undefined;
  }
  if (cmd.includes("/") || cmd.includes("\\")) {
    const p = path.isAbsolute(cmd) ? cmd : path.resolve(cwd ?? process.cwd(), cmd);
    return isExecutable(p) ? p : undefined;
  }
  const exts =
    process.platform === "win32" ? (process.env.PATHEXT ?? ".EXE").split(";") : [""];
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    for (const ext of exts) {
      const p = path.join(dir, cmd + ext);
      if (dir && isExecutable(p)) {
        return p;
      }
    }
  }
  return undefined;
}

function openSettingOn(choice: string | undefined, key: string): void {
  if (choice === "Open Settings") {
    void vscode.commands.executeCommand("workbench.action.openSettings", key);
  }
}

/** The loaddensity CLI, or undefined after telling the user. */
function loaddensityCli(): string | undefined {
  const configured = setting("path", "loaddensity");
  const found = resolveExecutable(expand(configured), workspaceRoot());
  if (!found) {
    void vscode.window
      .showErrorMessage(
        `LoadDensity: the command '${configured}' was not found. Install ` +
          `LoadDensity or set "loaddensity.path".`,
        "Open Settings"
      )
      .then((c) => openSettingOn(c, "loaddensity.path"));
  }
  return found;
}

async function startClient(): Promise<void> {
  const configured = setting("lsp.path", "loaddensity-lsp");
  const server = resolveExecutable(expand(configured), workspaceRoot());
  if (!server) {
    // Activation goes on: the commands work without the server.
    void vscode.window
      .showErrorMessage(
        `LoadDensity: the language server '${configured}' was not found, so ` +
          `action files get no diagnostics or completion. Install LoadDensity ` +
          `(it ships loaddensity-lsp) or set "loaddensity.lsp.path".`,
        "Open Settings"
      )
      .then((c) => openSettingOn(c, "loaddensity.lsp.path"));
    return;
  }
  const serverOptions: ServerOptions = {
    command: server,
    args: setting<string[]>("lsp.args", []),
    transport: TransportKind.stdio,
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file", pattern: ACTION_GLOB }],
    synchronize: {
      fileEvents: vscode.workspace.createFileSystemWatcher(ACTION_GLOB),
    },
  };
  client = new LanguageClient("loaddensity", "LoadDensity", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    void vscode.window.showErrorMessage(
      `LoadDensity: the language server '${server}' failed to start: ${String(err)}`
    );
  }
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    await c.stop();
  }
}

/** "Run this action file": `loaddensity run FILE` as a task. */
async function runFile(uri?: vscode.Uri): Promise<void> {
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!target || target.scheme !== "file") {
    void vscode.window.showWarningMessage(
      "LoadDensity: open an action file (*.ld.json, *.loaddensity.json, *.ld.yaml) to run it."
    );
    return;
  }
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
  if (doc && doc.isDirty) {
    await doc.save();
  }
  const ld = loaddensityCli();
  if (!ld) {
    return;
  }
  const folder = vscode.workspace.getWorkspaceFolder(target);
  const cwd = folder ? folder.uri.fsPath : path.dirname(target.fsPath);
  const args = ["run", ...setting<string[]>("run.args", []), target.fsPath];
  const task = new vscode.Task(
    { type: "loaddensity", file: target.fsPath },
    folder ?? vscode.TaskScope.Workspace,
    `run ${path.basename(target.fsPath)}`,
    "loaddensity",
    new vscode.ProcessExecution(ld, args, { cwd }),
    "$loaddensity"
  );
  task.presentationOptions = { reveal: vscode.TaskRevealKind.Always, clear: true };
  await vscode.tasks.executeTask(task);
}

/** One finding of `loaddensity lint --format json`. */
interface Finding {
  rule?: string;
  severity?: string;
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  end_line?: number;
  end_column?: number;
}

function lintChunk(ld: string, files: string[], cwd: string): Promise<Finding[]> {
  return new Promise((resolve, reject) => {
    cp.execFile(
      ld,
      ["lint", "--format", "json", "--quiet", ...files],
      { cwd, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // exit 1 means "errors found": the JSON is still complete
        const code = err ? (err as { code?: number | string }).code : 0;
        if (err && code !== 1) {
          reject(new Error(String(stderr).trim() || err.message));
          return;
        }
        try {
          const parsed: unknown = JSON.parse(stdout);
          resolve(Array.isArray(parsed) ? (parsed as Finding[]) : []);
        } catch (e) {
          reject(new Error(`unexpected lint output: ${String(e)}`));
        }
      }
    );
  });
}

function severityOf(s: string | undefined): vscode.DiagnosticSeverity {
  switch (s) {
    case "error":
      return vscode.DiagnosticSeverity.Error;
    case "warning":
      return vscode.DiagnosticSeverity.Warning;
    case "hint":
      return vscode.DiagnosticSeverity.Hint;
    default:
      return vscode.DiagnosticSeverity.Information;
  }
}

function toDiagnostic(f: Finding): vscode.Diagnostic {
  const line = Math.max((f.line ?? 1) - 1, 0);
  const col = Math.max((f.column ?? 1) - 1, 0);
  const endLine = Math.max((f.end_line ?? f.line ?? 1) - 1, line);
  let endCol = Math.max((f.end_column ?? (f.column ?? 1) + 1) - 1, 0);
  if (endLine === line && endCol <= col) {
    endCol = col + 1;
  }
  const d = new vscode.Diagnostic(
    new vscode.Range(line, col, endLine, endCol),
    f.message ?? "(no message)",
    severityOf(f.severity)
  );
  d.source = "loaddensity lint";
  if (f.rule) {
    d.code = f.rule;
  }
  return d;
}

/** Counts of the last "Lint workspace" (returned for scripting and tests). */
export interface LintCounts {
  files: number;
  errors: number;
  warnings: number;
}

/** "Lint workspace": lint every action file, findings in Problems. */
async function lintWorkspace(): Promise<LintCounts | undefined> {
  const ld = loaddensityCli();
  if (!ld) {
    return undefined;
  }
  const uris = await vscode.workspace.findFiles(ACTION_GLOB, EXCLUDE_GLOB);
  const counts: LintCounts = { files: uris.length, errors: 0, warnings: 0 };
  lintDiagnostics?.clear();
  if (!uris.length) {
    void vscode.window.showInformationMessage(
      "LoadDensity: no action files (*.ld.json, *.loaddensity.json, *.ld.yaml) in the workspace."
    );
    return counts;
  }
  const cwd = workspaceRoot() ?? path.dirname(uris[0].fsPath);
  const byFile = new Map<string, vscode.Diagnostic[]>();
  try {
    for (let i = 0; i < uris.length; i += LINT_CHUNK) {
      const chunk = uris.slice(i, i + LINT_CHUNK).map((u) => u.fsPath);
      for (const f of await lintChunk(ld, chunk, cwd)) {
        const file = path.resolve(cwd, f.file ?? "");
        counts.errors += f.severity === "error" ? 1 : 0;
        counts.warnings += f.severity === "warning" ? 1 : 0;
        const list = byFile.get(file) ?? [];
        list.push(toDiagnostic(f));
        byFile.set(file, list);
      }
    }
  } catch (err) {
    void vscode.window.showErrorMessage(`LoadDensity: lint failed: ${String(err)}`);
    return undefined;
  }
  for (const [file, diags] of byFile) {
    lintDiagnostics?.set(vscode.Uri.file(file), diags);
  }
  const msg =
    `LoadDensity: ${counts.errors} error(s), ${counts.warnings} warning(s) ` +
    `in ${counts.files} action file(s).`;
  const show = counts.errors || counts.warnings ? ["Show Problems"] : [];
  void vscode.window.showInformationMessage(msg, ...show).then((c) => {
    if (c === "Show Problems") {
      void vscode.commands.executeCommand("workbench.actions.view.problems");
    }
  });
  return counts;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  lintDiagnostics = vscode.languages.createDiagnosticCollection("loaddensity-lint");
  context.subscriptions.push(
    lintDiagnostics,
    vscode.commands.registerCommand("loaddensity.runFile", runFile),
    vscode.commands.registerCommand("loaddensity.lintWorkspace", lintWorkspace),
    vscode.commands.registerCommand("loaddensity.restartServer", async () => {
      await stopClient();
      await startClient();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration("loaddensity.lsp")) {
        await stopClient();
        await startClient();
      }
    })
  );
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
