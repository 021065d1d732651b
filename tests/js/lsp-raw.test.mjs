// loaddensity-lsp fed raw bytes: malformed frames and messages never end
// the server, the lifecycle rules of the specification hold, and exit
// codes follow "exit" with or without "shutdown". Replies are read with
// vscode-jsonrpc's StreamMessageReader.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { StreamMessageReader } from 'vscode-jsonrpc/node.js';

const SERVER = process.env.LOADDENSITY_LSP;
if (!SERVER || !fs.existsSync(SERVER)) {
  throw new Error('LOADDENSITY_LSP must point at the built loaddensity-lsp');
}

function start() {
  const proc = spawn(SERVER, [], { stdio: ['pipe', 'pipe', 'inherit'] });
  const reader = new StreamMessageReader(proc.stdout);
  const queue = [];
  const waiting = [];
  reader.listen((m) => {
    const w = waiting.shift();
    if (w) w(m); else queue.push(m);
  });
  const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    exited,
    raw(s) { proc.stdin.write(s); },
    send(obj) {
      const body = Buffer.from(JSON.stringify(obj), 'utf8');
      proc.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
      proc.stdin.write(body);
    },
    next(ms = 5000) {
      if (queue.length) return Promise.resolve(queue.shift());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no message')), ms);
        waiting.push((m) => { clearTimeout(t); resolve(m); });
      });
    },
  };
}

const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { capabilities: {} } };
const frame = (s) => `Content-Length: ${Buffer.byteLength(s)}\r\n\r\n${s}`;

describe('loaddensity-lsp with raw input', () => {
  test('requests before initialize are refused with -32002', async () => {
    const s = start();
    s.send({ jsonrpc: '2.0', id: 7, method: 'textDocument/hover', params: {} });
    const m = await s.next();
    assert.equal(m.id, 7);
    assert.equal(m.error.code, -32002);
    s.send(init);
    assert.ok((await s.next()).result.capabilities);
    s.send({ jsonrpc: '2.0', id: 2, method: 'initialize', params: {} });
    assert.equal((await s.next()).error.code, -32600);
    s.send({ jsonrpc: '2.0', method: 'exit' });
    assert.equal(await s.exited, 1);   // exit without shutdown
  });

  test('malformed messages get errors and the server goes on', async () => {
    const s = start();
    s.send(init);
    await s.next();
    s.raw(frame('{"jsonrpc": "2.0", "id": 3, "method": '));          // not JSON
    let m = await s.next();
    assert.equal(m.error.code, -32700);
    assert.equal(m.id, null);
    s.raw('X-Header: 1\r\n\r\n');                                     // no Content-Length
    m = await s.next();
    assert.equal(m.error.code, -32700);
    s.send({ jsonrpc: '1.0', id: 4, method: 'shutdown' });           // not 2.0
    m = await s.next();
    assert.equal(m.error.code, -32600);
    assert.equal(m.id, 4);
    s.send({ method: 'textDocument/didClose' });                    // no jsonrpc, no id
    m = await s.next();
    assert.equal(m.error.code, -32600);
    assert.equal(m.id, null);
    s.send([1, 2, 3]);                                                // not an object
    m = await s.next();
    assert.equal(m.error.code, -32600);
    // garbage parameters in notifications and requests
    s.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: 5 } });
    s.send({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: 'nope' }, contentChanges: 'x' } });
    s.send({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///a.json', text: '[' } } });
    m = await s.next();   // the syntax error of a.json
    assert.equal(m.method, 'textDocument/publishDiagnostics');
    assert.equal(m.params.diagnostics[0].code, 'syntax-error');
    s.send({ jsonrpc: '2.0', method: 'textDocument/didChange', params: { textDocument: { uri: 'file:///a.json' }, contentChanges: [{ range: { start: { line: -5, character: 99 }, end: { line: 99, character: -1 } }, text: '[]' }, { text: 5 }] } });
    s.send({ jsonrpc: '2.0', id: 5, method: 'textDocument/completion', params: { textDocument: { uri: 'file:///a.json' }, position: { line: 1e9, character: 1e9 } } });
    m = await s.next();
    assert.equal(m.id, 5);
    assert.ok(Array.isArray(m.result.items));
    s.send({ jsonrpc: '2.0', id: 6, method: 'textDocument/hover', params: 'nonsense' });
    m = await s.next();
    assert.equal(m.error.code, -32600);
    s.send({ jsonrpc: '2.0', id: 10, method: 'textDocument/hover', params: { textDocument: [] } });
    m = await s.next();
    assert.equal(m.error.code, -32602);
    s.send({ jsonrpc: '2.0', method: '$/cancelRequest', params: { id: 5 } });
    s.send({ jsonrpc: '2.0', method: 'some/notification' });        // ignored
    s.send({ jsonrpc: '2.0', id: 8, result: null });                 // a stray response
    s.send({ jsonrpc: '2.0', id: 9, method: 'shutdown' });
    m = await s.next();
    // the debounced diagnostics of a.json may come first
    while (m.method) m = await s.next();
    assert.equal(m.id, 9);
    assert.equal(m.result, null);
    s.send({ jsonrpc: '2.0', method: 'exit' });
    assert.equal(await s.exited, 0);
  });

  test('a message split across writes and a large document are fine', async () => {
    const s = start();
    const text = '[' + Array.from({ length: 3000 }, (_, i) => `["print", ["é ${i}"]]`).join(',\n') + ',["LD_x"]]';
    const open = JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/didOpen', params: { textDocument: { uri: 'file:///big.json', languageId: 'json', version: 1, text } } });
    const all = frame(JSON.stringify(init)) + frame(open);
    const buf = Buffer.from(all, 'utf8');
    for (let i = 0; i < buf.length; i += 7777) s.raw(buf.subarray(i, i + 7777));
    assert.ok((await s.next()).result);
    const m = await s.next();
    assert.equal(m.params.diagnostics.length, 1);
    assert.equal(m.params.diagnostics[0].range.start.line, 2999);
    s.proc.stdin.end();   // end of input without exit
    assert.equal(await s.exited, 1);
  });
});
