// Generate a large action document for the LSP / lint benchmarks.
// usage: node gen.mjs [ACTIONS] [ERROR_EVERY] > big.json
// In every block of ERROR_EVERY actions, four carry one mistake each (a bad
// enum value, an unknown command, two wrong types), so both servers have
// something to report.
export function generate(actions = 10000, errorEvery = 500) {
  const lines = [];
  for (let i = 0; i < actions; i++) {
    const bad = errorEvery > 0 && [1, 2, 3, 7].includes(i % errorEvery);
    const k = i % 10;
    let a;
    if (k === 0) {
      a = ['LD_register_variables',
           { variables: { [`base${i}`]: 'http://127.0.0.1:18089', [`user${i}`]: `u${i}@example.com` } }];
    } else if (k === 1 || k === 5) {
      a = ['LD_start_test', {
        user_detail_dict: { user: bad ? 'fast_htp_user' : 'fast_http_user' },
        user_count: 10, spawn_rate: 5, test_time: 30,
        tasks: { mode: 'weighted', tasks: [
          { method: 'get', request_url: `\${var.base${i - k}}/get?i=${i}`, name: `get-${i}`, weight: 3,
            assertions: [{ type: 'status_code', value: 200 }] },
          { method: 'post', request_url: `\${var.base${i - k}}/post`, weight: 1,
            headers: { 'Content-Type': 'application/json', 'X-Run': 'bench-é' },
            json: { user: `\${var.user${i - k}}`, n: i, tags: ['a', 'b', 'c'] },
            extract: [{ var: `token${i}`, from: 'json_path', path: 'data.token' }] },
        ] },
      }];
    } else if (k === 2) {
      a = [bad ? 'LD_generate_sumary_report' : 'LD_generate_summary_report', { report_name: `r${i}` }];
    } else if (k === 3) {
      a = ['LD_register_variable', { name: bad ? 5 : `v${i}`, value: `value ${i}` }];
    } else if (k === 4) {
      a = ['LD_summary'];
    } else if (k === 6) {
      a = ['print', [`step ${i}`, '${var.v' + (i - 3) + '}']];
    } else if (k === 7) {
      a = ['LD_register_csv_source', { name: `src${i}`, file_path: `data/users${i}.csv`, cycle: bad ? 'yes' : true }];
    } else if (k === 8) {
      a = ['LD_clear_records'];
    } else {
      a = ['LD_generate_summary_report', [`final${i}`]];
    }
    lines.push('  ' + JSON.stringify(a));
  }
  return '{"load_density": [\n' + lines.join(',\n') + '\n]}\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const n = Number(process.argv[2] || 10000);
  const every = Number(process.argv[3] ?? 500);
  process.stdout.write(generate(n, every));
}
