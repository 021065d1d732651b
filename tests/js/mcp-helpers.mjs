// Shared helpers of the loaddensity-mcp tests: the built server and CLI
// (paths from ctest's environment), a loopback target, temp directories,
// SDK clients and a raw line-oriented pipe.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export const SERVER = process.env.LOADDENSITY_MCP;
export const CLI = process.env.LOADDENSITY;
export const FIXTURES = process.env.LD_FIXTURES ||
  path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');

export const TOOL_NAMES = [
  'run_test', 'run_action_json', 'create_project', 'list_executor_commands',
  'import_har', 'generate_reports', 'summary', 'persist_records', 'list_runs',
  'fetch_run', 'clear_records',
];

export function requireBinaries(t) {
  if (!SERVER || !fs.existsSync(SERVER)) {
    throw new Error('LOADDENSITY_MCP must point at the built loaddensity-mcp');
  }
  if (!CLI || !fs.existsSync(CLI)) {
    throw new Error('LOADDENSITY must point at the built loaddensity CLI');
  }
}

const made = [];
process.on('exit', () => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tmpdir() {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ldmcp-')));
  made.push(d);
  return d;
}

/** Start `loaddensity target --port 0`; resolves {port, base, stop}. */
export function startTarget() {
  return new Promise((resolve, reject) => {
    const p = spawn(CLI, ['target', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`target did not start: ${out}`)), 10000);
    p.stdout.on('data', (b) => {
      out += b;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const port = Number(m[1]);
        resolve({
          port,
          base: `http://127.0.0.1:${port}`,
          stop: () => new Promise((r) => { p.once('exit', r); p.kill('SIGINT'); }),
        });
      }
    });
    p.on('error', reject);
  });
}

/** An SDK client connected to a fresh server. */
export async function connect({ cwd, args = [], env = {}, capabilities = {} } = {}) {
  const transport = new StdioClientTransport({
    command: SERVER,
    args,
    cwd,
    env: { ...process.env, ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (b) => { stderr += b; });
  const client = new Client({ name: 'loaddensity-tests', version: '1.0.0' },
    { capabilities });
  await client.connect(transport);
  return { client, transport, stderr: () => stderr };
}

/** structuredContent of a successful call (and its text says the same). */
export function structured(result) {
  if (result.isError) {
    throw new Error(`tool failed: ${result.content?.[0]?.text}`);
  }
  const text = JSON.parse(result.content[0].text);
  return { data: result.structuredContent, text };
}

export function errorText(result) {
  if (!result.isError) {
    throw new Error(`expected an error, got ${JSON.stringify(result).slice(0, 300)}`);
  }
  return result.content[0].text;
}

/**
 * A raw pipe to the server: send(obj|string) writes one line, next()
 * resolves the next stdout line parsed as JSON (or rejects on timeout).
 */
export function rawServer({ cwd, args = [] } = {}) {
  const p = spawn(SERVER, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: process.env });
  const lines = [];
  const waiters = [];
  let buf = '';
  let stderr = '';
  p.stderr.on('data', (b) => { stderr += b; });
  p.stdout.on('data', (b) => {
    buf += b;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const msg = JSON.parse(line);   // stdout must carry only JSON lines
      if (waiters.length) waiters.shift()(msg); else lines.push(msg);
    }
  });
  const exited = new Promise((r) => p.once('exit', (code, sig) => r({ code, sig })));
  return {
    proc: p,
    exited,
    stderr: () => stderr,
    send(m) { p.stdin.write((typeof m === 'string' ? m : JSON.stringify(m)) + '\n'); },
    next(ms = 10000) {
      if (lines.length) return Promise.resolve(lines.shift());
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no message within ${ms} ms; stderr: ${stderr}`)), ms);
        waiters.push((m) => { clearTimeout(t); resolve(m); });
      });
    },
    /** The next message that is not a notification. */
    async response(ms = 10000) {
      for (;;) {
        const m = await this.next(ms);
        if (!('method' in m) || 'id' in m) return m;
      }
    },
    close() { p.stdin.end(); return exited; },
  };
}

export const INIT = (version = '2025-11-25', id = 0) => ({
  jsonrpc: '2.0', id, method: 'initialize',
  params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});
