import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataset, LabelledText } from './dataset';
import { splitDataset } from './splits';
import { cleanExamples, contentHash, formatValidationReport, validateDataset } from './validation';
import { generateSynthetic } from './synthetic';

function dataset(examples: LabelledText[], problems: Dataset['problems'] = []): Dataset {
  return { source: 'mem', format: 'jsonl', labels: ['NEGATIVE', 'POSITIVE'], examples, problems };
}

const balanced = generateSynthetic({ count: 400, seed: 1 }).map(({ text, label }, i) => ({ text: `${text} #${i}`, label }));

test('clean, balanced data passes every check and has a content hash', () => {
  const report = validateDataset(dataset(balanced), { splits: splitDataset(balanced) });
  assert.equal(report.passed, true, formatValidationReport(report));
  assert.match(report.contentHash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(report.splits?.overlappingEvaluationTexts, 0);
});

test('empty texts, schema errors, conflicting duplicates and imbalance each fail their check, with figures', () => {
  const skewed = [...balanced.filter((e) => e.label === 1), ...balanced.filter((e) => e.label === 0).slice(0, 10)];
  const conflicts = [0, 1, 2, 3, 4].flatMap((i) => [{ text: `same ${i}`, label: 0 }, { text: `SAME ${i} `, label: 1 }]);
  const examples = [...skewed, { text: '   ', label: 0 }, ...conflicts];
  const report = validateDataset(dataset(examples, [{ line: 3, message: 'label is bad' }]));
  const failed = report.checks.filter((c) => !c.passed).map((c) => c.name);
  assert.deepEqual(failed.sort(), ['class balance', 'conflicting duplicates', 'empty texts', 'schema'].sort());
  assert.equal(report.conflictingTexts, 5);
  assert.equal(report.passed, false);
  assert.match(formatValidationReport(report), /FAIL empty texts: 1 empty or whitespace-only texts/);
});

test('thresholds are configurable: a duplicate-heavy file passes only with a looser limit', () => {
  const repeated = [...balanced, ...balanced.slice(0, 100)];
  assert.equal(validateDataset(dataset(repeated)).passed, false);
  assert.equal(validateDataset(dataset(repeated), { thresholds: { maxDuplicateFraction: 0.3 } }).passed, true);
});

test('overlap between train and evaluation splits is caught', () => {
  const splits = splitDataset(balanced);
  const leaky = { ...splits, train: [...splits.train, splits.test[0]] };
  const report = validateDataset(dataset(balanced), { splits: leaky });
  assert.equal(report.checks.find((c) => c.name === 'split overlap')?.passed, false);
});

test('the content hash changes when one label changes, and not when nothing does', () => {
  const flipped = balanced.map((e, i) => (i === 5 ? { ...e, label: 1 - e.label } : e));
  assert.equal(contentHash(balanced), contentHash(balanced.map((e) => ({ ...e }))));
  assert.notEqual(contentHash(balanced), contentHash(flipped));
});

test('cleaning drops empty texts and conflicts and keeps the first copy of a repeat', () => {
  const kept = cleanExamples([{ text: 'a', label: 1 }, { text: ' A ', label: 1 }, { text: 'b', label: 0 }, { text: 'b', label: 1 }, { text: ' ', label: 0 }]);
  assert.deepEqual(kept, [{ text: 'a', label: 1 }]);
});
