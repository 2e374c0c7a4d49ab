import { test } from 'node:test';
import assert from 'node:assert/strict';
import { predictionLog } from './spec-fixtures';
import { emptyVariantMetrics, recordOutcome, recordPrediction, summarizeVariant } from './variant-metrics';

test('means and sample standard deviations of confidence and latency come out exactly from totals', () => {
  const metrics = emptyVariantMetrics();
  const latencies = [10, 20, 30, 40, 400];
  latencies.forEach((latencyMs, i) => recordPrediction(metrics, predictionLog(`r${i}`, {}, ['POSITIVE'], { latencyMs, predictions: [{ label: 'POSITIVE', confidence: 0.5 + i / 10 }] })));
  metrics.assigned = 6;
  const summary = summarizeVariant(metrics);
  assert.equal(summary.latencyMs?.mean, 100);
  assert.ok(Math.abs((summary.latencyMs?.sd ?? 0) - 168.0773631397161) < 1e-9); // Python statistics.stdev([10,20,30,40,400])
  assert.ok(Math.abs((summary.confidence?.mean ?? 0) - 0.7) < 1e-12);
  assert.equal(summary.latencyP95Ms, 500, 'the 400 ms request sits in the ≤ 500 ms bucket');
  assert.equal(summary.errors, 1);
  assert.ok(Math.abs((summary.errorRate ?? 0) - 1 / 6) < 1e-12);
});

test('accuracy and F1 of the positive class from joined outcomes', () => {
  const metrics = emptyVariantMetrics();
  const pairs: [string, string][] = [['POSITIVE', 'POSITIVE'], ['POSITIVE', 'POSITIVE'], ['POSITIVE', 'NEGATIVE'], ['NEGATIVE', 'POSITIVE'], ['NEGATIVE', 'NEGATIVE']];
  for (const [predicted, actual] of pairs) recordOutcome(metrics, predicted, actual);
  const summary = summarizeVariant(metrics);
  assert.equal(summary.accuracy, 3 / 5);
  assert.equal(summary.f1, 2 / 3); // precision 2/3, recall 2/3
  assert.equal(summarizeVariant(emptyVariantMetrics()).accuracy, null);
});
