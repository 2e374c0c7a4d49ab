import { test } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { randomEmbeddingBagWeights, writeEmbeddingBagOnnx } from '@mlops/onnx-writer';
import { LoadedModel, OnnxClassifier, softmaxPredictions } from './index';
import { soloDecision } from './loaded-model';
import { otherLoadMeter } from './other-load';

const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'good', 'bad', 'film'];
const dims = { vocabSize: vocab.length, dim: 4, bigramBuckets: 7, hiddenDim: 0, numLabels: 2 };
const onnx = writeEmbeddingBagOnnx(dims, randomEmbeddingBagWeights(dims, 1));

test('softmax predictions: the arg-max label with its probability', () => {
  const [first, second] = softmaxPredictions(Float32Array.of(0, Math.log(3), 2, 0), 2, ['NEGATIVE', 'POSITIVE']);
  assert.equal(first.label, 'POSITIVE');
  assert.ok(Math.abs(first.confidence - 0.75) < 1e-6);
  assert.equal(second.label, 'NEGATIVE');
});

test('a registered version loads from the store and answers a text the same alone or in a padded batch', async () => {
  const store = new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-')));
  store.registerVersion('m', { model: onnx, vocab, config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 16 } });
  const model = await LoadedModel.load(store.readVersion('m', 'v1'), { intraOpThreads: 1 });
  try {
    const [alone] = await model.predict(['good film']);
    const [, inBatch] = await model.predict(['bad bad bad film film', 'good film']);
    assert.equal(inBatch.label, alone.label);
    assert.ok(Math.abs(inBatch.confidence - alone.confidence) < 1e-6);
    assert.equal(model.info.maxLength, 16);
  } finally {
    await model.dispose();
  }
});

test('a session opens from bytes as well as from a file', async () => {
  const classifier = await OnnxClassifier.create(onnx, { numLabels: 2, intraOpThreads: 1 });
  const logits = await classifier.logits({ inputIds: BigInt64Array.of(2n, 5n, 3n), attentionMask: BigInt64Array.of(1n, 1n, 1n), batchSize: 1, sequenceLength: 3 });
  assert.equal(logits.length, 2);
  await classifier.dispose();
});

test('a model on a worker thread answers exactly as on the calling thread', async () => {
  const store = new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-')));
  store.registerVersion('m', { model: onnx, vocab, config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 16 } });
  const version = store.readVersion('m', 'v1');
  const [caller, worker] = await Promise.all([LoadedModel.load(version, { intraOpThreads: 1 }), LoadedModel.load(version, { intraOpThreads: 1, thread: 'worker' })]);
  try {
    const texts = ['good film', 'bad bad film', 'film'];
    assert.deepEqual(await worker.predict(texts), await caller.predict(texts));
  } finally {
    await Promise.all([caller.dispose(), worker.dispose()]);
  }
});

test('a worker whose model cannot be opened fails the load with the reason', async () => {
  await assert.rejects(OnnxClassifier.create(Uint8Array.of(1, 2, 3), { numLabels: 2, intraOpThreads: 1, thread: 'worker' }), /protobuf|parse|model/i);
});

test('a batch split into runs by length answers each text as one padded run does, in the order given', async () => {
  const store = new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-')));
  store.registerVersion('m', { model: onnx, vocab, config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 16 } });
  const version = store.readVersion('m', 'v1');
  const [oneRun, split] = await Promise.all([LoadedModel.load(version, { intraOpThreads: 1, runOverheadTokens: Infinity }), LoadedModel.load(version, { intraOpThreads: 1, runOverheadTokens: 0 })]);
  try {
    const texts = ['good film film film bad bad good', 'bad', 'film good', 'good', 'bad bad bad bad bad bad bad film'];
    const expected = await oneRun.predict(texts);
    const actual = await split.predict(texts);
    actual.forEach((p, i) => {
      assert.equal(p.label, expected[i].label);
      assert.ok(Math.abs(p.confidence - expected[i].confidence) < 1e-6);
    });
  } finally {
    await Promise.all([oneRun.dispose(), split.dispose()]);
  }
});

test('two sessions on workers run the runs of a batch side by side and answer as one session does', async () => {
  const store = new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-')));
  store.registerVersion('m', { model: onnx, vocab, config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 16 } });
  const version = store.readVersion('m', 'v1');
  const [one, two] = await Promise.all([
    LoadedModel.load(version, { intraOpThreads: 1, runOverheadTokens: 0 }),
    LoadedModel.load(version, { intraOpThreads: 1, thread: 'worker', sessions: 2, runOverheadTokens: 0 }),
  ]);
  try {
    assert.equal(one.parallelism, 1);
    assert.equal(two.parallelism, 2);
    const texts = ['good film film film bad bad good', 'bad', 'film good', 'good', 'bad bad bad bad bad bad bad film'];
    const [expected, ...concurrent] = await Promise.all([one.predict(texts), two.predict(texts), two.predict([...texts].reverse())]);
    assert.deepEqual(concurrent[0], expected);
    assert.deepEqual(concurrent[1], [...expected].reverse());
  } finally {
    await Promise.all([one.dispose(), two.dispose()]);
  }
});

test('several sessions on the calling thread are refused: they could not run side by side', async () => {
  await assert.rejects(OnnxClassifier.create(onnx, { numLabels: 2, intraOpThreads: 1, sessions: 2 }), /2 sessions need thread 'worker'/);
});

test('a session whose worker died is replaced before the next run, which answers as before', async () => {
  const classifier = await OnnxClassifier.create(onnx, { numLabels: 2, intraOpThreads: 1, thread: 'worker' });
  const batch = { inputIds: BigInt64Array.of(2n, 5n, 3n), attentionMask: BigInt64Array.of(1n, 1n, 1n), batchSize: 1, sequenceLength: 3 };
  try {
    const before = await classifier.logits(batch);
    // What a crash in native code looks like from here: the worker thread is gone.
    const [session] = (classifier as unknown as { sessions: { worker: { terminate(): Promise<number> } }[] }).sessions;
    await session.worker.terminate();
    await new Promise((resolve) => setImmediate(resolve)); // the exit event
    assert.deepEqual(await classifier.logits(batch), before);
    assert.notEqual((classifier as unknown as { sessions: unknown[] }).sessions[0], session, 'a new session took its place');
  } finally {
    await classifier.dispose();
  }
});

test('a batch that finds the model idle runs on the solo session; runs beside it, or beside others, take the parallel sessions', async () => {
  const classifier = await OnnxClassifier.create(onnx, { numLabels: 2, intraOpThreads: 1, thread: 'worker', sessions: 2, soloThreads: 2 });
  const batch = { inputIds: BigInt64Array.of(2n, 5n, 7n, 3n), attentionMask: BigInt64Array.of(1n, 1n, 1n, 1n), batchSize: 1, sequenceLength: 4 };
  try {
    assert.equal(classifier.parallelism, 2);
    assert.ok(classifier.hasSoloSession);
    const alone = await classifier.logits(batch, { solo: true });
    assert.deepEqual(classifier.runsPerSession, [0, 0, 1]);
    // Unless asked to (work waits behind it), a run never takes it.
    assert.deepEqual(await classifier.logits(batch), alone);
    assert.deepEqual(classifier.runsPerSession, [1, 0, 1]);
    // Three at once: the first finds the model idle; the other two start beside it on the parallel sessions.
    const together = await Promise.all([1, 2, 3].map(() => classifier.logits(batch, { solo: true })));
    for (const logits of together) assert.deepEqual(logits, alone);
    assert.deepEqual(classifier.runsPerSession, [2, 1, 2]);
  } finally {
    await classifier.dispose();
  }
});

test('a model too small for threads to pay closes its solo session at load and answers on the parallel ones', async () => {
  const store = new ModelStore(fs.mkdtempSync(path.join(os.tmpdir(), 'ort-')));
  store.registerVersion('m', { model: onnx, vocab, config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 16 } });
  const version = store.readVersion('m', 'v1');
  const [plain, solo] = await Promise.all([
    LoadedModel.load(version, { intraOpThreads: 1, thread: 'worker', sessions: 2 }),
    LoadedModel.load(version, { intraOpThreads: 1, thread: 'worker', sessions: 2, soloThreads: 2 }),
  ]);
  try {
    assert.equal(plain.hasSoloSession, false);
    assert.equal(solo.hasSoloSession, false, 'a 4-wide embedding bag cannot gain a millisecond on two threads');
    assert.equal(solo.soloCheck?.decision, 'closed');
    assert.equal(solo.parallelism, 2);
    const texts = ['good film', 'bad bad film film'];
    assert.deepEqual(await solo.predict(texts, { alone: true }), await plain.predict(texts));
  } finally {
    await Promise.all([plain.dispose(), solo.dispose()]);
  }
});

test('the solo session is kept where it is clearly faster, or where other load made the timing say nothing about a model that could gain', () => {
  // DistilBERT-base on two cores, machine quiet: 12 ms against 19.
  assert.equal(soloDecision({ parallelMs: 19, soloMs: 12, otherCores: 0.1 }), 'pays');
  // The same model timed while another process kept a core busy: both sessions alike.
  assert.equal(soloDecision({ parallelMs: 26, soloMs: 26, otherCores: 1.1 }), 'kept-under-load');
  // Quiet, and no faster: threads do not pay for this model.
  assert.equal(soloDecision({ parallelMs: 26, soloMs: 24, otherCores: 0.1 }), 'closed');
  // A sub-millisecond model cannot gain a millisecond, whatever the load.
  assert.equal(soloDecision({ parallelMs: 0.2, soloMs: 0.5, otherCores: 1.5 }), 'closed');
  // Where the machine's load is not known, the timing decides alone.
  assert.equal(soloDecision({ parallelMs: 26, soloMs: 26, otherCores: undefined }), 'closed');
});

test("the other-load meter counts the machine's busy time less this process's own, per ms of wall time", () => {
  const clock = { now: 1_000, machine: 50_000, own: 700 };
  const meter = otherLoadMeter({ now: () => clock.now, machineBusyMs: () => clock.machine, ownBusyMs: () => clock.own });
  // 400 ms pass; the machine's cores were busy 700 ms of it in all, 300 of them this process's own.
  Object.assign(clock, { now: 1_400, machine: 50_700, own: 1_000 });
  assert.equal(meter.stop(), 1);
  const blind = otherLoadMeter({ now: () => clock.now, machineBusyMs: () => 0, ownBusyMs: () => clock.own });
  clock.now += 100;
  assert.equal(blind.stop(), undefined, 'no per-core times: not known');
});

test('the other-load meter sees a process spinning beside this one', async (t) => {
  const spinner = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
  t.after(() => spinner.kill('SIGKILL'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const meter = otherLoadMeter();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const others = meter.stop();
  if (others === undefined) return t.skip('no per-core CPU times on this platform');
  assert.ok(others > 0.5, `a spinning process read as ${others.toFixed(2)} cores`);
});

test('a closed solo session leaves the parallel sessions answering as before', async () => {
  const classifier = await OnnxClassifier.create(onnx, { numLabels: 2, intraOpThreads: 1, thread: 'worker', sessions: 2, soloThreads: 2 });
  const batch = { inputIds: BigInt64Array.of(2n, 5n, 3n), attentionMask: BigInt64Array.of(1n, 1n, 1n), batchSize: 1, sequenceLength: 3 };
  try {
    const before = await classifier.logits(batch, { solo: true });
    await classifier.closeSoloSession();
    assert.equal(classifier.hasSoloSession, false);
    assert.deepEqual(await classifier.logits(batch, { solo: true }), before);
    assert.deepEqual(classifier.runsPerSession, [1, 0]);
  } finally {
    await classifier.dispose();
  }
});

test('a solo session on the calling thread is refused', async () => {
  await assert.rejects(OnnxClassifier.create(onnx, { numLabels: 2, intraOpThreads: 1, soloThreads: 2 }), /a solo session needs thread 'worker'/);
});
