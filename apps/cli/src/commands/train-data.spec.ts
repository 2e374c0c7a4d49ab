import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { run } from '../run';
import { captureIo as io } from '../testing';

const repoRoot = path.resolve(__dirname, '../../../..');
const sampleArchive = path.join(repoRoot, 'libs/training/testdata/sst2-sample.zip');
const vocabFile = path.resolve(repoRoot, process.env.VOCAB_FILE || '../shared/models/bert-base-uncased/vocab.txt');

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

test('data download sst2 unpacks the GLUE archive (a local copy) into the destination', async () => {
  const dest = tmp('sst2-');
  const t = io();
  assert.equal(await run(['data', 'download', 'sst2', '--from', sampleArchive, '--dest', dest], t.io), 0, t.err());
  assert.deepEqual(fs.readdirSync(dest).sort(), ['dev.tsv', 'test.tsv', 'train.tsv']);
  assert.match(fs.readFileSync(path.join(dest, 'train.tsv'), 'utf8'), /^sentence\tlabel\nhide new secretions/);
  assert.match(t.out(), /3 training examples/);
});

test('data download refuses an archive without SST-2 in it, and writes nothing', async () => {
  const dest = path.join(tmp('sst2-'), 'out');
  const bogus = path.join(tmp('zip-'), 'x.zip');
  fs.writeFileSync(bogus, 'not a zip');
  await assert.rejects(run(['data', 'download', 'sst2', '--from', bogus, '--dest', dest], io().io), /not a zip archive/);
  assert.equal(fs.existsSync(dest), false);
});

test('data generate writes rows marked synthetic, and data validate reports them and passes', async () => {
  const file = path.join(tmp('gen-'), 'demo.jsonl');
  const generate = io();
  assert.equal(await run(['data', 'generate', '--count', '800', '--seed', '4', '--out', file], generate.io), 0);
  assert.match(generate.err(), /800 SYNTHETIC examples/);
  const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 800);
  assert.ok(rows.every((r) => r.synthetic === true && (r.label === 0 || r.label === 1)));
  const validate = io();
  assert.equal(await run(['data', 'validate', file], validate.io), 0, validate.out());
  assert.match(validate.out(), /SYNTHETIC data: for demos only\): PASSED/);
});

test('data validate exits 1 with the failed check named when the data is bad', async () => {
  const file = path.join(tmp('bad-'), 'bad.csv');
  fs.writeFileSync(file, `text,label\n${Array.from({ length: 200 }, (_, i) => `great ${i},1`).join('\n')}\n`);
  const t = io();
  assert.equal(await run(['data', 'validate', file], t.io), 1);
  assert.match(t.out(), /FAIL class balance: NEGATIVE 0, POSITIVE 200/);
});

test('train refuses unknown parameters before publishing anything', async () => {
  const t = io({ KAFKA_BROKERS: '127.0.0.1:1' });
  assert.equal(await run(['train', '--param', 'epochz=3'], t.io), 2);
  assert.match(t.err(), /unknown field 'epochz'/);
});

test('train --local trains, gates and registers; predict --file then scores a file offline, in order', { skip: fs.existsSync(vocabFile) ? false : `missing ${vocabFile}` }, async () => {
  const dir = tmp('cli-train-');
  const data = path.join(dir, 'reviews.jsonl');
  assert.equal(await run(['data', 'generate', '--count', '1500', '--seed', '2', '--out', data], io().io), 0);
  const env = { MODEL_STORE_DIR: path.join(dir, 'store'), MODEL_NAME: 'cli-test' };
  const train = io(env);
  const params = ['epochs=4', 'learningRate=0.05', 'dim=16', 'bigramBuckets=1000'].flatMap((p) => ['--param', p]);
  assert.equal(await run(['train', '--local', '--dataset', data, ...params], train.io), 0, train.out() + train.err());
  assert.match(train.out(), /cli-test\/v1 registered: test accuracy \d+\.\d+%/);
  assert.equal(new ModelStore(env.MODEL_STORE_DIR).aliases('cli-test').production, 'v1');

  const texts = path.join(dir, 'texts.txt');
  const lines = ['the film was truly wonderful', 'the plot was utterly awful .', '', 'i thought the cast was superb'];
  fs.writeFileSync(texts, `${lines.join('\n')}\n`);
  const predict = io(env);
  assert.equal(await run(['predict', '--file', texts, '--batch-size', '2'], predict.io), 0, predict.err());
  const answers = predict.out().trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(answers.length, lines.length, 'one answer per input line, the empty one included');
  assert.deepEqual(Object.keys(answers[0]).sort(), ['confidence', 'prediction']);
  assert.deepEqual([answers[0], answers[1], answers[3]].map((a) => a.prediction), ['POSITIVE', 'NEGATIVE', 'POSITIVE']);
  assert.ok(answers.every((a) => a.confidence >= 0.5 && a.confidence <= 1));

  const missing = io(env);
  assert.equal(await run(['predict', '--file', texts, '--model-version', 'v9'], missing.io), 2);
  assert.match(missing.err(), /no version or alias 'v9'/);
});
