/**
 * Runs Prometheus's own promtool over the config, the alert rules and their unit tests, and over
 * every dashboard query, so a rule or panel that Prometheus would reject fails here.
 * Needs `promtool` (Debian: `apt-get install prometheus`); env PROMTOOL names another binary.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { dashboardExpressions } from '../metric-references';
import { dashboardFiles } from '../grafana/generate-dashboards';

const PROMTOOL = process.env.PROMTOOL ?? 'promtool';
const HERE = __dirname;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-promtool-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

function promtool(args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd: HERE, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`cannot run ${PROMTOOL} (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const yamlFilesIn = (dir: string) => fs.readdirSync(path.join(HERE, dir)).filter((f) => f.endsWith('.yml')).map((f) => path.join(dir, f));

test('promtool check rules accepts every rule file', () => {
  const { status, output } = promtool(['check', 'rules', ...yamlFilesIn('rules')]);
  assert.equal(status, 0, output);
  assert.doesNotMatch(output, /FAILED/);
});

test('promtool check config accepts prometheus.yml and the rule files it loads', () => {
  const { status, output } = promtool(['check', 'config', 'prometheus.yml']);
  assert.equal(status, 0, output);
  assert.match(output, /SUCCESS: \d+ rule files found/);
});

test('promtool test rules: every alert fires when it should and stays quiet when it should not', () => {
  const { status, output } = promtool(['test', 'rules', ...yamlFilesIn('tests')]);
  assert.equal(status, 0, output);
  assert.equal(output.match(/SUCCESS/g)?.length, yamlFilesIn('tests').length, output);
});

test('a rule test that expects the wrong thing makes promtool fail', () => {
  const wrong = path.join(scratch, 'wrong.test.yml');
  fs.writeFileSync(
    wrong,
    toYaml({
      rule_files: [path.join(HERE, 'rules', 'model.yml')],
      tests: [
        {
          interval: '1m',
          input_series: [{ series: 'mlops_model_accuracy{model_version="v1"}', values: '0.95x20' }],
          alert_rule_test: [{ eval_time: '10m', alertname: 'ModelAccuracyDrop', exp_alerts: [{ exp_labels: { severity: 'warning', model_version: 'v1' } }] }],
        },
      ],
    }),
  );
  const { status, output } = promtool(['test', 'rules', wrong]);
  assert.notEqual(status, 0, output);
  assert.match(output, /FAILED/);
});

test('every dashboard query is valid PromQL once Grafana fills in its variables', () => {
  const grafanaValues: Record<string, string> = { __rate_interval: '1m', __interval: '1m', __range: '1h', model_version: '.*', app: '.*' };
  const rules = [...dashboardFiles()].flatMap(([file, text]) =>
    dashboardExpressions(JSON.parse(text)).map(({ where, expr }, index) => ({
      record: `dashboard:${file.replace(/\W/g, '_')}:${index}`,
      expr: expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => grafanaValues[name] ?? whole),
      labels: { where },
    })),
  );
  assert.ok(rules.length > 40, `only ${rules.length} dashboard queries found`);
  const file = path.join(scratch, 'dashboard-queries.yml');
  fs.writeFileSync(file, toYaml({ groups: [{ name: 'dashboards', rules }] }));
  const { status, output } = promtool(['check', 'rules', file]);
  assert.equal(status, 0, output);
});
