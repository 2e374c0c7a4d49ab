import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { METRICS } from './catalogue';
import { dashboardExpressions, knownMetricNames, metricNamesInPromQL, ruleExpressions } from './metric-references';

const RULES_DIR = path.join(__dirname, 'prometheus', 'rules');
const DASHBOARDS_DIR = path.join(__dirname, 'grafana', 'dashboards');

function ruleFiles(): Array<{ file: string; text: string }> {
  return fs.readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml')).map((file) => ({ file, text: fs.readFileSync(path.join(RULES_DIR, file), 'utf8') }));
}

function dashboards(): Array<{ file: string; json: Parameters<typeof dashboardExpressions>[0] }> {
  return fs.readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith('.json')).map((file) => ({ file, json: JSON.parse(fs.readFileSync(path.join(DASHBOARDS_DIR, file), 'utf8')) }));
}

test('PromQL reading finds metric names and nothing else', () => {
  const cases: Array<[string, string[]]> = [
    ['mlops_model_accuracy < 0.85', ['mlops_model_accuracy']],
    ['up{job="mlops"} == 0', ['up']],
    [
      'histogram_quantile(0.95, sum by (model_version, le) (rate(mlops_prediction_latency_seconds_bucket{model_version=~"$model_version"}[$__rate_interval]))) > 0.5',
      ['mlops_prediction_latency_seconds_bucket'],
    ],
    [
      'sum by (experiment, variant) (rate(a_total[5m])) / on (experiment) group_left sum by (experiment) (rate(b_total[1h:1m]))',
      ['a_total', 'b_total'],
    ],
    ['sum by (topic) (x_total) unless sum by (topic) (x_total offset 15m) or vector(1e3) and bool y', ['x_total', 'y']],
    ['{__name__="mlops_models_loaded", app="inference"}', ['mlops_models_loaded']],
    ['max by (app) (process_open_fds{app=~"${app}"} / process_max_fds)', ['process_open_fds', 'process_max_fds']],
  ];
  for (const [expr, expected] of cases) assert.deepEqual(metricNamesInPromQL(expr).sort(), expected.sort(), expr);
});

test('a misspelt metric in a query is reported, not skipped', async () => {
  const known = await knownMetricNames();
  const names = metricNamesInPromQL('sum(rate(mlops_prediction_request_total[5m]))');
  assert.deepEqual(names.filter((name) => !known.has(name)), ['mlops_prediction_request_total']);
});

test('every metric an alert or recording rule queries is one the apps export', async () => {
  const known = await knownMetricNames();
  const unknown = ruleFiles().flatMap(({ file, text }) =>
    ruleExpressions(text).flatMap(({ rule, expr }) => metricNamesInPromQL(expr).filter((n) => !known.has(n)).map((n) => `${file} ${rule}: ${n}`)),
  );
  assert.deepEqual(unknown, []);
});

test("every metric a dashboard panel, annotation or variable queries is one the apps export", async () => {
  const known = await knownMetricNames();
  const unknown = dashboards().flatMap(({ file, json }) =>
    dashboardExpressions(json).flatMap(({ where, expr }) => metricNamesInPromQL(expr).filter((n) => !known.has(n)).map((n) => `${file} ${where}: ${n}`)),
  );
  assert.deepEqual(unknown, []);
});

test('every dashboard panel queries at least one metric', () => {
  for (const { file, json } of dashboards()) {
    for (const panel of (json.panels ?? []).filter((p) => (p as { type?: string }).type !== 'row')) {
      const names = (panel.targets ?? []).flatMap((target) => metricNamesInPromQL(target.expr ?? ''));
      assert.ok(names.length > 0, `${file} panel "${panel.title}" shows no metric`);
    }
  }
});

test('every catalogue metric is shown on some dashboard', () => {
  const shown = new Set(dashboards().flatMap(({ json }) => dashboardExpressions(json).flatMap(({ expr }) => metricNamesInPromQL(expr))));
  const series = (name: string) => [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
  const missing = Object.values(METRICS)
    .filter((entry) => !series(entry.name).some((name) => shown.has(name)))
    .map((entry) => entry.name);
  assert.deepEqual(missing, []);
});
