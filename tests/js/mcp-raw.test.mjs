// loaddensity-mcp over a raw pipe, without the SDK: malformed input gets
// the right JSON-RPC error and the server keeps serving; version
// negotiation for older clients; batches; a clean exit when stdin closes;
// cancellation returns the partial results.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { INIT, rawServer, requireBinaries, startTarget, tmpdir } from './mcp-helpers.mjs';

requireBinaries();

async function pingWorks(s, id) {
  s.send({ jsonrpc: '2.0', id, method: 'ping' });
  assert.deepEqual(await s.response(), { jsonrpc: '2.0', id, result: {} });
}

describe('raw JSON-RPC framing', () => {
  let s;
  let dir;

  before(async () => {
    dir = tmpdir();
    s = rawServer({ cwd: dir });
    s.send(INIT());
    const r = await s.response();
    assert.equal(r.result.protocolVersion, '2025-11-25');
    s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  });

  after(async () => {
    const { code } = await s.close();
    assert.equal(code, 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('truncated JSON is a parse error', async () => {
    s.send('{"jsonrpc":"2.0","id":1,"method":"pi');
    const r = await s.response();
    assert.equal(r.id, null);
    assert.equal(r.error.code, -32700);
    await pingWorks(s, 2);
  });

  test('non-JSON is a parse error', async () => {
    s.send('hello, server');
    assert.equal((await s.response()).error.code, -32700);
    s.send('\u0000\u0001 binary \u00ff');
    assert.equal((await s.response()).error.code, -32700);
    await pingWorks(s, 3);
  });

  test('an object without method is an invalid request', async () => {
    s.send({ jsonrpc: '2.0', id: 4 });
    const r = await s.response();
    assert.equal(r.id, 4);
    assert.equal(r.error.code, -32600);
    s.send('42');
    assert.equal((await s.response()).error.code, -32600);
    s.send({ jsonrpc: '2.0', id: null, method: 'ping' });
    assert.equal((await s.response()).error.code, -32600);
    s.send({ jsonrpc: '2.0', id: 5, method: 7 });
    assert.equal((await s.response()).error.code, -32600);
    await pingWorks(s, 6);
  });

  test('a message without "jsonrpc": "2.0" is an invalid request', async () => {
    s.send({ id: 41, method: 'ping' });
    assert.deepEqual(await s.response(), {
      jsonrpc: '2.0', id: 41,
      error: { code: -32600, message: 'Invalid Request: "jsonrpc" must be "2.0"' },
    });
    s.send({ jsonrpc: '1.0', method: 'notifications/initialized' }); // a notification too
    let r = await s.response();
    assert.equal(r.id, null);
    assert.equal(r.error.code, -32600);
    s.send([{ jsonrpc: '2.0', id: 42, method: 'ping' }, { method: 'ping' }]);
    r = await s.response();
    assert.equal(r.length, 2);
    assert.deepEqual(r.find((x) => x.id === 42), { jsonrpc: '2.0', id: 42, result: {} });
    assert.equal(r.find((x) => x.id === null).error.code, -32600);
    await pingWorks(s, 43);
  });

  test('unknown methods and bad params', async () => {
    s.send({ jsonrpc: '2.0', id: 7, method: 'resources/list' });
    const r = await s.response();
    assert.equal(r.error.code, -32601);
    s.send({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { arguments: {} } });
    assert.equal((await s.response()).error.code, -32602);
    s.send({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'summary', arguments: [1] } });
    assert.equal((await s.response()).error.code, -32602);
    s.send({ jsonrpc: '2.0', id: 10, method: 'tools/list', params: { cursor: 't99' } });
    assert.equal((await s.response()).error.code, -32602);
    s.send({ jsonrpc: '2.0', method: 'notifications/whatever' });
    await pingWorks(s, 11);
  });

  test('a line of several megabytes', async () => {
    const big = 'x'.repeat(6 * 1024 * 1024);
    s.send(`{"jsonrpc":"2.0","id":12,"method":"ping","params":{"pad":"${big}"}}`);
    assert.deepEqual(await s.response(20000), { jsonrpc: '2.0', id: 12, result: {} });
    s.send(`[${big}`);
    assert.equal((await s.response(20000)).error.code, -32700);
    s.send(`"${'y'.repeat(20 * 1024 * 1024)}"`);   // over the 16 MiB limit
    const r = await s.response(20000);
    assert.equal(r.error.code, -32700);
    assert.match(r.error.message, /too large/);
    await pingWorks(s, 13);
  });

  test('batches', async () => {
    s.send([{ jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'b', method: 'tools/call', params: { name: 'clear_records', arguments: {} } },
      { jsonrpc: '2.0', id: 'c', method: 'nope' }]);
    const r = await s.response();
    assert.ok(Array.isArray(r));
    assert.deepEqual(r.map((m) => m.id).sort(), ['a', 'b', 'c']);
    assert.equal(r.find((m) => m.id === 'b').result.structuredContent.status, 'cleared');
    assert.equal(r.find((m) => m.id === 'c').error.code, -32601);
    s.send([]);
    assert.equal((await s.response()).error.code, -32600);
    await pingWorks(s, 14);
  });
});

describe('version negotiation', () => {
  const tools = async (version) => {
    const s = rawServer({ cwd: tmpdir() });
    s.send(INIT(version));
    const init = await s.response();
    s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const list = await s.response();
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'clear_records', arguments: {} } });
    const call = await s.response();
    assert.equal((await s.close()).code, 0);
    return { init: init.result, tools: list.result.tools, call: call.result };
  };

  test('2025-11-25 and 2025-06-18: titles, outputSchema, structuredContent', async () => {
    for (const v of ['2025-11-25', '2025-06-18']) {
      const r = await tools(v);
      assert.equal(r.init.protocolVersion, v);
      assert.equal(r.init.serverInfo.title, 'LoadDensity');
      assert.ok(r.tools.every((t) => t.title && t.outputSchema && t.annotations));
      assert.deepEqual(r.call.structuredContent, JSON.parse(r.call.content[0].text));
    }
  });

  test('2025-03-26: annotations, no outputSchema', async () => {
    const r = await tools('2025-03-26');
    assert.equal(r.init.protocolVersion, '2025-03-26');
    assert.ok(r.init.instructions);
    assert.ok(r.tools.every((t) => t.annotations && !t.outputSchema && !t.title));
    assert.equal(r.call.structuredContent, undefined);
    assert.equal(JSON.parse(r.call.content[0].text).status, 'cleared');
  });

  test('2024-11-05: the original shapes', async () => {
    const r = await tools('2024-11-05');
    assert.equal(r.init.protocolVersion, '2024-11-05');
    assert.equal(r.init.instructions, undefined);
    assert.equal(r.init.serverInfo.title, undefined);
    assert.ok(r.tools.every((t) => !t.annotations && !t.outputSchema && t.inputSchema));
    assert.equal(r.call.structuredContent, undefined);
  });

  test('an unknown version gets the latest', async () => {
    assert.equal((await tools('1999-01-01')).init.protocolVersion, '2025-11-25');
  });
});

describe('lifecycle', () => {
  let target;
  before(async () => { target = await startTarget(); });
  after(async () => { await target.stop(); });

  test('cancellation returns the partial results; a second run works', async () => {
    const dir = tmpdir();
    const s = rawServer({ cwd: dir });
    s.send(INIT());
    await s.response();
    s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    const args = {
      user_detail_dict: { user: 'fast_http_user' }, user_count: 3, spawn_rate: 10, test_time: 60,
      tasks: [{ method: 'get', request_url: `${target.base}/get` }],
    };
    s.send({ jsonrpc: '2.0', id: 'run', method: 'tools/call', params: { name: 'run_test', arguments: args, _meta: { progressToken: 'tok' } } });
    let m;
    do { m = await s.next(); } while (m.method !== 'notifications/progress');
    assert.equal(m.params.progressToken, 'tok');
    s.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'run', reason: 'user stop' } });
    s.send({ jsonrpc: '2.0', id: 'p', method: 'ping' });
    const seen = [];
    while (!seen.some((x) => x.id === 'run')) {
      const x = await s.next(15000);
      if ('id' in x) seen.push(x);
    }
    assert.equal(seen[0].id, 'p', 'ping answered before the run ended');
    const run = seen.find((x) => x.id === 'run').result;
    assert.equal(run.isError, false);
    assert.equal(run.structuredContent.status, 'cancelled');
    assert.ok(run.structuredContent.requests > 0);
    assert.ok(run.structuredContent.summary.totals.requests > 0);
    s.send({ jsonrpc: '2.0', id: 'again', method: 'tools/call', params: { name: 'run_test', arguments: { ...args, test_time: 1 } } });
    const again = await s.response(15000);
    assert.equal(again.result.structuredContent.status, 'completed');
    assert.equal((await s.close()).code, 0);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('progress: about once a second, increasing, then done', async () => {
    const s = rawServer({ cwd: tmpdir() });
    s.send(INIT());
    await s.response();
    s.send({
      jsonrpc: '2.0', id: 1, method: 'tools/call', params: {
        name: 'run_test', _meta: { progressToken: 42 }, arguments: {
          user_detail_dict: {}, user_count: 2, spawn_rate: 10, test_time: 3,
          tasks: [{ method: 'get', request_url: `${target.base}/get` }],
        },
      },
    });
    const progress = [];
    for (;;) {
      const m = await s.next(15000);
      if (m.id === 1) break;
      if (m.method === 'notifications/progress') progress.push(m.params);
    }
    assert.ok(progress.length >= 3 && progress.length <= 5, `${progress.length} notifications`);
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i].progress > progress[i - 1].progress);
    assert.ok(progress.every((p) => p.progressToken === 42 && p.total >= 3));
    assert.match(progress.at(-1).message, /, done$/);
    assert.equal((await s.close()).code, 0);
  });

  test('stdin closing during a run: a clean, prompt exit', async () => {
    const s = rawServer({ cwd: tmpdir() });
    s.send(INIT());
    await s.response();
    s.send({
      jsonrpc: '2.0', id: 1, method: 'tools/call', params: {
        name: 'run_test', arguments: {
          user_detail_dict: {}, user_count: 2, spawn_rate: 10, test_time: 60,
          tasks: [{ method: 'get', request_url: `${target.base}/delay/50` }],
        },
      },
    });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const { code } = await s.close();
    assert.equal(code, 0);
    assert.ok(performance.now() - t0 < 10000);
  });

  test('logs stay off stdout', async () => {
    const s = rawServer({ cwd: tmpdir(), args: ['--verbose'] });
    s.send(INIT());
    await s.response();
    s.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'run_action_json', arguments: { actions: [['print', ['to', 'stdout?']]] } } });
    const r = await s.response();   // rawServer parses every stdout line
    assert.equal(r.result.structuredContent.status, 'completed');
    assert.equal((await s.close()).code, 0);
    assert.match(s.stderr(), /to stdout\?/);
  });
});
