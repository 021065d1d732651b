// loaddensity-lsp driven by the npm client libraries editors use
// (vscode-languageserver-protocol over vscode-jsonrpc): diagnostics with
// UTF-16 positions after non-ASCII text, an incremental edit, completion,
// hover, code actions, symbols, go-to-definition, errors, clean shutdown.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import {
  CodeActionRequest, CompletionRequest, CompletionResolveRequest,
  createProtocolConnection, DefinitionRequest, DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification, DidOpenTextDocumentNotification,
  DocumentSymbolRequest, ExitNotification, HoverRequest, InitializedNotification,
  InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest,
  StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const SERVER = process.env.LOADDENSITY_LSP;
if (!SERVER || !fs.existsSync(SERVER)) {
  throw new Error('LOADDENSITY_LSP must point at the built loaddensity-lsp');
}

/** Start the server; diagnostics are collected per URI. */
export function startServer() {
  const proc = spawn(SERVER, ['--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout),
    new StreamMessageWriter(proc.stdin));
  const waiters = [];
  const last = new Map();
  conn.onNotification(PublishDiagnosticsNotification.type, (p) => {
    last.set(p.uri, p);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].match(p)) {
        waiters[i].resolve(p);
        waiters.splice(i, 1);
      }
    }
  });
  conn.listen();
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    conn,
    exited,
    last,
    /** Next diagnostics for uri (with version >= v when given). */
    diagnostics(uri, v, ms = 5000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no diagnostics for ${uri}`)), ms);
        waiters.push({
          match: (p) => p.uri === uri && (v === undefined || p.version >= v),
          resolve: (p) => { clearTimeout(t); resolve(p); },
        });
      });
    },
  };
}

const caps = {
  textDocument: {
    completion: { completionItem: { snippetSupport: true } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    publishDiagnostics: { versionSupport: true },
  },
};

// Line 1 has non-ASCII text (2-byte, 3-byte and a surrogate pair in UTF-16)
// before the mistakes, so byte, code point and UTF-16 columns all differ.
const DOC = [
  '{"load_density": [',
  '  ["print", ["héllo 😀 wörld ${var.nope}"]], ["LD_sumary"],',
  '  ["LD_register_variables", {"variables": {"base": "http://127.0.0.1:1"}}],',
  '  ["LD_register_variable", {"name": "x"}],',
  '  ["LD_start_test", {"user_detail_dict": {"user": "fast_http_user"},',
  '    "tasks": [{"method": "get", "request_url": "${var.base}/a"}]}]',
  ']}',
  '',
].join('\n');
const URI = 'file:///tmp/ldlsp/doc.json';

/** UTF-16 position of the first occurrence of needle (JS strings are UTF-16). */
function posOf(text, needle, nth = 0) {
  const lines = text.split('\n');
  let seen = 0;
  for (let line = 0; line < lines.length; line++) {
    let from = 0;
    for (;;) {
      const i = lines[line].indexOf(needle, from);
      if (i < 0) break;
      if (seen++ === nth) return { line, character: i };
      from = i + 1;
    }
  }
  throw new Error(`${needle} not found`);
}

function after_(pos, s) {
  return { line: pos.line, character: pos.character + s.length };
}

function applyEdits(text, edits) {
  const lines = text.split('\n');
  const off = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  for (const e of sorted) {
    text = text.slice(0, off(e.range.start)) + e.newText + text.slice(off(e.range.end));
  }
  return text;
}

describe('loaddensity-lsp', () => {
  let s;
  let init;
  let text = DOC;

  before(async () => {
    s = startServer();
    init = await s.conn.sendRequest(InitializeRequest.type,
      { processId: process.pid, rootUri: null, capabilities: caps });
    s.conn.sendNotification(InitializedNotification.type, {});
  });

  after(async () => {
    if (s.proc.exitCode === null) s.proc.kill();
  });

  test('initialize announces the features', () => {
    const c = init.capabilities;
    assert.equal(c.textDocumentSync.change, 2);   // incremental
    assert.equal(c.textDocumentSync.openClose, true);
    assert.equal(c.positionEncoding, 'utf-16');
    assert.ok(c.completionProvider.triggerCharacters.includes('$'));
    assert.equal(c.hoverProvider, true);
    assert.equal(c.definitionProvider, true);
    assert.equal(c.documentSymbolProvider, true);
    assert.deepEqual(c.codeActionProvider.codeActionKinds, ['quickfix']);
    assert.equal(init.serverInfo.name, 'loaddensity-lsp');
  });

  test('the server runs with glibc malloc in huge pages (re-exec of itself)', () => {
    // Same process, same pipes: it answered initialize above; its
    // environment now carries the tunable (see lsp-server/main.c).
    const env = fs.readFileSync(`/proc/${s.proc.pid}/environ`, 'latin1').split('\0');
    assert.ok(env.some((e) => e.startsWith('GLIBC_TUNABLES=') && e.includes('glibc.malloc.hugetlb=1')), env.join(' '));
  });

  test('didOpen publishes diagnostics with UTF-16 ranges', async () => {
    const got = s.diagnostics(URI);
    s.conn.sendNotification(DidOpenTextDocumentNotification.type,
      { textDocument: { uri: URI, languageId: 'json', version: 1, text } });
    const p = await got;
    assert.equal(p.version, 1);
    const byCode = Object.fromEntries(p.diagnostics.map((d) => [d.code, d]));
    const unknown = byCode['unknown-command'];
    assert.ok(unknown, JSON.stringify(p.diagnostics));
    assert.equal(unknown.severity, 1);
    assert.equal(unknown.source, 'loaddensity');
    assert.match(unknown.message, /did you mean "LD_summary"/);
    const at = posOf(text, '"LD_sumary"');
    assert.deepEqual(unknown.range, { start: at, end: after_(at, '"LD_sumary"') });
    const undef = byCode['undefined-variable'];
    const ph = posOf(text, '${var.nope}');
    assert.deepEqual(undef.range, { start: ph, end: after_(ph, '${var.nope}') });
    assert.equal(undef.severity, 2);
    const missing = byCode['missing-argument'];
    assert.deepEqual(missing.range.start, posOf(text, '"LD_register_variable"'));
  });

  test('code actions: did-you-mean and add a missing argument', async () => {
    const at = posOf(text, '"LD_sumary"');
    const acts = await s.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: URI },
      range: { start: at, end: at },
      context: { diagnostics: [] },
    });
    assert.equal(acts.length, 1);
    assert.equal(acts[0].kind, 'quickfix');
    assert.equal(acts[0].title, 'Change to "LD_summary"');
    const fixed = applyEdits(text, acts[0].edit.changes[URI]);
    assert.ok(fixed.includes('["LD_summary"]'));
    const reg = posOf(text, '"LD_register_variable"');
    const add = await s.conn.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: URI }, range: { start: reg, end: reg }, context: { diagnostics: [] },
    });
    assert.equal(add.length, 1);
    assert.equal(add[0].title, 'Add "value"');
    assert.ok(applyEdits(text, add[0].edit.changes[URI])
      .includes('{"name": "x", "value": ""}'));
  });

  test('an incremental edit after non-ASCII text fixes the error', async () => {
    const at = posOf(text, 'LD_sumary');
    const range = { start: after_(at, 'LD_sum'), end: after_(at, 'LD_sum') };
    const got = s.diagnostics(URI, 2);
    s.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 2 },
      contentChanges: [{ range, text: 'm' }],
    });
    text = applyEdits(text, [{ range, newText: 'm' }]);
    const p = await got;
    assert.equal(p.version, 2);
    assert.ok(!p.diagnostics.some((d) => d.code === 'unknown-command'),
      JSON.stringify(p.diagnostics));
    assert.ok(p.diagnostics.some((d) => d.code === 'undefined-variable'));
  });

  test('syntax errors are reported while typing, and recover', async () => {
    const end = posOf(text, ']}');
    const broken = s.diagnostics(URI, 3);
    const r1 = { start: end, end };
    s.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 3 }, contentChanges: [{ range: r1, text: ',' }],
    });
    const p = await broken;
    assert.equal(p.diagnostics.length, 1);
    assert.equal(p.diagnostics[0].code, 'syntax-error');
    assert.equal(p.diagnostics[0].range.start.line, end.line);
    const fixed = s.diagnostics(URI, 4);
    s.conn.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: URI, version: 4 },
      contentChanges: [{ range: { start: end, end: after_(end, ',') }, text: '' }],
    });
    const q = await fixed;
    assert.ok(!q.diagnostics.some((d) => d.code === 'syntax-error'));
  });

  test('completion of command names, with a snippet of required arguments', async () => {
    const uri = 'file:///tmp/ldlsp/c1.json';
    const t = '[["LD_st"]]';
    await openDoc(s, uri, t);
    const res = await s.conn.sendRequest(CompletionRequest.type,
      { textDocument: { uri }, position: { line: 0, character: 7 } });
    const item = res.items.find((i) => i.label === 'LD_start_test');
    assert.ok(item);
    assert.equal(item.kind, 3);
    assert.equal(item.insertTextFormat, 2);
    // the range starts after the opening quote, so what was typed matches
    assert.match(item.textEdit.newText, /^LD_start_test", \{"user_detail_dict": \{"user": "\$\{1:fast_http_user\}"\}\}$/);
    assert.deepEqual(item.textEdit.range, { start: { line: 0, character: 3 }, end: { line: 0, character: 9 } });
    assert.ok(res.items.length > 50);
    const resolved = await s.conn.sendRequest(CompletionResolveRequest.type, item);
    assert.match(resolved.documentation.value, /user_detail_dict/);
    assert.equal(resolved.detail, 'Run a load test and return its summary.');
  });

  test('completion of argument keys, enum values and task fields', async () => {
    const uri = 'file:///tmp/ldlsp/c2.json';
    const t = '[["LD_start_test", {"user_detail_dict": {}, "runner_mode": "", ""}],\n' +
      ' ["LD_start_test", {"tasks": [{"method": "get", ""}]}]]';
    await openDoc(s, uri, t);
    const keyPos = { line: 0, character: t.indexOf('""}') + 1 };
    const keys = await s.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: keyPos });
    const labels = keys.items.map((i) => i.label);
    assert.ok(labels.includes('user_count'));
    assert.ok(labels.includes('tasks'));
    assert.ok(!labels.includes('user_detail_dict'), 'present keys are not offered');
    assert.ok(!labels.includes('runner_mode'));
    const uc = keys.items.find((i) => i.label === 'user_count');
    assert.equal(uc.textEdit.newText, 'user_count": ${1:50}');
    const enumPos = { line: 0, character: t.indexOf('"runner_mode": "') + 16 };
    const vals = await s.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: enumPos });
    assert.deepEqual(vals.items.map((i) => i.label), ['local', 'master', 'worker']);
    assert.equal(vals.items[0].textEdit.newText, 'local"');
    const line1 = t.split('\n')[1];
    const fieldPos = { line: 1, character: line1.indexOf('""}') + 1 };
    const fields = await s.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: fieldPos });
    const fl = fields.items.map((i) => i.label);
    assert.ok(fl.includes('request_url'));
    assert.ok(fl.includes('assertions'));
    assert.ok(!fl.includes('method'));
  });

  test('completion in user_detail_dict: the keys and templates of the schema', async () => {
    // both come from the registry's user table; so does `loaddensity schema`
    const uri = 'file:///tmp/ldlsp/c5.json';
    const t = '[["LD_start_test", {"user_detail_dict": {"user": "", ""}}]]';
    await openDoc(s, uri, t);
    const schema = JSON.parse(execFileSync(process.env.LOADDENSITY, ['schema'], { encoding: 'utf8' }));
    const udd = schema.$defs['shape.user_detail_dict'];
    const userPos = { line: 0, character: t.indexOf('"user": "') + 9 };
    const users = await s.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: userPos });
    assert.deepEqual(users.items.map((i) => i.label), udd.properties.user.enum.filter((u) => u !== null));
    assert.ok(users.items.length >= 12);
    assert.doesNotMatch(users.items.find((i) => i.label === 'fast_http_user').detail, /not available/);
    assert.match(users.items.find((i) => i.label === 'grpc_user').detail, /not available/);
    const keyPos = { line: 0, character: t.indexOf('""}') + 1 };
    const keys = await s.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: keyPos });
    assert.deepEqual(keys.items.map((i) => i.label).sort(),
      Object.keys(udd.properties).filter((k) => k !== 'user').sort());
  });

  test('completion of placeholders after ${', async () => {
    const uri = 'file:///tmp/ldlsp/c3.json';
    const t = '[["LD_register_variables", {"variables": {"base": "x", "token": 1}}],\n' +
      ' ["LD_register_csv_source", {"name": "users", "file_path": "u.csv"}],\n' +
      ' ["print", ["${"]]]';
    await openDoc(s, uri, t);
    const pos = { line: 2, character: ' ["print", ["${'.length };
    const res = await s.conn.sendRequest(CompletionRequest.type, { textDocument: { uri }, position: pos });
    const labels = res.items.map((i) => i.label);
    for (const want of ['var.base', 'var.token', 'csv.users.', 'env.', 'uuid()', 'now()', 'randint(a,b)']) {
      assert.ok(labels.includes(want), `${want} missing from ${labels}`);
    }
    const base = res.items.find((i) => i.label === 'var.base');
    assert.equal(base.textEdit.newText, 'var.base}');
    assert.deepEqual(base.textEdit.range, { start: pos, end: pos });
  });

  test('hover shows the documentation of commands and arguments', async () => {
    const at = posOf(text, 'LD_start_test');
    const h = await s.conn.sendRequest(HoverRequest.type,
      { textDocument: { uri: URI }, position: after_(at, 'LD_') });
    assert.equal(h.contents.kind, 'markdown');
    assert.match(h.contents.value, /\*\*LD_start_test\*\* - Run a load test/);
    assert.match(h.contents.value, /`user_count` \(integer, default 50\)/);
    const k = posOf(text, 'user_detail_dict');
    const h2 = await s.conn.sendRequest(HoverRequest.type,
      { textDocument: { uri: URI }, position: after_(k, 'user') });
    assert.match(h2.contents.value, /user_detail_dict/);
    assert.match(h2.contents.value, /required/);
    const none = await s.conn.sendRequest(HoverRequest.type,
      { textDocument: { uri: URI }, position: { line: 0, character: 0 } });
    assert.equal(none, null);
  });

  test('document symbols: one per action', async () => {
    const syms = await s.conn.sendRequest(DocumentSymbolRequest.type, { textDocument: { uri: URI } });
    assert.deepEqual(syms.map((x) => x.name), ['print', 'LD_summary', 'LD_register_variables',
      'LD_register_variable', 'LD_start_test']);
    assert.equal(syms[4].kind, 12);
    assert.deepEqual(syms[4].selectionRange.start, posOf(text, '"LD_start_test"'));
  });

  test('go to definition of ${var.base}', async () => {
    const at = posOf(text, '${var.base}');
    const loc = await s.conn.sendRequest(DefinitionRequest.type,
      { textDocument: { uri: URI }, position: after_(at, '${var.ba') });
    assert.equal(loc.uri, URI);
    const def = posOf(text, '"base"');
    assert.deepEqual(loc.range, { start: def, end: after_(def, '"base"') });
    const none = await s.conn.sendRequest(DefinitionRequest.type,
      { textDocument: { uri: URI }, position: posOf(text, 'print') });
    assert.equal(none, null);
  });

  test('unknown methods get MethodNotFound; unknown documents InvalidParams', async () => {
    await assert.rejects(s.conn.sendRequest('loaddensity/nope', {}), (e) => e.code === -32601);
    await assert.rejects(s.conn.sendRequest(HoverRequest.type,
      { textDocument: { uri: 'file:///nope.json' }, position: { line: 0, character: 0 } }),
    (e) => e.code === -32602);
  });

  test('didClose clears the diagnostics', async () => {
    const uri = 'file:///tmp/ldlsp/c1.json';
    const got = s.diagnostics(uri);
    s.conn.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    assert.deepEqual((await got).diagnostics, []);
  });

  test('shutdown then exit ends the process with status 0', async () => {
    assert.equal(await s.conn.sendRequest(ShutdownRequest.type), null);
    await assert.rejects(s.conn.sendRequest(HoverRequest.type,
      { textDocument: { uri: URI }, position: { line: 0, character: 0 } }),
    (e) => e.code === -32600);
    s.conn.sendNotification(ExitNotification.type);
    assert.equal(await s.exited, 0);
    s.conn.dispose();
  });
});

describe('loaddensity-lsp with a client that takes itemDefaults', () => {
  test('the edit range is sent once, in itemDefaults', async () => {
    const s = startServer();
    await s.conn.sendRequest(InitializeRequest.type, {
      processId: process.pid, rootUri: null,
      capabilities: { textDocument: { completion: { completionList: { itemDefaults: ['editRange'] } } } },
    });
    const uri = 'file:///tmp/ldlsp/d1.json';
    await openDoc(s, uri, '[["LD_su"]]');
    const res = await s.conn.sendRequest(CompletionRequest.type,
      { textDocument: { uri }, position: { line: 0, character: 7 } });
    assert.deepEqual(res.itemDefaults.editRange,
      { start: { line: 0, character: 3 }, end: { line: 0, character: 9 } });
    const item = res.items.find((i) => i.label === 'LD_summary');
    assert.equal(item.textEditText, 'LD_summary"');   // no snippet support: no arguments snippet
    assert.equal(item.textEdit, undefined);
    await s.conn.sendRequest(ShutdownRequest.type);
    s.conn.sendNotification(ExitNotification.type);
    assert.equal(await s.exited, 0);
    s.conn.dispose();
  });
});

async function openDoc(s, uri, text) {
  const got = s.diagnostics(uri);
  s.conn.sendNotification(DidOpenTextDocumentNotification.type,
    { textDocument: { uri, languageId: 'json', version: 1, text } });
  return got;
}
