import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppMetrics, createLogger } from '@mlops/observability';
import type { FeatureDriftEvent, PredictionLog, TrainingRequest } from '@mlops/schemas';
import { featureStoreMetrics } from '../metrics';
import { TextProfiler } from '../text-profile';
import { DriftMonitor, type DriftOptions } from './drift-monitor';
import { buildReferenceProfile } from './reference-profile';
import { seededRandom as random } from '@mlops/statistics';

const WORDS = ['the', 'film', 'is', 'a', 'good', 'bad', 'story', 'of', 'love', 'and', 'war', 'with', 'great', 'acting', 'dull', 'plot'];
const profiler = TextProfiler.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', ...WORDS]);

/** Review-like texts of 4-15 known words; `shifted` ones are longer and half unknown words. */
function texts(count: number, seed: number, shifted = false): string[] {
  const next = random(seed);
  return Array.from({ length: count }, () => {
    const words = (shifted ? 12 : 4) + Math.floor(next() * 12);
    return Array.from({ length: words }, () => (shifted && next() < 0.5 ? `qx${Math.floor(next() * 1000)}` : WORDS[Math.floor(next() * WORDS.length)])).join(' ');
  });
}

const options: DriftOptions = {
  windowSize: 300,
  minWindowSize: 50,
  maxWindowMs: 60_000,
  confidenceBaselineSize: 300,
  thresholds: { psi: 0.1, pValue: 0.05, bins: 10 },
  retrainOnDrift: true,
  retrainCooldownMs: 3_600_000,
  modelName: 'distilbert-sentiment',
};

function harness() {
  let now = Date.UTC(2024, 0, 15, 10);
  const reference = texts(3000, 1);
  const labels = reference.map((_, i) => (i % 2 ? 'POSITIVE' : 'NEGATIVE'));
  const profile = buildReferenceProfile({ texts: reference, labels, source: 'synthetic' }, profiler, { topK: 10, now });
  const events: FeatureDriftEvent[] = [];
  const trainings: TrainingRequest[] = [];
  const metrics = featureStoreMetrics(new AppMetrics('feature-store'));
  const monitor = new DriftMonitor({
    profile,
    options,
    clock: () => now,
    metrics,
    logger: createLogger({ app: 'spec', level: 'silent' }),
    publishDriftEvent: async (event) => void events.push(event),
    requestTraining: async (request) => void trainings.push(request),
  });
  let request = 0;
  const feed = async (batch: string[], confidence: () => number, label = (i: number) => (i % 2 ? 'POSITIVE' : 'NEGATIVE')) => {
    for (const [i, text] of batch.entries()) {
      const log: PredictionLog = {
        schemaVersion: 1,
        requestId: `r${request++}`,
        modelName: 'm',
        modelVersion: 'v1',
        texts: [text],
        predictions: [{ label: label(i), confidence: confidence() }],
        routing: { reason: 'alias', shadow: false },
        latencyMs: 1,
        timestamp: now,
      };
      await monitor.observe(log, [profiler.profile(text)]);
      now += 10;
    }
  };
  return { monitor, events, trainings, metrics, feed, advance: (ms: number) => (now += ms) };
}

test('windows from the reference distribution raise no drift, for inputs or for confidence', async () => {
  const h = harness();
  const confidence = random(7);
  await h.feed(texts(300, 2), () => 0.6 + 0.4 * confidence()); // the confidence baseline
  await h.feed(texts(1500, 3), () => 0.6 + 0.4 * confidence());
  const report = h.monitor.report();
  assert.equal(report.windows_evaluated, 6);
  assert.deepEqual(report.features.map((f) => f.feature), ['text_length', 'token_count', 'oov_rate', 'vocabulary', 'predicted_label']);
  assert.deepEqual(report.features.filter((f) => f.detected), []);
  assert.equal(report.prediction_confidence[0]?.detected, false);
  assert.deepEqual(h.events, []);
  assert.deepEqual(h.trainings, []);
  const psi = await h.metrics.driftPsi.get();
  assert.ok(psi.values.every((v) => v.value < 0.1), 'every PSI gauge below the threshold');
});

test('a shifted stream is detected per feature, published once, asks for retraining once, and resolves when traffic returns', async () => {
  const h = harness();
  const confidence = random(9);
  await h.feed(texts(300, 4), () => 0.6 + 0.4 * confidence());
  await h.feed(texts(300, 5), () => 0.6 + 0.4 * confidence());
  await h.feed(texts(600, 6, true), () => 0.5 + 0.15 * confidence(), () => 'NEGATIVE');
  const detected = h.events.filter((e) => e.type === 'drift-detected').map((e) => e.feature).sort();
  assert.deepEqual(detected, ['oov_rate', 'predicted_label', 'prediction_confidence', 'text_length', 'token_count', 'vocabulary']);
  assert.equal(h.events.find((e) => e.feature === 'prediction_confidence')?.modelVersion, 'v1');
  assert.equal(h.trainings.length, 1, 'the second shifted window is within the cooldown');
  assert.equal(h.trainings[0].reason, 'drift');
  const flags = await h.metrics.driftDetected.get();
  assert.ok(flags.values.filter((v) => v.value === 1).length >= 5);
  await h.feed(texts(300, 8), () => 0.6 + 0.4 * confidence());
  assert.ok(h.events.some((e) => e.type === 'drift-resolved' && e.feature === 'text_length'));
});

test('a window that waited long enough is tested with fewer texts', async () => {
  const h = harness();
  await h.feed(texts(60, 10), () => 0.9);
  assert.equal(h.monitor.report().windows_evaluated, 0);
  await h.monitor.tick(); // not yet old
  assert.equal(h.monitor.report().windows_evaluated, 0);
  h.advance(options.maxWindowMs);
  await h.monitor.tick();
  assert.equal(h.monitor.report().windows_evaluated, 1);
  assert.equal(h.monitor.report().features[0].live_size, 60);
});
