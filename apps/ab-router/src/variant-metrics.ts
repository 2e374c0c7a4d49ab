/**
 * Per-variant running totals (pure): predictions from `predictions.log`, outcomes from the feedback
 * joined to them, assignments from the routers. Totals, not samples, so memory stays constant and
 * means and standard deviations come out exactly.
 */
import { LATENCY_BUCKETS_MS, type PredictionLog, type VariantMetrics } from '@mlops/schemas';

/** The label F1 is computed for. */
export const POSITIVE_LABEL = 'POSITIVE';

export function emptyVariantMetrics(): VariantMetrics {
  return {
    assigned: 0,
    predictions: 0,
    texts: 0,
    confidenceSum: 0,
    confidenceSumSquares: 0,
    latencySumMs: 0,
    latencySumSquaresMs: 0,
    latencyBuckets: LATENCY_BUCKETS_MS.map(() => 0),
    labelled: 0,
    correct: 0,
    truePositives: 0,
    falsePositives: 0,
    falseNegatives: 0,
  };
}

export function recordPrediction(metrics: VariantMetrics, log: PredictionLog): void {
  metrics.modelVersion = log.modelVersion;
  metrics.predictions += 1;
  metrics.texts += log.predictions.length;
  for (const { confidence } of log.predictions) {
    metrics.confidenceSum += confidence;
    metrics.confidenceSumSquares += confidence * confidence;
  }
  const latency = Math.max(0, log.latencyMs);
  metrics.latencySumMs += latency;
  metrics.latencySumSquaresMs += latency * latency;
  metrics.latencyBuckets[LATENCY_BUCKETS_MS.findIndex((bound) => latency <= bound)] += 1;
}

export function recordOutcome(metrics: VariantMetrics, predicted: string, actual: string): void {
  metrics.labelled += 1;
  if (predicted === actual) metrics.correct += 1;
  if (predicted === POSITIVE_LABEL && actual === POSITIVE_LABEL) metrics.truePositives += 1;
  else if (predicted === POSITIVE_LABEL) metrics.falsePositives += 1;
  else if (actual === POSITIVE_LABEL) metrics.falseNegatives += 1;
}

export interface MeanSummary {
  mean: number;
  sd: number;
  n: number;
}

function meanOf(sum: number, sumSquares: number, n: number): MeanSummary | null {
  if (n === 0) return null;
  const mean = sum / n;
  // Sample variance from totals; clamp the rounding that can make it a hair negative.
  const variance = n > 1 ? Math.max(0, (sumSquares - n * mean * mean) / (n - 1)) : 0;
  return { mean, sd: Math.sqrt(variance), n };
}

export interface VariantSummary {
  requests: number;
  predictions: number;
  accuracy: number | null;
  f1: number | null;
  confidence: MeanSummary | null;
  latencyMs: MeanSummary | null;
  /** Upper bound of the histogram bucket holding the 95th percentile, ms. */
  latencyP95Ms: number | null;
  /** Routed requests that produced no prediction (failed, or still in flight), 0..1. */
  errorRate: number | null;
  errors: number;
}

export function latencyQuantileMs(metrics: VariantMetrics, q: number): number | null {
  const total = metrics.latencyBuckets.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  let cumulative = 0;
  for (let i = 0; i < metrics.latencyBuckets.length; i++) {
    cumulative += metrics.latencyBuckets[i];
    if (cumulative >= q * total) return LATENCY_BUCKETS_MS[i];
  }
  return Infinity;
}

export function summarizeVariant(metrics: VariantMetrics): VariantSummary {
  const precisionBase = metrics.truePositives + metrics.falsePositives;
  const recallBase = metrics.truePositives + metrics.falseNegatives;
  const f1Base = 2 * metrics.truePositives + metrics.falsePositives + metrics.falseNegatives;
  const errors = Math.max(0, metrics.assigned - metrics.predictions);
  return {
    requests: Math.max(metrics.assigned, metrics.predictions),
    predictions: metrics.predictions,
    accuracy: metrics.labelled > 0 ? metrics.correct / metrics.labelled : null,
    f1: precisionBase > 0 && recallBase > 0 ? (2 * metrics.truePositives) / f1Base : null,
    confidence: meanOf(metrics.confidenceSum, metrics.confidenceSumSquares, metrics.texts),
    latencyMs: meanOf(metrics.latencySumMs, metrics.latencySumSquaresMs, metrics.predictions),
    latencyP95Ms: latencyQuantileMs(metrics, 0.95),
    errorRate: metrics.assigned > 0 ? errors / metrics.assigned : null,
    errors,
  };
}
