import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { Experiment } from '@mlops/schemas';
import { run } from '../run';
import { lineChart, renderReport, specsFromYaml } from './ab';

const at = Date.UTC(2026, 0, 1);
const experiment: Experiment = {
  experimentId: 'exp-report',
  spec: { experiment_id: 'exp-report', control_variant: 'v1', treatment_variants: ['v2'], variants: { v1: 'production', v2: 'candidate' }, success_metrics: ['accuracy'], minimum_sample_size: 100, model_name: 'm' },
  status: 'completed',
  revision: 9,
  createdAt: at,
  updatedAt: at + 3_000,
  startedAt: at,
  rampStep: 0,
  rampStepPredictions: 0,
  liveVariant: 'v2',
  metrics: {},
  analysis: {
    primaryMetric: 'accuracy',
    correction: 'holm',
    recommendation: 'promote v2: treatment is better',
    summaries: { v1: { requests: 400, predictions: 400, accuracy: 0.5, f1: 0.6, confidence: { mean: 0.8 }, latencyMs: { mean: 12 }, latencyP95Ms: 25, errorRate: 0 } },
    comparisons: [{ treatment: 'v2', ready: true, decision: 'ship-treatment', reason: 'treatment is better', estimate: { control: 0.5, treatment: 0.9, difference: 0.4, ci: [0.33, 0.47], ciLevel: 0.95 }, pValues: { fixedHorizon: 1e-20, fixedHorizonAdjusted: 1e-20, sequential: 1e-9, sequentialAdjusted: 1e-9 }, effectSize: { measure: 'cohens_h', value: 0.93 }, power: 1, srm: { pValue: 0.6, mismatch: false } }],
  },
  history: [1, 2, 3].map((i) => ({ at: at + i * 1_000, values: { v1: { n: 100 * i, value: 0.5 }, v2: { n: 100 * i, value: 0.85 + i / 100 } }, comparisons: [{ treatment: 'v2', difference: 0.35 + i / 100, ci: [0.2 + i / 20, 0.5] as [number, number], pValue: 0.01 / i }] })),
  decisions: [{ at: at + 3_000, action: 'promoted', actor: 'auto', variant: 'v2', reason: 'treatment is better | sequential' }],
};

test('the report names the decision with its evidence, in Markdown and in one self-contained HTML page', () => {
  const { markdown, html } = renderReport(experiment, { metric: 'm.svg', difference: 'd.svg' });
  assert.match(markdown, /- \*\*status\*\*: completed/);
  assert.match(markdown, /\| v1 \| production \| — \| 400 \| 0 \| 0\.5000 \| 0\.6000 \| 0\.8000 \| ≤ 25 \| 0\.0000 \|/);
  assert.match(markdown, /\| v2 \| 0\.4000 \| \[0\.3300, 0\.4700\] \(95\.0%\) \| 1\.00e-20 \| 1\.00e-9 \| cohens_h 0\.930 \| 1\.000 \| 0\.6000 \| ship-treatment: treatment is better \|/);
  assert.match(markdown, /treatment is better \\\| sequential/, 'a pipe in a reason does not break the table');
  assert.match(markdown, /!\[metric over time\]\(m\.svg\)/);
  assert.equal((html.match(/<svg /g) ?? []).length, 2);
  assert.match(html, /<polygon points="[^"]+" fill="#d62728"|<polygon points="[^"]+" fill="#1f77b4"/, 'the interval is drawn as a band');
  assert.doesNotMatch(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, ''), /https?:\/\//, 'no CDN or remote asset');
});

test('a chart without data says so instead of drawing an empty frame', () => {
  assert.match(lineChart('accuracy', [{ name: 'v1', points: [] }], 'accuracy'), /accuracy: no data yet/);
});

test('the shipped YAML file gives one spec per experiment, with its id', () => {
  const text = fs.readFileSync(path.resolve(__dirname, '../../../../config/ab_test_config.yaml'), 'utf8');
  assert.deepEqual(specsFromYaml(text).map((s) => s.experiment_id), ['model_comparison', 'candidate_canary', 'candidate_shadow']);
  assert.equal(specsFromYaml(text, 'candidate_canary').length, 1);
  assert.throws(() => specsFromYaml(text, 'nope'), /no experiment 'nope'/);
});

async function mlops(args: string[]) {
  const [stdout, stderr] = [new PassThrough(), new PassThrough()];
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await run(['ab', ...args], { stdin: new PassThrough(), stdout, stderr, env: { GATEWAY_URL: 'http://127.0.0.1:9' } });
  return { code, out, err };
}

test('bad input exits 2 naming the problem; an unreachable gateway exits 1 saying where it looked', async () => {
  assert.deepEqual(await mlops(['frobnicate']), { code: 2, out: '', err: "mlops ab: unknown subcommand 'frobnicate'\n" });
  assert.equal((await mlops(['start'])).err, 'mlops ab: start needs an experiment id\n');
  assert.equal((await mlops(['create'])).code, 2);
  const down = await mlops(['list']);
  assert.equal(down.code, 1);
  assert.match(down.err, /cannot reach the gateway at http:\/\/127\.0\.0\.1:9/);
});
