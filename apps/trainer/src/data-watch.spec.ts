import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { checkDataChange } from './data-watch';

test('new data (a new content hash) against production\'s lineage is a change; the same data is not', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'data-watch-'));
  const store = new ModelStore(path.join(dir, 'store'));
  const data = path.join(dir, 'train.tsv');
  fs.writeFileSync(data, 'sentence\tlabel\ngood\t1\nbad\t0\n');

  const first = checkDataChange(store, 'm', data);
  assert.equal(first.changed, true, 'no production yet: train');

  store.registerVersion('m', { model: new Uint8Array([1]), vocab: ['[PAD]'], config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' } }, documents: { 'lineage.json': { dataHash: first.dataHash } } });
  store.setAlias('m', 'production', 'v1');
  assert.equal(checkDataChange(store, 'm', data).changed, false);

  fs.appendFileSync(data, 'fine\t1\n');
  const after = checkDataChange(store, 'm', data);
  assert.equal(after.changed, true);
  assert.equal(after.trainedOn, first.dataHash);
  fs.rmSync(dir, { recursive: true });
});
