// loaddensity-mcp through the official TypeScript SDK (Client +
// StdioClientTransport): handshake, the exact tool list and schemas, every
// tool against a loopback target, progress, cancellation, errors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import {
  FIXTURES, TOOL_NAMES, connect, errorText, requireBinaries, startTarget,
  structured, tmpdir,
} from './mcp-helpers.mjs';

requireBinaries();

const startTest = (base, extra = {}) => ({
  user_detail_dict: { user: 'fast_http_user' },
  user_count: 4,
  spawn_rate: 4,
  test_time: 2,
  tasks: [{ method: 'get', request_url: `${base}/get`, name: 'get' },
    { method: 'post', request_url: `${base}/post`, json: { a: 1 }, name: 'post' }],
  ...extra,
});

function loopbackHar(base) {
  const entry = (method, url, status, postData) => ({
    request: { method, url, headers: [{ name: 'Accept', value: '*/*' }, { name: 'Host', value: 'x' }], ...(postData ? { postData } : {}) },
    response: { status },
  });
  return {
    log: {
      version: '1.2',
      entries: [
        entry('GET', `${base}/get`, 200),
        entry('POST', `${base}/post`, 200, { mimeType: 'application/json', text: '{"k":"v"}' }),
        entry('GET', `${base}/static/logo.svg`, 404),
        entry('GET', 'https://cdn.example.com/lib.js', 200),
      ],
    },
  };
}

describe('loaddensity-mcp via the SDK', () => {
  let target;
  let dir;
  let conn;
  let client;

  before(async () => {
    target = await startTarget();
    dir = tmpdir();
    conn = await connect({ cwd: dir });
    client = conn.client;
  });

  after(async () => {
    await client?.close();
    await target?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('handshake', () => {
    const info = client.getServerVersion();
    assert.equal(info.name, 'loaddensity');
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    const caps = client.getServerCapabilities();
    assert.ok(caps.tools, 'tools capability');
    assert.ok(caps.logging, 'logging capability');
    assert.match(client.getInstructions(), /run_test/);
  });

  test('exact tool list, titles, annotations and schemas', async () => {
    const { tools, nextCursor } = await client.listTools();
    assert.equal(nextCursor, undefined);
    assert.deepEqual(tools.map((t) => t.name), TOOL_NAMES);
    const ajv = new Ajv({ strict: false });
    const by = Object.fromEntries(tools.map((t) => [t.name, t]));
    for (const t of tools) {
      assert.ok(t.title && t.annotations.title, `${t.name} title`);
      assert.ok(t.description.length > 20, `${t.name} description`);
      assert.equal(t.inputSchema.type, 'object');
      assert.equal(t.outputSchema.type, 'object');
      ajv.compile(t.inputSchema);
      ajv.compile(t.outputSchema);
      const ro = ['summary', 'list_executor_commands', 'list_runs', 'fetch_run'].includes(t.name);
      assert.equal(t.annotations.readOnlyHint, ro, `${t.name} readOnlyHint`);
      assert.equal(t.annotations.destructiveHint, t.name === 'clear_records', `${t.name} destructiveHint`);
      assert.equal(t.annotations.openWorldHint, t.name.startsWith('run_'), `${t.name} openWorldHint`);
    }
    // Arguments come from the registry, with the Python tool's names.
    const rt = by.run_test.inputSchema;
    assert.deepEqual(rt.required, ['user_detail_dict']);
    for (const k of ['user_detail_dict', 'user_count', 'spawn_rate', 'test_time', 'tasks', 'variables', 'csv_sources', 'runner_mode', 'web_ui_dict']) {
      assert.ok(rt.properties[k], `run_test.${k}`);
    }
    assert.equal(rt.properties.user_count.type, 'integer');
    assert.equal(rt.properties.user_count.default, 50);
    assert.ok(rt.properties.tasks.items.properties.request_url);
    const ih = by.import_har.inputSchema;
    assert.deepEqual(ih.required, ['file_path']);
    for (const k of ['user', 'user_count', 'spawn_rate', 'test_time', 'include', 'exclude']) {
      assert.ok(ih.properties[k], `import_har.${k}`);
    }
    assert.equal(ih.properties.include.items.type, 'string');
    assert.deepEqual(by.fetch_run.inputSchema.required, ['database_path', 'run_id']);
    assert.deepEqual(by.persist_records.inputSchema.required, ['database_path']);
    assert.ok(by.run_action_json.inputSchema.properties.actions);
    assert.ok(by.create_project.inputSchema.properties.path);
    assert.ok(by.generate_reports.inputSchema.properties.formats.items.enum.includes('junit'));
  });

  test('list_executor_commands', async () => {
    const { data, text } = structured(await client.callTool({ name: 'list_executor_commands', arguments: {} }));
    assert.deepEqual(data, text);
    assert.ok(data.count > 50);
    assert.ok(data.commands.some((c) => c.name === 'LD_start_test' && c.available));
    assert.ok(data.commands.some((c) => c.name === 'LD_har_to_action_json' && c.available));
    const one = structured(await client.callTool({
      name: 'list_executor_commands', arguments: { names: ['LD_har_to_tasks'], group: 'recording' },
    })).data;
    assert.ok(one.commands.every((c) => c.group === 'Recording'));
    assert.deepEqual(one.details[0].params.map((p) => p.name), ['har', 'include', 'exclude']);
    assert.match(errorText(await client.callTool({
      name: 'list_executor_commands', arguments: { names: ['LD_star_test'] },
    })), /did you mean LD_start_test/);
  });

  test('run_test sends progress and returns the summary', async () => {
    const seen = [];
    const res = await client.callTool(
      { name: 'run_test', arguments: startTest(target.base, { test_time: 3 }) },
      undefined, { onprogress: (p) => seen.push(p) },
    );
    const { data, text } = structured(res);
    assert.deepEqual(data, text);
    assert.equal(data.status, 'completed');
    assert.ok(data.requests > 0);
    assert.equal(data.failures, 0);
    assert.deepEqual(Object.keys(data.summary.per_name).sort(), ['get', 'post']);
    // Ticks at 1 s and 2 s at least; the SDK may drop the ones that arrive
    // in the same read as the response (it handles notifications a
    // microtask later); mcp-raw.test.mjs sees every one.
    assert.ok(seen.length >= 2, `progress notifications: ${seen.length}`);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i].progress > seen[i - 1].progress);
    assert.equal(seen[0].total, 3);
    assert.match(seen[0].message, /req\/s, p95 [\d.]+ ms, \d+ failures/);
  });

  test('summary, reports, persistence and paging', async () => {
    const sum = structured(await client.callTool({ name: 'summary', arguments: {} })).data;
    assert.ok(sum.totals.requests > 0);
    assert.ok(sum.latency_overall.p95_ms > 0);

    const rep = structured(await client.callTool({
      name: 'generate_reports', arguments: { base_name: 'run1', formats: ['html', 'json', 'csv', 'junit', 'summary'] },
    })).data;
    assert.deepEqual(Object.keys(rep.reports).sort(), ['csv', 'html', 'json', 'junit', 'summary']);
    for (const f of rep.files) assert.ok(fs.existsSync(f), f);
    assert.ok(fs.existsSync(path.join(dir, 'run1.html')));
    assert.ok(fs.existsSync(path.join(dir, 'run1-junit.xml')));
    assert.match(errorText(await client.callTool({
      name: 'generate_reports', arguments: { formats: ['htm'] },
    })), /did you mean "html"/);

    const saved = structured(await client.callTool({
      name: 'persist_records', arguments: { database_path: 'runs.db', label: 'mcp-test', metadata: { by: 'node' } },
    })).data;
    assert.ok(saved.run_id >= 1);
    assert.equal(saved.records, sum.totals.requests);

    const runs = structured(await client.callTool({ name: 'list_runs', arguments: { database_path: 'runs.db' } })).data;
    assert.equal(runs.runs[0].id, saved.run_id);
    assert.equal(runs.runs[0].label, 'mcp-test');

    const page = structured(await client.callTool({
      name: 'fetch_run', arguments: { database_path: 'runs.db', run_id: saved.run_id, limit: 5 },
    })).data;
    assert.equal(page.returned, 5);
    assert.equal(page.records.length, 5);
    assert.equal(page.total, saved.records);
    assert.equal(page.next_offset, 5);
    assert.equal(page.summary.totals.requests, saved.records);
    const last = structured(await client.callTool({
      name: 'fetch_run', arguments: { database_path: 'runs.db', run_id: saved.run_id, offset: saved.records - 2, include_summary: false },
    })).data;
    assert.equal(last.returned, 2);
    assert.equal(last.next_offset, null);
    assert.equal(last.summary, undefined);
    assert.match(errorText(await client.callTool({
      name: 'fetch_run', arguments: { database_path: 'runs.db', run_id: 999 },
    })), /not found/);
  });

  test('fetch_run of a big run is paged to fit the budget', async () => {
    const small = await connect({ cwd: dir, args: ['--max-result-bytes', '4096'] });
    try {
      const runs = structured(await small.client.callTool({ name: 'list_runs', arguments: { database_path: 'runs.db' } })).data;
      const id = runs.runs[0].id;
      const res = await small.client.callTool({
        name: 'fetch_run', arguments: { database_path: 'runs.db', run_id: id, limit: 1000 },
      });
      const { data } = structured(res);
      assert.ok(res.content[0].text.length < 8192, `text ${res.content[0].text.length} bytes`);
      assert.ok(data.returned < data.total, 'trimmed to the budget');
      assert.equal(data.next_offset, data.returned);
    } finally {
      await small.client.close();
    }
  });

  test('import_har and run_action_json', async () => {
    fs.writeFileSync(path.join(dir, 'loop.har'), JSON.stringify(loopbackHar(target.base)));
    fs.copyFileSync(path.join(FIXTURES, 'import', 'recording.har'), path.join(dir, 'rec.har'));
    const seed = structured(await client.callTool({
      name: 'import_har', arguments: { file_path: 'rec.har', include: ['api\\.example\\.com'], exclude: ['\\.svg$'] },
    })).data;
    assert.equal(seed.import.tasks, 7);
    assert.equal(seed.import.filtered, 3);

    const imp = structured(await client.callTool({
      name: 'import_har',
      arguments: { file_path: 'loop.har', include: ['127\\.0\\.0\\.1'], exclude: ['\\.svg$'], user_count: 2, spawn_rate: 2, test_time: 1, output_path: 'loop.json' },
    })).data;
    assert.equal(imp.import.tasks, 2);
    assert.ok(fs.existsSync(path.join(dir, 'loop.json')));
    const kw = imp.load_density[0][1];
    assert.deepEqual(kw.tasks.tasks.map((t) => t.assertions[0].value), [200, 200]);

    await client.callTool({ name: 'clear_records', arguments: {} });
    const run = structured(await client.callTool({
      name: 'run_action_json', arguments: { actions: { load_density: imp.load_density } },
    })).data;
    assert.equal(run.status, 'completed');
    assert.equal(run.results[0].command, 'LD_start_test');
    assert.ok(run.results[0].value.totals.requests > 0);
    assert.equal(run.results[0].value.totals.failures, 0);

    const fromFile = structured(await client.callTool({
      name: 'run_action_json',
      arguments: { file: 'loop.json' },
    })).data;
    assert.equal(fromFile.status, 'completed');

    const str = structured(await client.callTool({
      name: 'run_action_json',
      arguments: { actions: JSON.stringify([['LD_register_variable', { name: 'base', value: target.base }], ['LD_summary']]) },
    })).data;
    assert.equal(str.actions, 2);
    assert.ok(str.results[1].value.totals.requests > 0);

    const bad = structured(await client.callTool({
      name: 'run_action_json', arguments: { actions: [['LD_sumary']] },
    })).data;
    assert.equal(bad.status, 'failed');
    assert.match(bad.results[0].error, /did you mean "LD_summary"/);
  });

  test('create_project and path confinement', async () => {
    const made = structured(await client.callTool({ name: 'create_project', arguments: { path: 'proj' } })).data;
    assert.equal(made.status, 'created');
    assert.equal(made.files.length, 3);
    assert.ok(fs.existsSync(path.join(dir, 'proj', 'LoadDensity', 'keyword', 'keyword1.json')));
    const again = structured(await client.callTool({ name: 'create_project', arguments: { path: 'proj' } })).data;
    assert.equal(again.status, 'exists');

    assert.match(errorText(await client.callTool({ name: 'create_project', arguments: { path: '../escape' } })), /'\.\.' is not allowed/);
    assert.match(errorText(await client.callTool({ name: 'create_project', arguments: { path: '/etc/ld' } })), /outside the directories/);
    const outside = tmpdir();
    fs.symlinkSync(outside, path.join(dir, 'link'));
    assert.match(errorText(await client.callTool({ name: 'create_project', arguments: { path: 'link/p' } })), /outside the directories/);
    assert.equal(fs.readdirSync(outside).length, 0);
    assert.match(errorText(await client.callTool({ name: 'persist_records', arguments: { database_path: 'link/x.db' } })), /outside/);
    assert.match(errorText(await client.callTool({ name: 'import_har', arguments: { file_path: '/etc/passwd' } })), /outside/);
    assert.match(errorText(await client.callTool({
      name: 'run_action_json', arguments: { actions: [['LD_generate_summary_report', { report_name: '/tmp/evil' }]] },
    })), /outside/);
    fs.rmSync(outside, { recursive: true, force: true });
  });

  test('safety: allowlist and caps', async () => {
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: startTest('http://example.com'),
    })), /host 'example\.com' .*not on this server's allowlist.*--allow-host example\.com/);
    assert.match(errorText(await client.callTool({
      name: 'run_action_json',
      arguments: { actions: [['LD_register_variables', { variables: { base: 'http://10.1.2.3:80' } }], ['LD_start_test', startTest('${var.base}')]] },
    })), /host '10\.1\.2\.3'/);
    assert.match(errorText(await client.callTool({
      name: 'run_action_json',
      arguments: { actions: [['LD_execute_action', { action_list: [['LD_start_test', startTest('http://example.org')]] }]] },
    })), /host 'example\.org'/);
    fs.writeFileSync(path.join(dir, 'nested.json'), JSON.stringify([['LD_start_test', startTest('http://example.net')]]));
    assert.match(errorText(await client.callTool({
      name: 'run_action_json', arguments: { actions: [['LD_execute_files', { execute_files_list: ['nested.json'] }]] },
    })), /host 'example\.net'/);
    assert.match(errorText(await client.callTool({
      name: 'run_action_json', arguments: { actions: [['LD_execute_files', { execute_files_list: ['/etc/passwd'] }]] },
    })), /outside the directories/);
    assert.match(errorText(await client.callTool({
      name: 'run_action_json',
      arguments: { actions: [['LD_start_test', startTest(target.base, { shape_config: { stages: [{ duration: 1, users: 900 }] }, load_shape: 'stages' })]] },
    })), /users 900 is over/);
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: startTest(target.base, { arrival_rate: { stages: [{ duration: 1, rate: 1e6 }] } }),
    })), /arrival rate 1e\+06 is over/);
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: startTest(target.base, { user_count: 5000 }),
    })), /user_count 5000 is over this server's cap of 100 users/);
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: startTest(target.base, { test_time: null }),
    })), /test_time is null/);
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: startTest(target.base, { test_time: 100000 }),
    })), /cap of 300 seconds/);
  });

  test('invalid arguments come back as tool errors', async () => {
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: startTest(target.base, { user_count: '10' }),
    })), /'user_count' must be integer, got a string "10" \(pass the number without quotes\)/);
    assert.match(errorText(await client.callTool({
      name: 'run_test', arguments: { ...startTest(target.base), user_cnt: 3 },
    })), /unknown argument 'user_cnt' \(did you mean 'user_count'\?\)/);
    assert.match(errorText(await client.callTool({ name: 'persist_records', arguments: {} })), /missing required argument 'database_path'/);
    assert.match(errorText(await client.callTool({
      name: 'import_har', arguments: { file_path: 'rec.har', user: 'robot' },
    })), /'user' must be one of/);
  });

  test('an unknown tool is a protocol error', async () => {
    await assert.rejects(client.callTool({ name: 'run_tests', arguments: {} }), (e) => {
      assert.ok(e instanceof McpError);
      assert.equal(e.code, -32602);
      assert.match(e.message, /Unknown tool: run_tests \(did you mean run_test\?\)/);
      return true;
    });
  });

  test('a running test does not block the server', async () => {
    const run = client.callTool({ name: 'run_test', arguments: startTest(target.base, { test_time: 2 }) });
    let finished = false;
    run.then(() => { finished = true; }, () => { finished = true; });
    await new Promise((r) => setTimeout(r, 300));
    await client.ping();
    const { tools } = await client.listTools();
    assert.equal(tools.length, 11);
    structured(await client.callTool({ name: 'list_executor_commands', arguments: { group: 'Core' } }));
    // Answered while the 2 s test still runs (not after it: a wall-clock
    // bound would flake on a loaded CI machine).
    assert.equal(finished, false, 'answers while the test runs');
    assert.match(errorText(await client.callTool({ name: 'summary', arguments: {} })), /a load test is running/);
    assert.match(errorText(await client.callTool({ name: 'run_test', arguments: startTest(target.base) })), /another load test is running/);
    assert.equal(structured(await run).data.status, 'completed');
  });

  test('cancellation stops the test; ping works; partial results are kept', async () => {
    await client.callTool({ name: 'clear_records', arguments: {} });
    const ac = new AbortController();
    let progress = 0;
    const t0 = performance.now();
    const call = client.callTool(
      { name: 'run_test', arguments: startTest(target.base, { test_time: 60 }) },
      undefined,
      { signal: ac.signal, onprogress: () => { if (++progress === 1) ac.abort('enough'); } },
    );
    await assert.rejects(call);
    await client.ping();
    let sum;
    for (let i = 0; i < 100; i++) {
      const r = await client.callTool({ name: 'summary', arguments: {} });
      if (!r.isError) { sum = r.structuredContent; break; }
      await new Promise((r2) => setTimeout(r2, 100));
    }
    assert.ok(sum, 'the cancelled run ended');
    assert.ok(performance.now() - t0 < 15000, 'stopped well before test_time');
    assert.ok(sum.totals.requests > 0, 'partial results kept');
    const cleared = structured(await client.callTool({ name: 'clear_records', arguments: {} })).data;
    assert.equal(cleared.removed, sum.totals.requests);
  });

  test('logging/setLevel and notifications/message', async () => {
    const { LoggingMessageNotificationSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const msgs = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => msgs.push(n.params));
    await client.setLoggingLevel('debug');
    await client.callTool({ name: 'summary', arguments: {} });
    await client.ping();
    assert.ok(msgs.some((m) => m.level === 'debug' && m.logger === 'loaddensity'), JSON.stringify(msgs));
    await client.setLoggingLevel('error');
    msgs.length = 0;
    await client.callTool({ name: 'summary', arguments: {} });
    await client.ping();
    assert.equal(msgs.length, 0);
    await assert.rejects(client.request({ method: 'logging/setLevel', params: { level: 'loud' } },
      (await import('@modelcontextprotocol/sdk/types.js')).EmptyResultSchema), /level/);
  });
});

describe('pagination and roots', () => {
  test('tools/list pages with cursors', async () => {
    const dir = tmpdir();
    const { client } = await connect({ cwd: dir, args: ['--page-size', '4'] });
    try {
      const names = [];
      let cursor;
      let pages = 0;
      do {
        const r = await client.listTools(cursor ? { cursor } : {});
        names.push(...r.tools.map((t) => t.name));
        cursor = r.nextCursor;
        pages++;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(names, TOOL_NAMES);
      await assert.rejects(client.listTools({ cursor: 'bogus' }), /cursor/);
    } finally {
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('client roots widen the allowed directories', async () => {
    const { ListRootsRequestSchema } = await import('@modelcontextprotocol/sdk/types.js');
    const dir = tmpdir();
    const extra = tmpdir();
    const { client } = await connect({ cwd: dir, capabilities: { roots: { listChanged: true } } });
    client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: `file://${extra}`, name: 'extra' }] }));
    try {
      await client.sendRootsListChanged();
      let ok = false;
      for (let i = 0; i < 50 && !ok; i++) {
        const r = await client.callTool({ name: 'create_project', arguments: { path: path.join(extra, 'p') } });
        ok = !r.isError;
        if (!ok) await new Promise((r2) => setTimeout(r2, 50));
      }
      assert.ok(ok, 'a path under the client root is allowed');
      assert.ok(fs.existsSync(path.join(extra, 'p', 'LoadDensity', 'executor', 'run_all.sh')));
    } finally {
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(extra, { recursive: true, force: true });
    }
  });
});

describe('host allowlist patterns', () => {
  // A csv source outside the allowed directories fails after the host
  // check, so "outside" proves the host passed without contacting it.
  const probe = async (client, url) => {
    const r = await client.callTool({
      name: 'run_test',
      arguments: {
        user_detail_dict: {}, user_count: 1, spawn_rate: 1, test_time: 1,
        tasks: [{ method: 'get', request_url: url }],
        csv_sources: [{ name: 'x', file_path: '/etc/hostname' }],
      },
    });
    const text = errorText(r);
    if (/outside the directories/.test(text)) return 'allowed';
    if (/allowlist/.test(text)) return 'refused';
    if (/cannot check the host/.test(text)) return 'unknown';
    throw new Error(text);
  };

  test('names, globs, CIDR, IPv6 and resolver-style IPv4', async () => {
    const dir = tmpdir();
    const { client } = await connect({
      cwd: dir,
      args: ['--allow-host', '*.example.test', '--allow-host', '10.0.0.0/8'],
      env: {
        LOADDENSITY_MCP_ALLOW_HOSTS: '[fd00::1], exact.test',
        LD_MCP_TARGET: 'http://10.9.9.9:81',
        LD_MCP_EVIL: 'http://evil.test',
      },
    });
    try {
      const cases = {
        'http://api.example.test/x': 'allowed',
        'http://API.Example.Test./x': 'allowed',
        'http://example.test/': 'refused',
        'http://exact.test:8080/': 'allowed',
        'http://10.2.3.4:8080/': 'allowed',
        'http://11.0.0.1/': 'refused',
        'http://[fd00::1]:80/': 'allowed',
        'http://[fd00::2]/': 'refused',
        'http://127.1/': 'allowed',
        'http://2130706433/': 'allowed',
        'http://[::ffff:127.0.0.1]/': 'allowed',
        'http://localhost/': 'allowed',
        'http://a.localhost/': 'allowed',
        'http://localhost.evil.test/': 'refused',
        'http://user:pw@127.0.0.1/': 'allowed',
        'http://127.0.0.1@evil.test/': 'refused',
        'https://${csv.hosts.h}/': 'unknown',
        'http://127.0.0.1:${randint(1000,2000)}/': 'allowed',
        '${env.LD_MCP_TARGET}/x': 'allowed',
        '${env.LD_MCP_EVIL}/x': 'refused',
        '${env.LD_MCP_NOT_SET}/x': 'allowed',   // stays relative: localhost
        '/relative/path': 'allowed',
      };
      for (const [url, want] of Object.entries(cases)) {
        assert.equal(await probe(client, url), want, url);
      }
    } finally {
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--no-default-hosts drops loopback', async () => {
    const dir = tmpdir();
    const { client } = await connect({ cwd: dir, args: ['--no-default-hosts', '--allow-host', 'only.test'] });
    try {
      assert.equal(await probe(client, 'http://127.0.0.1/'), 'refused');
      assert.equal(await probe(client, 'http://only.test/'), 'allowed');
      assert.equal(await probe(client, '/relative'), 'refused');   // joins http://localhost
    } finally {
      await client.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
