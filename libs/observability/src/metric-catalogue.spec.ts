import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_NAMES, METRICS, type CatalogueEntry, exportedSeriesNames, metricsOfApp } from './metric-catalogue';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AppMetrics } from './metrics';

const entries: CatalogueEntry[] = Object.values(METRICS);

/** Labels that would let a series per request, user or text into Prometheus. */
const UNBOUNDED_LABEL = /(^|_)(id|ids|text|texts|message|user|subject|trace|path|url|email)$/;

function labelsFor(entry: CatalogueEntry): Record<string, string> {
  return Object.fromEntries(entry.labelNames.map((label) => [label, entry.labelValues?.[label]?.[0] ?? `${label}-1`]));
}

/** Touches a metric once so prom-client renders it (labelled metrics only show after a first use). */
function touch(metrics: AppMetrics, entry: CatalogueEntry): void {
  const labels = labelsFor(entry);
  if (entry.type === 'histogram') (metrics.metric(entry) as Histogram).observe(labels, 1);
  // AppMetrics types its result from a literal `type`; a loop over entries has none.
  else (metrics.metric(entry) as unknown as Counter | Gauge).inc(labels, 1);
}

function seriesNamesIn(body: string): Set<string> {
  return new Set(
    body
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(/[{ ]/)[0]),
  );
}

test("the product spec's metric names are kept exactly, with their labels", () => {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const spec: Array<[string, string, string[]]> = [
    ['mlops_prediction_requests_total', 'counter', ['model_version', 'status']],
    ['mlops_prediction_latency_seconds', 'histogram', ['model_version']],
    ['mlops_model_accuracy', 'gauge', ['model_version']],
    ['mlops_model_confidence', 'histogram', ['model_version']],
    ['mlops_cpu_usage_percent', 'gauge', []],
    ['mlops_memory_usage_bytes', 'gauge', []],
  ];
  for (const [name, type, labelNames] of spec) {
    const entry = byName.get(name);
    assert.ok(entry, `${name} is missing from the catalogue`);
    assert.equal(entry.type, type, name);
    assert.deepEqual([...entry.labelNames], labelNames, name);
  }
  assert.deepEqual(METRICS.predictionRequests.labelValues.status, ['success', 'error']);
});

test('metric names are unique, valid, prefixed and say their unit', () => {
  const names = entries.map((entry) => entry.name);
  assert.equal(new Set(names).size, names.length, 'a name is used twice');
  for (const entry of entries) {
    assert.match(entry.name, /^mlops_[a-z][a-z0-9_]*[a-z0-9]$/, entry.name);
    assert.equal(entry.type === 'counter', entry.name.endsWith('_total'), `${entry.name}: only counters end in _total`);
    if (/latency|duration|delay|compute/.test(entry.name)) assert.match(entry.name, /_seconds$/, entry.name);
    assert.ok(entry.help.length > 10, `${entry.name} needs a help text`);
  }
});

test('every label set is bounded: no ids, texts or paths, and no app label (Prometheus adds it)', () => {
  for (const entry of entries) {
    for (const label of entry.labelNames) {
      assert.doesNotMatch(label, UNBOUNDED_LABEL, `${entry.name}{${label}} is unbounded`);
      assert.notEqual(label, 'app', `${entry.name} declares app`);
    }
    for (const label of Object.keys(entry.labelValues ?? {})) {
      assert.ok(entry.labelNames.includes(label), `${entry.name}: labelValues names ${label}, not a label`);
    }
  }
});

test('histogram buckets increase, and probabilities stay in 0..1', () => {
  for (const entry of entries.filter((e) => e.buckets)) {
    const buckets = entry.buckets ?? [];
    for (let i = 1; i < buckets.length; i += 1) assert.ok(buckets[i] > buckets[i - 1], `${entry.name} buckets not increasing`);
  }
  const confidence = METRICS.modelConfidence.buckets;
  assert.ok(confidence[0] > 0 && confidence.at(-1) === 1, 'confidence buckets cover 0..1');
});

test('every app exports the system gauges, and every metric has an app', () => {
  for (const app of APP_NAMES) {
    const names = metricsOfApp(app).map((entry) => entry.name);
    assert.ok(names.includes('mlops_cpu_usage_percent') && names.includes('mlops_memory_usage_bytes'), app);
  }
  for (const entry of entries) assert.ok(entry.apps.length > 0, `${entry.name} has no app`);
  assert.deepEqual(metricsOfApp('gateway').map((entry) => entry.name).slice(0, 2), [
    'mlops_prediction_requests_total',
    'mlops_prediction_latency_seconds',
  ]);
});

test("each app's /metrics page shows exactly the catalogue's series when created from it", async () => {
  for (const app of APP_NAMES) {
    const metrics = new AppMetrics(app);
    const ownEntries = metricsOfApp(app);
    for (const entry of ownEntries) touch(metrics, entry);
    const shown = seriesNamesIn((await metrics.render()).body);
    const expected = [...exportedSeriesNames(ownEntries)];
    for (const name of expected) assert.ok(shown.has(name), `${app} does not show ${name}`);
    const strays = [...shown].filter((name) => name.startsWith('mlops_') && !expected.includes(name));
    assert.deepEqual(strays, [], `${app} shows mlops_ series the catalogue does not name`);
  }
});

test('a histogram renders with its own buckets', async () => {
  const metrics = new AppMetrics('inference');
  metrics.metric(METRICS.inferenceBatchSize).observe({ model_version: 'v1' }, 3);
  const body = (await metrics.render()).body;
  assert.match(body, /mlops_inference_batch_size_bucket\{le="4",[^}]*model_version="v1"[^}]*\} 1\n/);
  assert.match(body, /mlops_inference_batch_size_bucket\{le="2",[^}]*model_version="v1"[^}]*\} 0\n/);
});
