// The JSON Schema exported by `loaddensity schema`, checked with ajv's
// draft 2020-12 validator: every example document and good fixture is
// valid, every known-bad document is rejected, and the linter reports an
// error for each bad document too (the schema never rejects what the
// linter accepts as error-free).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';

const CLI = process.env.LOADDENSITY;
const HERE = path.dirname(new URL(import.meta.url).pathname);
const SRC = process.env.LD_SOURCE_DIR || path.join(HERE, '..', '..');
const FIXTURES = process.env.LD_FIXTURES || path.join(SRC, 'tests', 'fixtures');

if (!CLI || !fs.existsSync(CLI)) {
  throw new Error('LOADDENSITY must point at the built loaddensity CLI');
}

const jsonFiles = (dir) => fs.readdirSync(dir).filter((f) => f.endsWith('.json'))
  .sort().map((f) => path.join(dir, f));

function loadSchema(extra = []) {
  const out = execFileSync(CLI, ['schema', ...extra], { encoding: 'utf8' });
  return JSON.parse(out);
}

function compile(schema) {
  // unknown keywords and malformed schemas are errors; ajv's style hints
  // (tuples, types, required) are off: "if"/"then" clauses test parts of
  // values described elsewhere
  const ajv = new Ajv2020({
    strictSchema: true, strictNumbers: true, strictTypes: false,
    strictTuples: false, strictRequired: false, allErrors: true,
  });
  return ajv.compile(schema);
}

describe('loaddensity schema', () => {
  const schema = loadSchema();
  const validate = compile(schema);

  test('is a draft 2020-12 schema derived from the registry', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    const commands = JSON.parse(execFileSync(CLI, ['commands', '--json'], { encoding: 'utf8' }));
    const list = Array.isArray(commands) ? commands : commands.commands;
    assert.ok(list.length > 50);
    for (const c of list) {
      assert.ok(schema.$defs[`cmd.${c.name}`], `no definition for ${c.name}`);
    }
    const names = schema.$defs.command.enum;
    assert.ok(names.includes('LD_start_test'));
    assert.match(schema.$defs['cmd.LD_start_test'].description, /load test/);
  });

  test('accepts every example document and good fixture', () => {
    const files = [...jsonFiles(path.join(SRC, 'examples')),
      ...jsonFiles(path.join(FIXTURES, 'lint', 'good'))];
    assert.ok(files.length >= 4);
    for (const f of files) {
      const ok = validate(JSON.parse(fs.readFileSync(f, 'utf8')));
      assert.ok(ok, `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
  });

  test('rejects every known-bad document, which the linter rejects too', () => {
    const files = jsonFiles(path.join(FIXTURES, 'lint', 'bad'));
    assert.ok(files.length >= 30);
    for (const f of files) {
      const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
      assert.equal(validate(doc), false, `${path.basename(f)} passed the schema`);
      const lint = spawnSync(CLI, ['lint', '-q', '--format', 'json', f], { encoding: 'utf8' });
      assert.equal(lint.status, 1, `${path.basename(f)}: lint exit ${lint.status}`);
      const findings = JSON.parse(lint.stdout);
      assert.ok(findings.some((x) => x.severity === 'error'), `${path.basename(f)}: no lint error`);
    }
  });

  test('the positional form and extra kwargs follow the registry', () => {
    const ok = (doc) => validate(doc);
    assert.ok(ok([['LD_register_csv_source', ['u', 'users.csv', false]]]));
    assert.ok(!ok([['LD_register_csv_source', ['u']]]));            // file_path missing
    assert.ok(ok([['print', ['a', 1, true, null]]]));                // variadic
    assert.ok(ok([['LD_start_test', { user_detail_dict: {}, tasks: [{ request_url: '/' }], extra: 1 }]]));
    assert.ok(!ok([['LD_summary', { extra: 1 }]]));
    assert.ok(ok([['LD_generate_summary_report', { report_name: null }]]));   // null = default
    assert.ok(ok([['LD_start_test', { user_detail_dict: { user: 'websocket_user' }, tasks: [{ type: 'send' }] }]]));
    assert.ok(ok([['LD_start_test', { user_detail_dict: {}, tasks: [{ method: 'GET', request_url: '/' }] }]]));
  });

  test('--known-command adds names accepted with any arguments', () => {
    const v = compile(loadSchema(['--known-command', 'LD_custom']));
    assert.ok(v([['LD_custom', { anything: [1, 2] }]]));
    assert.ok(!validate([['LD_custom']]));
  });

  test('-o writes the same schema to a file', () => {
    const dir = fs.mkdtempSync('/tmp/ldschema-');
    const file = path.join(dir, 's.json');
    execFileSync(CLI, ['schema', '-o', file]);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), schema);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
