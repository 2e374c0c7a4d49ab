import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRuns } from './length-buckets';

test('with a costly run, a mixed batch stays one run', () => {
  assert.deepEqual(planRuns([10, 60, 12], 10_000), [[0, 2, 1]]);
});

test('with a cheap run, short and long sequences run apart, so short ones are not padded to the long', () => {
  const runs = planRuns([12, 100, 10, 98, 11], 30);
  assert.deepEqual(runs, [[2, 4, 0], [3, 1]]);
});

test('every row is planned exactly once, also for an empty batch', () => {
  assert.deepEqual(planRuns([], 5), []);
  const lengths = Array.from({ length: 40 }, (_, i) => 5 + ((i * 37) % 60));
  const planned = planRuns(lengths, 20).flat().sort((a, b) => a - b);
  assert.deepEqual(planned, lengths.map((_, i) => i));
});
