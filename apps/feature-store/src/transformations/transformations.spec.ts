import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureValue, PredictionLog } from '@mlops/schemas';
import { builtinDefinitions } from '../definitions/builtin-views';
import { resolveFeatureView, type ResolvedFeatureView } from '../definitions/feature-view';
import { applyDelta, toDelta } from '../materialize/aggregate-state';
import { valuesAt } from '../materialize/online-store';
import { TextProfiler, type TextProfile } from '../text-profile';
import type { EntityUpdate, LabelledPrediction } from './transformation';

const views = new Map(
  builtinDefinitions({ PredictionLog: 'predictions.log', Feedback: 'feedback' }).map((d) => [d.name, resolveFeatureView(d, { PredictionLog: 'predictions.log', Feedback: 'feedback' })]),
);
const profiler = TextProfiler.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'great', 'movie', 'bad', '##ly', '!']);
const t0 = Date.UTC(2024, 0, 15, 10, 0, 0);
const MINUTE = 60_000;

function log(overrides: Partial<PredictionLog> & { labels: Array<[string, number]> }): PredictionLog {
  const { labels, ...rest } = overrides;
  return {
    schemaVersion: 1,
    requestId: 'r1',
    modelName: 'distilbert-sentiment',
    modelVersion: 'v1',
    texts: labels.map((_, i) => `great movie ${i}`),
    predictions: labels.map(([label, confidence]) => ({ label, confidence })),
    subjectId: 'alice',
    routing: { reason: 'alias', alias: 'production', shadow: false },
    latencyMs: 12,
    timestamp: t0,
    ...rest,
  };
}

function view(name: string): ResolvedFeatureView {
  const found = views.get(name);
  if (!found) throw new Error(`no built-in view ${name}`);
  return found;
}

/** The transformation's updates for a prediction log (or labelled prediction); [] when it takes none. */
function fromPrediction(v: ResolvedFeatureView, l: PredictionLog, profiles: TextProfile[] = []): EntityUpdate[] {
  return v.transformation.fromPrediction?.(l, profiles) ?? [];
}
function fromLabelled(v: ResolvedFeatureView, labelled: LabelledPrediction): EntityUpdate[] {
  return v.transformation.fromLabelledPrediction?.(labelled) ?? [];
}

/** What a reader of the online store would get for an entity after these updates. */
function valuesAfter(v: ResolvedFeatureView, updates: EntityUpdate[], asOf: number) {
  const byEntity = new Map<string, Map<string, string>>();
  for (const u of updates) {
    const fields = byEntity.get(u.entity) ?? new Map<string, string>();
    applyDelta(fields, toDelta(u, v.windows, v.transformation.windowedAggregates));
    byEntity.set(u.entity, fields);
  }
  const values = (entity: string) => valuesAt(v, Object.fromEntries(byEntity.get(entity) ?? []), asOf);
  return {
    values,
    features(entity: string): Record<string, FeatureValue> {
      const found = values(entity);
      assert.equal(found.status, 'found', `${entity} has values`);
      return found.features ?? {};
    },
  };
}

test('subject_activity: requests, mean confidence and NEGATIVE share per window; shadows and anonymous requests ignored', () => {
  const subject = view('subject_activity');
  const logs = [
    log({ requestId: 'r1', labels: [['POSITIVE', 0.9], ['NEGATIVE', 0.7]], timestamp: t0 }),
    log({ requestId: 'r2', labels: [['NEGATIVE', 0.8]], timestamp: t0 + 30 * MINUTE, modelVersion: 'v2' }),
    log({ requestId: 'r2', labels: [['POSITIVE', 0.99]], timestamp: t0 + 30 * MINUTE, routing: { reason: 'experiment', shadow: true } }),
    log({ requestId: 'r3', labels: [['POSITIVE', 0.6]], subjectId: undefined }),
  ];
  const updates = logs.flatMap((l) => fromPrediction(subject, l));
  const alice = valuesAfter(subject, updates, t0 + 31 * MINUTE).features('alice');
  assert.equal(alice.request_count_5m, 1);
  assert.equal(alice.request_count_1h, 2);
  assert.ok(Math.abs((alice.mean_confidence_1h as number) - 0.8) < 1e-12);
  assert.ok(Math.abs((alice.negative_share_1h as number) - 2 / 3) < 1e-12);
  assert.equal(alice.request_count_total, 2);
  assert.equal(alice.last_model_version, 'v2');
});

test('a window with no events reports null means, not zeros', () => {
  const subject = view('subject_activity');
  const alice = valuesAfter(subject, fromPrediction(subject, log({ labels: [['POSITIVE', 0.9]] })), t0 + 20 * MINUTE).features('alice');
  assert.equal(alice.request_count_5m, 0);
  assert.equal(alice.mean_confidence_5m, null);
});

test('model_quality: confidence histogram and live accuracy from labelled predictions', () => {
  const quality = view('model_quality');
  const labelled = { requestId: 'r1', modelVersion: 'v1', trueLabel: 'POSITIVE', labelledAt: t0 + MINUTE };
  const updates = [
    ...fromPrediction(quality, log({ labels: [['POSITIVE', 0.97], ['NEGATIVE', 0.52], ['POSITIVE', 0.97], ['NEGATIVE', 0.81]] })),
    ...fromLabelled(quality, { ...labelled, feedbackId: 'f1', predictedLabel: 'POSITIVE' }),
    ...fromLabelled(quality, { ...labelled, feedbackId: 'f2', predictedLabel: 'NEGATIVE' }),
  ];
  const v1 = valuesAfter(quality, updates, t0 + 2 * MINUTE).features('v1');
  assert.equal(v1.prediction_count, 4);
  assert.deepEqual(v1.confidence_histogram, [0.25, 0, 0, 0, 0, 0, 0.25, 0, 0, 0.5]);
  assert.equal(v1.low_confidence_share, 0.25);
  assert.equal(v1.negative_share, 0.5);
  assert.equal(v1.feedback_count, 2);
  assert.equal(v1.live_accuracy, 0.5);
  assert.equal(v1.live_accuracy_1h, 0.5);
});

test('model_quality without feedback has no accuracy (null), not 0', () => {
  const quality = view('model_quality');
  const v1 = valuesAfter(quality, fromPrediction(quality, log({ labels: [['POSITIVE', 0.9]] })), t0).features('v1');
  assert.equal(v1.live_accuracy, null);
  assert.equal(v1.feedback_count, 0);
});

test('text_stats: length, token count and OOV rate per text hash, counted once per request', () => {
  const stats = view('text_stats');
  const texts = ['great movie!', 'badly zzz'];
  const profiles = texts.map((t) => profiler.profile(t));
  const updates = [
    ...fromPrediction(stats, log({ texts, labels: [['POSITIVE', 0.9], ['NEGATIVE', 0.9]] }), profiles),
    ...fromPrediction(stats, log({ texts, labels: [['POSITIVE', 0.9], ['NEGATIVE', 0.9]], routing: { reason: 'experiment', shadow: true } }), profiles),
  ];
  const after = valuesAfter(stats, updates, t0);
  assert.deepEqual(after.features(profiles[0].hash), { length: 12, token_count: 3, oov_rate: 0, seen_count: 1 });
  // 'badly' -> bad ##ly; 'zzz' -> [UNK]
  assert.deepEqual(after.features(profiles[1].hash), { length: 9, token_count: 3, oov_rate: 1 / 3, seen_count: 1 });
});

test('values older than the TTL read as expired', () => {
  const stats = view('text_stats');
  const profile = profiler.profile('great');
  const updates = fromPrediction(stats, log({ texts: ['great'], labels: [['POSITIVE', 0.9]] }), [profile]);
  const values = valuesAfter(stats, updates, t0 + stats.ttlMs + 1).values(profile.hash);
  assert.equal(values.status, 'expired');
  assert.equal(values.features, undefined);
});
