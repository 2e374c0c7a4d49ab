import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import type { ModelEvent } from '@mlops/schemas';
import { scoreLogits } from '../train/evaluate';
import { DEFAULT_GATES, applyGates } from './gates';
import { registerModel } from './registration';

/** Logits for `labels` that are right on `correct` of them, with confidence ~0.88. */
function evaluation(labels: number[], correct: number) {
  const logits = new Float32Array(labels.length * 2);
  labels.forEach((label, i) => {
    const predicted = i < correct ? label : 1 - label;
    logits[i * 2 + predicted] = 2;
  });
  return scoreLogits(logits, Int32Array.from(labels), 2);
}

const labels = Array.from({ length: 200 }, (_, i) => i % 2);
const fastLatency = { sentences: 100, p50Ms: 0.1, p95Ms: 0.2 };

test('accuracy, F1, calibration and confusion come from the logits', () => {
  const score = evaluation(labels, 180);
  assert.equal(score.accuracy, 0.9);
  assert.deepEqual(score.confusion, [[90, 10], [10, 90]]);
  assert.ok(Math.abs(score.f1 - 0.9) < 1e-9);
  // Every prediction has confidence 0.8808 and 90% are right: ECE = |0.9 - 0.8808|.
  assert.ok(Math.abs(score.ece - Math.abs(0.9 - 1 / (1 + Math.exp(-2)))) < 1e-6);
});

test('a good candidate passes every gate, each with its figure', () => {
  const report = applyGates(evaluation(labels, 180), fastLatency, { version: 'v1', accuracy: 0.9 }, DEFAULT_GATES);
  assert.equal(report.passed, true);
  assert.deepEqual(report.gates.map((g) => g.name), ['accuracy', 'f1', 'no regression', 'latency', 'calibration']);
  assert.match(report.gates[2].detail, /vs production v1 90.00%/);
});

test('low accuracy, a regression against production and slow latency each fail, with reasons', () => {
  const report = applyGates(evaluation(labels, 160), { ...fastLatency, p95Ms: 50 }, { version: 'v3', accuracy: 0.9 }, DEFAULT_GATES);
  assert.equal(report.passed, false);
  assert.deepEqual(report.reasons.map((r) => r.split(':')[0]), ['accuracy', 'f1', 'no regression', 'latency']);
  assert.match(report.reasons[2], /test accuracy 80.00% vs production v3 90.00% \(tolerance 0.50%\)/);
});

test('a drop within the tolerance is not a regression', () => {
  const report = applyGates(evaluation(labels, 179), fastLatency, { version: 'v1', accuracy: 0.9 }, { ...DEFAULT_GATES, maxRegression: 0.01 });
  assert.equal(report.gates.find((g) => g.name === 'no regression')?.passed, true);
});

function tempStore(): ModelStore {
  return new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'store-')));
}

const fakeVersion = { model: new Uint8Array([8, 1]), vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'], config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 8 }, documents: { 'metrics.json': { test: { accuracy: 0.9 } } } };

test('a passing version is registered, takes candidate and (first one) production, and each step is published', async () => {
  const store = tempStore();
  const events: ModelEvent[] = [];
  const result = await registerModel(store, { modelName: 'm', ...fakeVersion, passed: true, reasons: [], promote: false }, async (e) => void events.push(e));
  assert.equal(result.status, 'registered');
  assert.deepEqual(store.aliases('m'), { candidate: 'v1', production: 'v1' });
  assert.deepEqual(events.map((e) => e.type), ['version-registered', 'alias-moved', 'alias-moved']);
  assert.deepEqual(store.readDocument('m', 'v1', 'metrics.json'), { test: { accuracy: 0.9 } });

  // The second passing version takes candidate only, unless promotion is asked for.
  await registerModel(store, { modelName: 'm', ...fakeVersion, passed: true, reasons: [], promote: false });
  assert.deepEqual(store.aliases('m'), { candidate: 'v2', production: 'v1' });
  const promoted = await registerModel(store, { modelName: 'm', ...fakeVersion, passed: true, reasons: [], promote: true });
  assert.deepEqual(promoted.aliasesMoved, [{ alias: 'candidate', previousVersion: 'v2' }, { alias: 'production', previousVersion: 'v1' }]);
});

test('a version that fails a gate is kept as rejected, with why, and no alias moves', async () => {
  const store = tempStore();
  const events: ModelEvent[] = [];
  const result = await registerModel(store, { modelName: 'm', ...fakeVersion, passed: false, reasons: ['accuracy: test accuracy 60.00% (minimum 85.00%)'], promote: true }, async (e) => void events.push(e));
  assert.equal(result.status, 'rejected');
  const version = store.readVersion('m', result.version);
  assert.equal(version.manifest.status, 'rejected');
  assert.deepEqual(version.manifest.reasons, ['accuracy: test accuracy 60.00% (minimum 85.00%)']);
  assert.deepEqual(store.aliases('m'), {});
  assert.deepEqual(events.map((e) => e.type), ['version-rejected']);
  assert.match((events[0] as { reason?: string }).reason ?? '', /accuracy 60.00%/);
});
