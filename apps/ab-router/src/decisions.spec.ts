import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnalysisPoint, Experiment, VariantMetrics } from '@mlops/schemas';
import { appendHistory, applyEvaluation, evaluateExperiment, MAX_HISTORY } from './decisions';
import { experimentOf } from './spec-fixtures';
import { emptyVariantMetrics } from './variant-metrics';

/** Totals as the collector would hold them: `correct` of `labelled`, latency all in one bucket. */
function variant(extra: Partial<VariantMetrics> & { predictions: number }): VariantMetrics {
  const m = { ...emptyVariantMetrics(), assigned: extra.predictions, texts: extra.predictions, ...extra };
  m.latencyBuckets = [...m.latencyBuckets];
  m.latencyBuckets[2] = m.predictions; // ≤ 25 ms
  return m;
}

const decide = (experiment: Experiment) => applyEvaluation(experiment, evaluateExperiment(experiment, 1_000), 1_000);

test('a canary with enough predictions and healthy guardrails ramps up one step', () => {
  const canary = experimentOf({ kind: 'canary', ramp: [1, 5, 25, 100], ramp_step_min_samples: 100, guardrails: { max_error_rate: 0.05 } }, {
    metrics: { control: variant({ predictions: 9_000 }), treatment: variant({ predictions: 120 }) },
  });
  const next = decide(canary);
  assert.equal(next.status, 'running');
  assert.equal(next.rampStep, 1);
  assert.equal(next.rampStepPredictions, 120);
  assert.match(next.decisions.at(-1)?.reason ?? '', /now 5%/);
  assert.equal(decide(next).rampStep, 1, 'the next step needs 100 new predictions first');
});

test('a canary whose error rate breaks its guardrail is rolled back, with the figures in the log', () => {
  const canary = experimentOf({ kind: 'canary', guardrails: { max_error_rate: 0.01, min_samples: 50 } }, {
    metrics: { control: variant({ predictions: 5_000 }), treatment: variant({ predictions: 180, assigned: 200 }) },
  });
  const next = decide(canary);
  assert.equal(next.status, 'rolled-back');
  assert.equal(next.liveVariant, 'control');
  assert.match(next.decisions.at(-1)?.reason ?? '', /guardrail broken: treatment error rate 0\.1000 > 0\.01/);
});

test('a canary that served 100% long enough is promoted', () => {
  const canary = experimentOf({ kind: 'canary', ramp: [10, 100], ramp_step_min_samples: 50 }, {
    rampStep: 1,
    rampStepPredictions: 100,
    metrics: { control: variant({ predictions: 500 }), treatment: variant({ predictions: 200 }) },
  });
  const next = decide(canary);
  assert.deepEqual([next.status, next.liveVariant, next.decisions.at(-1)?.action], ['completed', 'treatment', 'promoted']);
});

const clearWinner = { control: variant({ predictions: 1_000, labelled: 1_000, correct: 500 }), treatment: variant({ predictions: 1_000, labelled: 1_000, correct: 650 }) };

test('with auto_decide, a significantly better treatment is promoted and the evidence is logged', () => {
  const next = decide(experimentOf({ auto_decide: true, minimum_sample_size: 500 }, { metrics: clearWinner }));
  assert.deepEqual([next.status, next.liveVariant], ['completed', 'treatment']);
  const decision = next.decisions.at(-1);
  assert.equal(decision?.action, 'promoted');
  const comparison = ((decision?.evidence?.analysis as Record<string, unknown>).comparisons as { pValues: { fixedHorizon: number; sequentialAdjusted: number }; estimate: { difference: number } }[])[0];
  // 50% vs 65% of 1000: z ≈ 6.8; the always-valid p-value pays for peeking but still decides.
  assert.ok(comparison.pValues.fixedHorizon < 1e-10 && comparison.pValues.sequentialAdjusted < 1e-3, JSON.stringify(comparison.pValues));
  assert.ok(Math.abs(comparison.estimate.difference - 0.15) < 1e-12);
  assert.equal(next.history.length, 1);
});

test('without auto_decide the recommendation is logged once and nothing moves', () => {
  const once = decide(experimentOf({ minimum_sample_size: 500 }, { metrics: clearWinner }));
  assert.equal(once.status, 'running');
  assert.match(once.decisions.at(-1)?.reason ?? '', /^promote treatment: treatment is better/);
  const twice = decide(once);
  assert.equal(twice.decisions.length, once.decisions.length);
});

test('a sample-ratio mismatch stops an A/B test even when the treatment looks better', () => {
  const skewed = { control: variant({ predictions: 1_000, labelled: 1_000, correct: 500 }), treatment: variant({ predictions: 1_300, labelled: 1_300, correct: 845 }) };
  const next = decide(experimentOf({ auto_decide: true }, { metrics: skewed }));
  assert.equal(next.status, 'stopped');
  assert.match(next.decisions.at(-1)?.reason ?? '', /sample ratio mismatch/);
});

test('with subjects counted, an A/B split is checked in subjects, not in their requests', () => {
  // 600 and 800 subjects, each sending about two requests: 1,260 vs 1,690 requests is a mismatch
  // (p < 1e-14); 600 vs 800 subjects is too (p ≈ 1e-7); 690 vs 710 subjects is a fair split.
  const requests = { control: variant({ predictions: 1_260, labelled: 1_260, correct: 630 }), treatment: variant({ predictions: 1_690, labelled: 1_690, correct: 1_099 }) };
  const withUnits = (control: number, treatment: number) => ({ control: { ...requests.control, units: control }, treatment: { ...requests.treatment, units: treatment } });
  assert.equal(decide(experimentOf({ auto_decide: true }, { metrics: requests })).status, 'stopped');
  assert.equal(decide(experimentOf({ auto_decide: true }, { metrics: withUnits(600, 800) })).status, 'stopped');
  const fair = decide(experimentOf({ auto_decide: true }, { metrics: withUnits(690, 710) }));
  assert.deepEqual([fair.status, fair.liveVariant], ['completed', 'treatment']);
});

test('the analysis history stays bounded and keeps the newest looks', () => {
  let history: AnalysisPoint[] = [];
  for (let i = 0; i < 1_000; i++) history = appendHistory(history, { at: i, values: {}, comparisons: [] });
  assert.ok(history.length <= MAX_HISTORY);
  assert.equal(history.at(-1)?.at, 999);
  assert.equal(history[0].at, 0);
});
