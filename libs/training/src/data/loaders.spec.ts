import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetError, loadDataset, parseCsv, parseJsonl, parseTsv } from './loaders';

test('SST-2 TSV: sentence and label columns, texts kept as written', () => {
  const dataset = parseTsv('sentence\tlabel\nhide new secretions from the parental units \t0\na gorgeous film\t1\n');
  assert.deepEqual(dataset.examples, [
    { text: 'hide new secretions from the parental units ', label: 0 },
    { text: 'a gorgeous film', label: 1 },
  ]);
  assert.deepEqual(dataset.problems, []);
});

test('CSV: quoted fields with commas, doubled quotes and newlines; labels by name or index', () => {
  const dataset = parseCsv('label,text\nPOSITIVE,"great, really ""great"""\nnegative,"two\nlines"\n1,plain\n');
  assert.deepEqual(dataset.examples, [
    { text: 'great, really "great"', label: 1 },
    { text: 'two\nlines', label: 0 },
    { text: 'plain', label: 1 },
  ]);
});

test('JSONL: bad rows are reported with their line, good rows kept, synthetic rows mark the file', () => {
  const dataset = parseJsonl('{"text":"fine","label":1}\nnot json\n{"text":"odd","label":"maybe"}\n{"label":0}\n{"text":"made up","label":0,"synthetic":true}\n');
  assert.deepEqual(dataset.examples, [{ text: 'fine', label: 1 }, { text: 'made up', label: 0 }]);
  assert.deepEqual(dataset.problems.map((p) => p.line), [2, 3, 4]);
  assert.match(dataset.problems[1].message, /label 'maybe' is not one of 0\/NEGATIVE, 1\/POSITIVE/);
  assert.equal(dataset.synthetic, true);
});

test('a header without a text or label column fails naming the columns it wants', () => {
  assert.throws(() => parseTsv('review\tscore\nx\t1\n', 'reviews.tsv'), (error: Error) => error instanceof DatasetError && /reviews.tsv: the header must name a text column \(text or sentence\) and a label column/.test(error.message));
});

test('loadDataset picks the parser by extension and refuses unknown ones', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loaders-'));
  fs.writeFileSync(path.join(dir, 'a.csv'), 'text,label\nok,1\n');
  fs.writeFileSync(path.join(dir, 'a.txt'), 'ok');
  assert.equal(loadDataset(path.join(dir, 'a.csv')).format, 'csv');
  assert.throws(() => loadDataset(path.join(dir, 'a.txt')), /unknown dataset format '.txt'/);
  assert.throws(() => loadDataset(path.join(dir, 'missing.tsv')), /dataset not found/);
  fs.rmSync(dir, { recursive: true });
});
