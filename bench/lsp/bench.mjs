// Language-server latency on a generated 10,000-action document, measured by
// one client (vscode-languageserver-protocol over stdio) for both servers:
//   diagnostics  didOpen sent -> first publishDiagnostics with findings
//   completion   completion request -> response, at positions spread over
//                the document (command names, argument keys, task fields,
//                enum values), on a warm server
// for loaddensity-lsp and for vscode-json-language-server (from npm
// vscode-langservers-extracted) given the schema of `loaddensity schema`;
// and the wall time of `loaddensity lint` on the same file.
//
// usage: npm install && node bench.mjs [--ld-bin DIR] [--actions N]
//        [--runs N] [--completions N] [--json] [--vs DIR2]
// DIR holds loaddensity and loaddensity-lsp (default ../../build/bin; use a
// Release build). --vs DIR2 compares with the loaddensity-lsp of DIR2 (an
// older build, say) instead of vscode-json-language-server. The servers'
// runs are interleaved, so that a machine whose speed drifts treats them
// alike.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CompletionRequest, createProtocolConnection, DidChangeConfigurationNotification,
  DidOpenTextDocumentNotification, ExitNotification, InitializedNotification,
  InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest,
  StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { generate } from './gen.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const BIN = path.resolve(opt('--ld-bin', path.join(here, '..', '..', 'build', 'bin')));
const ACTIONS = Number(opt('--actions', 10000));
const RUNS = Number(opt('--runs', 5));
const COMPLETIONS = Number(opt('--completions', 400));
const JSON_OUT = process.argv.includes('--json');
const VS = opt('--vs', null);
const JSONLS = path.join(here, 'node_modules', 'vscode-langservers-extracted', 'bin',
  'vscode-json-language-server');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ldlspbench-'));
const docPath = path.join(dir, 'actions.json');
const schemaPath = path.join(dir, 'loaddensity-action-schema.json');
const text = generate(ACTIONS, 500);
fs.writeFileSync(docPath, text);
const gen = spawnSync(path.join(BIN, 'loaddensity'), ['schema', '-o', schemaPath]);
if (gen.status !== 0) throw new Error(`loaddensity schema failed: ${gen.stderr}`);
const uri = pathToFileURL(docPath).href;

const servers = [
  { name: 'loaddensity-lsp (C)', cmd: path.join(BIN, 'loaddensity-lsp'), args: ['--stdio'] },
  VS ? {
    name: `loaddensity-lsp of ${VS}`, cmd: path.join(path.resolve(VS), 'loaddensity-lsp'),
    args: ['--stdio'],
  } : {
    name: 'vscode-json-language-server + schema',
    cmd: process.execPath,
    args: [JSONLS, '--stdio'],
    init: { provideFormatter: false, handledSchemaProtocols: ['file'] },
    settings: {
      json: {
        validate: { enable: true },
        schemas: [{ fileMatch: ['*.json'], url: pathToFileURL(schemaPath).href }],
      },
    },
  },
];

/** Completion positions: the same spots for both servers, cycling through
 *  command names, argument keys, task fields and enum values. */
function positions(n) {
  const lines = text.split('\n');
  const spots = [];
  const wants = ['"LD_summary"', '"user_count"', '"request_url"', '"fast_http_user"',
    '"report_name"', '"method"'];
  const step = Math.max(1, Math.floor(lines.length / n));
  for (let i = 1; spots.length < n && i < lines.length; i += step) {
    const w = wants[spots.length % wants.length];
    for (let j = i; j < lines.length && j < i + 40; j++) {
      const at = lines[j].indexOf(w);
      if (at >= 0) {
        spots.push({ line: j, character: at + 3 });
        break;
      }
    }
  }
  return spots;
}

const caps = {
  textDocument: {
    // what VS Code announces
    completion: {
      completionItem: { snippetSupport: true, documentationFormat: ['markdown'] },
      completionList: { itemDefaults: ['commitCharacters', 'editRange', 'insertTextFormat', 'insertTextMode', 'data'] },
    },
    publishDiagnostics: { versionSupport: true },
    hover: { contentFormat: ['markdown'] },
  },
  workspace: { configuration: false },
};

async function runOnce(srv, spots) {
  const proc = spawn(srv.cmd, srv.args, { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout),
    new StreamMessageWriter(proc.stdin));
  let resolveDiag;
  const firstDiag = new Promise((r) => { resolveDiag = r; });
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (p.uri === uri && p.diagnostics.length) resolveDiag({ t: process.hrtime.bigint(), n: p.diagnostics.length });
  });
  conn.onRequest('workspace/configuration', (p) => p.items.map(() => srv.settings?.json ?? null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('vscode/content', (u) => fs.readFileSync(fileURLToPath(u), 'utf8'));
  conn.listen();
  await conn.sendRequest(InitializeRequest.type, {
    processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: caps,
    initializationOptions: srv.init,
  });
  conn.sendNotification(InitializedNotification.type, {});
  if (srv.settings) conn.sendNotification(DidChangeConfigurationNotification.type, { settings: srv.settings });
  const t0 = process.hrtime.bigint();
  conn.sendNotification(DidOpenTextDocumentNotification.type,
    { textDocument: { uri, languageId: 'json', version: 1, text } });
  const d = await firstDiag;
  const diagMs = Number(d.t - t0) / 1e6;
  const lat = [];
  let items = 0;
  for (let i = 0; i < spots.length; i++) {
    const s = process.hrtime.bigint();
    const res = await conn.sendRequest(CompletionRequest.type,
      { textDocument: { uri }, position: spots[i] });
    lat.push(Number(process.hrtime.bigint() - s) / 1e6);
    items += (Array.isArray(res) ? res : res?.items ?? []).length;
  }
  await conn.sendRequest(ShutdownRequest.type);
  conn.sendNotification(ExitNotification.type);
  await new Promise((r) => { proc.on('exit', r); setTimeout(r, 2000); });
  conn.dispose();
  return { diagMs, diagnostics: d.n, lat, items: items / spots.length };
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
const pct = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };

function lintCli(runs) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const s = process.hrtime.bigint();
    spawnSync(path.join(BIN, 'loaddensity'), ['lint', '-q', docPath]);
    times.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  return times;
}

const spots = positions(COMPLETIONS);
const acc = servers.map(() => ({ diag: [], lat: [], n: 0, items: 0 }));
for (let r = 0; r < RUNS; r++) {
  for (let k = 0; k < servers.length; k++) {
    const one = await runOnce(servers[k], spots);
    acc[k].diag.push(one.diagMs);
    acc[k].lat.push(...one.lat.slice(20));   // the first requests warm up caches
    acc[k].n = one.diagnostics;
    acc[k].items = one.items;
  }
}
const results = servers.map((srv, k) => ({
  server: srv.name, diagnostics_ms: median(acc[k].diag), diagnostics_found: acc[k].n,
  diagnostics_range_ms: [Math.min(...acc[k].diag), Math.max(...acc[k].diag)],
  completion_median_ms: median(acc[k].lat), completion_p95_ms: pct(acc[k].lat, 0.95),
  completion_items_avg: Math.round(acc[k].items),
}));
const lint = lintCli(Math.max(10, RUNS * 4));
const summary = {
  document: { actions: ACTIONS, bytes: Buffer.byteLength(text), completion_positions: spots.length, runs: RUNS },
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  servers: results,
  cli_lint_median_ms: median(lint),
};
fs.rmSync(dir, { recursive: true, force: true });

if (JSON_OUT) {
  console.log(JSON.stringify(summary, null, 2));
} else {
  console.log(`document: ${ACTIONS} actions, ${(summary.document.bytes / 1e6).toFixed(2)} MB; ` +
    `${RUNS} runs, ${spots.length} completions per run; ${summary.machine.cpus} x ${summary.machine.model}`);
  console.log('| server | first diagnostics (median) | completion median | completion p95 | items/completion |');
  console.log('|---|---|---|---|---|');
  for (const r of results) {
    console.log(`| ${r.server} | ${r.diagnostics_ms.toFixed(1)} ms (${r.diagnostics_found} found) | ` +
      `${r.completion_median_ms.toFixed(2)} ms | ${r.completion_p95_ms.toFixed(2)} ms | ${r.completion_items_avg} |`);
  }
  console.log(`\nloaddensity lint (CLI, process start to exit, median): ${summary.cli_lint_median_ms.toFixed(1)} ms`);
}
