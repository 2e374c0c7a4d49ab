import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from './model-store';

const config = { architectures: ['DistilBertForSequenceClassification'], id2label: { '0': 'NEGATIVE', '1': 'POSITIVE' }, max_position_embeddings: 512, max_length: 64 };

function newStore(): ModelStore {
  return new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'store-')));
}

test('versions are numbered, immutable folders and aliases point at them', () => {
  const store = newStore();
  const v1 = store.registerVersion('sentiment', { model: new Uint8Array([1, 2]), vocab: ['[PAD]', '[UNK]'], config, documents: { 'metrics.json': { accuracy: 0.9 } } });
  const v2 = store.registerVersion('sentiment', { model: new Uint8Array([3]), vocab: ['[PAD]'], config });
  assert.deepEqual([v1, v2], ['v1', 'v2']);
  assert.equal(store.setAlias('sentiment', 'production', 'v1'), undefined);
  assert.equal(store.setAlias('sentiment', 'production', 'v2'), 'v1');
  assert.equal(store.resolve('sentiment', 'production'), 'v2');
  assert.equal(store.resolve('sentiment', 'v1'), 'v1');
  const version = store.readVersion('sentiment', 'v1');
  assert.deepEqual(version.config.labels, ['NEGATIVE', 'POSITIVE']);
  assert.equal(version.config.maxLength, 64);
  assert.equal(version.modelSizeBytes, 2);
  assert.deepEqual(store.readDocument('sentiment', 'v1', 'metrics.json'), { accuracy: 0.9 });
});

test('version ten sorts after version nine', () => {
  const store = newStore();
  for (let i = 0; i < 10; i++) store.registerVersion('m', { model: new Uint8Array([i]), vocab: ['a'], config });
  assert.equal(store.listVersions('m').at(-1), 'v10');
  assert.equal(store.nextVersion('m'), 'v11');
});

test('a rejected version keeps its reasons and cannot take an alias', () => {
  const store = newStore();
  const v = store.registerVersion('m', { model: new Uint8Array([1]), vocab: ['a'], config, status: 'rejected', reasons: ['accuracy 0.70 < 0.85'] });
  assert.deepEqual(store.readVersion('m', v).manifest.reasons, ['accuracy 0.70 < 0.85']);
  assert.throws(() => store.setAlias('m', 'production', v), /is rejected/);
});

test('a Hugging Face export dropped in by hand is a registered version', () => {
  const store = newStore();
  const dir = path.join(store.rootDir, 'distilbert-base-uncased-finetuned-sst-2-english', 'hf');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), 'x');
  fs.writeFileSync(path.join(dir, 'vocab.txt'), '[PAD]\n');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_position_embeddings: 512, architectures: ['DistilBertForSequenceClassification'] }));
  const version = store.readVersion('distilbert-base-uncased-finetuned-sst-2-english', 'hf');
  assert.equal(version.manifest.status, 'registered');
  assert.equal(version.config.maxLength, 512);
  assert.equal(version.config.architecture, 'DistilBertForSequenceClassification');
});

test('unknown versions, bad names and broken configs get clear errors', () => {
  const store = newStore();
  assert.throws(() => store.resolve('m', 'production'), /has no version or alias 'production'/);
  assert.throws(() => store.readVersion('m', '../etc'), /must be 1-128 letters/);
  assert.throws(() => store.registerVersion('m', { model: new Uint8Array(), vocab: [], config: { id2label: { 1: 'A' } } }), /id2label must map 0..n-1/);
});
