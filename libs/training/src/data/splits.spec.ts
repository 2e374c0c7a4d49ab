import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitDataset } from './splits';
import { generateSynthetic } from './synthetic';

const examples = generateSynthetic({ count: 5000, seed: 3 }).map(({ text, label }, i) => ({ text: `${text} ${i}`, label }));

test('the same seed gives the same splits; another seed gives others', () => {
  const a = splitDataset(examples, { validationFraction: 0.1, testFraction: 0.1, seed: 1 });
  const b = splitDataset(examples, { validationFraction: 0.1, testFraction: 0.1, seed: 1 });
  const c = splitDataset(examples, { validationFraction: 0.1, testFraction: 0.1, seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
});

test('split sizes follow the fractions (within 2 points) and every example lands once', () => {
  const { train, validation, test: testSplit } = splitDataset(examples, { validationFraction: 0.1, testFraction: 0.2, seed: 7 });
  assert.equal(train.length + validation.length + testSplit.length, examples.length);
  assert.ok(Math.abs(testSplit.length / examples.length - 0.2) < 0.02, `test share ${testSplit.length / examples.length}`);
  assert.ok(Math.abs(validation.length / examples.length - 0.1) < 0.02, `validation share ${validation.length / examples.length}`);
});

test('copies of a text (up to case and spacing) always land in the same split', () => {
  const copies = examples.slice(0, 300).flatMap((e) => [e, { ...e, text: `  ${e.text.toUpperCase()} ` }]);
  const { train, validation, test: testSplit } = splitDataset(copies, { validationFraction: 0.2, testFraction: 0.2, seed: 5 });
  const key = (t: string) => t.trim().toLowerCase();
  const trainKeys = new Set(train.map((e) => key(e.text)));
  assert.equal([...validation, ...testSplit].filter((e) => trainKeys.has(key(e.text))).length, 0);
});

test('adding rows does not move the rows already split', () => {
  const before = splitDataset(examples.slice(0, 4000), { validationFraction: 0.1, testFraction: 0.1, seed: 9 });
  const after = splitDataset(examples, { validationFraction: 0.1, testFraction: 0.1, seed: 9 });
  assert.deepEqual(after.test.slice(0, before.test.length), before.test);
});

test('fractions that leave no training data are refused', () => {
  assert.throws(() => splitDataset(examples, { validationFraction: 0.5, testFraction: 0.5, seed: 1 }), RangeError);
});
