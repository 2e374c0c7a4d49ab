import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveAccuracy } from './live-accuracy';

function tracker(options: Partial<ConstructorParameters<typeof LiveAccuracy>[0]> = {}) {
  let now = 1_000_000;
  const accuracy = new LiveAccuracy({ maxRequests: 100, windowMs: 300_000, resolutionMs: 1000, now: () => now, ...options });
  return { accuracy, advance: (ms: number) => (now += ms) };
}

test('feedback is scored against the answer this gateway gave, per model version', () => {
  const { accuracy } = tracker();
  accuracy.recordPrediction('r1', 'v1', ['POSITIVE']);
  accuracy.recordPrediction('r2', 'v1', ['NEGATIVE', 'POSITIVE']);
  accuracy.recordPrediction('r3', 'v2', ['POSITIVE']);
  assert.equal(accuracy.recordLabel('r1', 0, 'POSITIVE'), true);
  assert.equal(accuracy.recordLabel('r2', 1, 'NEGATIVE'), true);
  assert.equal(accuracy.recordLabel('r3', 0, 'POSITIVE'), true);
  const snapshot = accuracy.snapshot();
  assert.deepEqual(snapshot.totals, { v1: { labelled: 2, correct: 1 }, v2: { labelled: 1, correct: 1 } });
  assert.deepEqual(
    snapshot.points.map((p) => [p.modelVersion, p.accuracy, p.labelled]),
    [
      ['v1', 0.5, 2],
      ['v2', 1, 1],
    ],
    'one point per version within the same second, holding the latest figure',
  );
});

test('a resent label, an unknown request and an index past the batch do not move the figure', () => {
  const { accuracy } = tracker();
  accuracy.recordPrediction('r1', 'v1', ['POSITIVE']);
  assert.equal(accuracy.recordLabel('r1', 0, 'POSITIVE'), true);
  assert.equal(accuracy.recordLabel('r1', 0, 'NEGATIVE'), false);
  assert.equal(accuracy.recordLabel('elsewhere', 0, 'NEGATIVE'), false);
  assert.equal(accuracy.recordLabel('r1', 3, 'NEGATIVE'), false);
  const snapshot = accuracy.snapshot();
  assert.deepEqual(snapshot.totals, { v1: { labelled: 1, correct: 1 } });
  assert.equal(snapshot.unmatched, 2);
});

test('memory is bounded: the oldest answers are forgotten first, old points leave the window', () => {
  const { accuracy, advance } = tracker({ maxRequests: 2, windowMs: 10_000 });
  for (const id of ['r1', 'r2', 'r3']) accuracy.recordPrediction(id, 'v1', ['POSITIVE']);
  assert.equal(accuracy.recordLabel('r1', 0, 'POSITIVE'), false, 'r1 was forgotten');
  assert.equal(accuracy.recordLabel('r2', 0, 'POSITIVE'), true);
  advance(5_000);
  assert.equal(accuracy.recordLabel('r3', 0, 'NEGATIVE'), true);
  assert.equal(accuracy.snapshot().points.length, 2, 'a later second is a new point');
  advance(20_000);
  accuracy.recordPrediction('r4', 'v1', ['NEGATIVE']);
  accuracy.recordLabel('r4', 0, 'NEGATIVE');
  const points = accuracy.snapshot().points;
  assert.equal(points.length, 1, 'points older than the window are dropped');
  assert.ok(Math.abs(points[0].accuracy - 2 / 3) < 1e-12);
});
