// The MCP Inspector's CLI mode against loaddensity-mcp: it lists the tools
// and calls one. Uses the inspector installed in tests/js (npx --no: never
// downloads).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { SERVER, TOOL_NAMES, requireBinaries } from './mcp-helpers.mjs';

requireBinaries();
const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);
const installed = fs.existsSync(path.join(here, 'node_modules', '@modelcontextprotocol', 'inspector'));

const inspector = (args) => run('npx', ['--no', '--', '@modelcontextprotocol/inspector', '--cli', SERVER, ...args],
  { cwd: here, timeout: 60000, maxBuffer: 16 << 20, env: { ...process.env, npm_config_loglevel: 'error' } });

test('inspector --cli lists the tools', { skip: !installed && 'inspector not installed' }, async () => {
  const { stdout } = await inspector(['--method', 'tools/list']);
  const { tools } = JSON.parse(stdout);
  assert.deepEqual(tools.map((t) => t.name), TOOL_NAMES);
});

test('inspector --cli calls a tool', { skip: !installed && 'inspector not installed' }, async () => {
  const { stdout } = await inspector(['--method', 'tools/call', '--tool-name', 'list_executor_commands',
    '--tool-arg', 'group=Core']);
  const r = JSON.parse(stdout);
  assert.equal(r.isError, false);
  assert.ok(r.structuredContent.commands.some((c) => c.name === 'LD_start_test'));
});
