import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutcomeJoin } from './outcome-join';

const answer = { modelVersion: 'v1', shadow: false, experimentId: 'e', variant: 'control', labels: ['POSITIVE', 'NEGATIVE'] };
const shadowCopy = { ...answer, modelVersion: 'v2', shadow: true, variant: 'treatment', labels: ['NEGATIVE', 'NEGATIVE'] };

test('feedback joins the prediction of its text, whichever arrives first, for the answer and its shadow copy', () => {
  const join = new OutcomeJoin(100);
  assert.deepEqual(join.addPrediction('r1', answer), []);
  const [outcome] = join.addLabel('r1', 1, 'NEGATIVE') || [];
  assert.deepEqual([outcome.scored.variant, outcome.predicted, outcome.actual], ['control', 'NEGATIVE', 'NEGATIVE']);
  // The shadow copy is logged after the feedback: it still gets its outcome.
  const late = join.addPrediction('r1', shadowCopy) || [];
  assert.deepEqual(late.map((o) => [o.scored.variant, o.predicted]), [['treatment', 'NEGATIVE']]);
});

test('redelivered predictions and labels are recognised and count once', () => {
  const join = new OutcomeJoin(100);
  join.addLabel('r1', 0, 'POSITIVE');
  assert.equal((join.addPrediction('r1', answer) || []).length, 1);
  assert.equal(join.addPrediction('r1', answer), false);
  assert.equal(join.addLabel('r1', 0, 'POSITIVE'), false);
});

test('the join forgets the oldest requests beyond its bound; a label for an unknown text index joins nothing', () => {
  const join = new OutcomeJoin(1_000);
  for (let i = 0; i < 5_000; i++) join.addPrediction(`r${i}`, answer);
  assert.equal(join.size.predictions, 1_000);
  assert.deepEqual(join.addLabel('r0', 0, 'POSITIVE'), []);
  assert.equal((join.addLabel('r4999', 0, 'POSITIVE') || []).length, 1);
  assert.deepEqual(join.addLabel('r4998', 7, 'POSITIVE'), []);
});
