// Start-up and round-trip latency of MCP servers over stdio, measured by one
// raw client (no SDK in the loop, so both servers pay the same client cost):
//   startup   spawn() -> the initialize result line read back
//   list      tools/list request -> response, on a warm connection
//   ping      ping request -> response
// usage: node bench.mjs [--ld PATH] [--runs N] [--calls N] [--json]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(opt('--runs', 30));
const CALLS = Number(opt('--calls', 500));
const LD = path.resolve(opt('--ld', path.join(here, '..', '..', 'build', 'bin', 'loaddensity-mcp')));
const EVERYTHING = path.join(here, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

const servers = [
  { name: 'loaddensity-mcp (C)', cmd: LD, args: [] },
  { name: 'server-everything (TypeScript)', cmd: process.execPath, args: [EVERYTHING, 'stdio'] },
];

const INIT = JSON.stringify({
  jsonrpc: '2.0', id: 0, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
}) + '\n';

function open(srv) {
  const p = spawn(srv.cmd, srv.args, { stdio: ['pipe', 'pipe', 'ignore'] });
  let buf = '';
  const waiting = new Map();
  p.stdout.on('data', (b) => {
    buf += b;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const m = JSON.parse(line);
      if ('id' in m && waiting.has(m.id)) {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        w(m);
      }
    }
  });
  return {
    p,
    request(id, line) {
      return new Promise((resolve) => { waiting.set(id, resolve); p.stdin.write(line); });
    },
    close() { return new Promise((r) => { p.once('exit', r); p.stdin.end(); setTimeout(() => p.kill(), 2000).unref(); }); },
  };
}

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
function stats(v) {
  const s = [...v].sort((a, b) => a - b);
  const q = (x) => s[Math.min(s.length - 1, Math.floor(x * s.length))];
  return { median: q(0.5), p90: q(0.9), min: s[0], n: s.length };
}

// spawn -> initialize result, and spawn -> first tools/list result (sent
// as soon as the initialize result is in): the second is when the whole
// server is usable.
async function startup(srv) {
  const init = [];
  const ready = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const c = open(srv);
    const r = await c.request(0, INIT);
    init.push(ms(t0));
    if (!r.result?.protocolVersion) throw new Error(`${srv.name}: bad initialize result`);
    c.p.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
    await c.request(1, '{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
    ready.push(ms(t0));
    await c.close();
  }
  return { init: stats(init), ready: stats(ready) };
}

async function roundTrips(srv) {
  const c = open(srv);
  await c.request(0, INIT);
  c.p.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n');
  let id = 1;
  const time = async (method, n) => {
    const t = [];
    for (let i = 0; i < n; i++) {
      const line = `{"jsonrpc":"2.0","id":${id},"method":"${method}"}\n`;
      const t0 = process.hrtime.bigint();
      const r = await c.request(id++, line);
      t.push(ms(t0));
      if (r.error) throw new Error(`${srv.name}: ${method}: ${r.error.message}`);
    }
    return t;
  };
  await time('tools/list', 50);   // warm-up
  const list = stats(await time('tools/list', CALLS));
  const ping = stats(await time('ping', CALLS));
  const tools = (await c.request(id, `{"jsonrpc":"2.0","id":${id},"method":"tools/list"}\n`)).result.tools.length;
  await c.close();
  return { list, ping, tools };
}

if (!fs.existsSync(LD)) {
  console.error(`no ${LD}: build it (cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build) or pass --ld PATH`);
  process.exit(2);
}
if (!fs.existsSync(EVERYTHING)) {
  console.error('server-everything is missing: run `npm ci` in bench/mcp');
  process.exit(2);
}

const results = [];
for (const srv of servers) {
  const s = await startup(srv);
  const r = await roundTrips(srv);
  results.push({ server: srv.name, startup: s, ...r });
}
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ runs: RUNS, calls: CALLS, node: process.version, results }, null, 2));
} else {
  const f = (x) => x.toFixed(3);
  console.log(`runs=${RUNS} calls=${CALLS} node ${process.version}\n`);
  console.log('| server | tools | spawn -> initialize | spawn -> first tools/list | tools/list | ping |');
  console.log('|---|---|---|---|---|---|');
  for (const r of results) {
    const c = (s) => `${f(s.median)} / ${f(s.p90)}`;
    console.log(`| ${r.server} | ${r.tools} | ${c(r.startup.init)} | ${c(r.startup.ready)} | ${c(r.list)} | ${c(r.ping)} |`);
  }
  console.log('\n(median / p90, milliseconds)');
}
