import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { run } from '../run';
import { captureIo as io } from '../testing';

const config = { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_position_embeddings: 64 };

test('models list shows versions with status, aliases and test accuracy', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-store-'));
  const store = new ModelStore(dir);
  store.registerVersion('sentiment', { model: new Uint8Array([1]), vocab: ['a'], config, documents: { 'metrics.json': { test: { accuracy: 0.8731 } } } });
  store.registerVersion('sentiment', { model: new Uint8Array([1]), vocab: ['a'], config, status: 'rejected', reasons: ['too slow'] });
  store.setAlias('sentiment', 'production', 'v1');
  const t = io({ MODEL_STORE_DIR: dir });
  assert.equal(await run(['models', 'list'], t.io), 0);
  assert.match(t.out(), /sentiment\s+v1\s+registered\s+production\s+0\.8731/);
  assert.match(t.out(), /sentiment\s+v2\s+rejected\s+-\s+-/);
  const show = io({ MODEL_STORE_DIR: dir });
  assert.equal(await run(['models', 'show', 'sentiment', 'production'], show.io), 0);
  assert.equal(JSON.parse(show.out()).version, 'v1');
});

test('bad subcommands and unknown versions exit 2 with a message; --help exits 0', async () => {
  const t = io({ MODEL_STORE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-store-')) });
  assert.equal(await run(['models', 'frobnicate'], t.io), 2);
  assert.match(t.err(), /unknown subcommand 'frobnicate'/);
  assert.equal(await run(['models', 'show', 'sentiment', 'v7'], t.io), 2);
  assert.match(t.err(), /has no version or alias 'v7'/);
  const help = io();
  assert.equal(await run(['models', '--help'], help.io), 0);
  assert.match(help.out(), /Usage: mlops models/);
});

test('predict with the gateway down says how to start it, exit 1', async () => {
  const t = io({ GATEWAY_URL: 'http://127.0.0.1:1' });
  assert.equal(await run(['predict', 'hello'], t.io), 1);
  assert.match(t.err(), /cannot reach the gateway at http:\/\/127\.0\.0\.1:1.*npm start/);
  const none = io();
  assert.equal(await run(['predict'], none.io), 2);
});
