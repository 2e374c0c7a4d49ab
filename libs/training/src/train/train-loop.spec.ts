import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chooseBackend } from '../tfjs/backend';
import { TransformerModel } from '../tfjs/transformer';
import { EmbeddingBagModel } from '../tfjs/embedding-bag';
import { tinyTask } from '../../testdata/tiny-task';
import { evaluateModel } from './evaluate';
import { SILENT_PROGRESS, type EpochProgress, type ProgressReporter } from './progress';
import { trainLoop, type TrainLoopOptions } from './train-loop';

const task = tinyTask();
const newModel = () => new EmbeddingBagModel({ vocabSize: task.vocab.length, bigramBuckets: 101, dim: 8, hiddenDim: 0, numLabels: 2 }, { seed: 1, dropout: 0 });
const options = (overrides: Partial<TrainLoopOptions> = {}): TrainLoopOptions => ({
  epochs: 4, batchSize: 32, learningRate: 0.05, patience: 2, maxTrainingMs: 60_000, seed: 1, numLabels: 2, progress: SILENT_PROGRESS, ...overrides,
});

before(async () => {
  await chooseBackend();
});

test('training learns the task: test accuracy goes from chance to above 95%', async () => {
  const model = newModel();
  const untrained = evaluateModel(model, task.test, 2).accuracy;
  const result = await trainLoop(model, task.train, task.validation, options());
  const trained = evaluateModel(model, task.test, 2).accuracy;
  assert.ok(untrained < 0.75, `untrained accuracy ${untrained}`);
  assert.ok(trained > 0.95, `trained accuracy ${trained}`);
  assert.equal(result.history.length, result.epochsCompleted);
  model.dispose();
});

test('progress reports every epoch with its validation figures', async () => {
  const epochs: EpochProgress[] = [];
  let steps = 0;
  const progress: ProgressReporter = { step: () => steps++, epoch: (p) => epochs.push(p), message: () => undefined };
  await trainLoop(newModel(), task.train, task.validation, options({ epochs: 2, progress, patience: 5 }));
  assert.deepEqual(epochs.map((e) => e.epoch), [1, 2]);
  assert.equal(steps, 2 * Math.ceil(task.train.ids.length / 32));
  assert.ok(epochs.every((e) => e.validationAccuracy >= 0 && e.validationLoss > 0));
});

test('early stopping ends the run when validation loss stops improving, and keeps the best epoch', async () => {
  // A rate this high overfits the tiny task after an epoch or two.
  const result = await trainLoop(newModel(), task.train, task.validation, options({ epochs: 30, learningRate: 0.5, patience: 1 }));
  assert.equal(result.stoppedBy, 'early-stopping');
  assert.ok(result.epochsCompleted < 30);
  assert.equal(result.epochsCompleted, result.bestEpoch + 1);
  const best = Math.min(...result.history.map((h) => h.validationLoss));
  assert.ok(Math.abs(result.bestValidation.loss - best) < 1e-6, 'the returned model is the best epoch');
});

test('a killed run resumes from its checkpoint and ends where an uninterrupted run ends', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-'));
  const checkpointFile = path.join(dir, 'run.bin');
  const uninterrupted = newModel();
  const full = await trainLoop(uninterrupted, task.train, task.validation, options({ epochs: 3, patience: 5 }));

  let stepsLeft = Math.ceil(task.train.ids.length / 32) + 3; // dies 3 steps into epoch 2
  const killed = await trainLoop(newModel(), task.train, task.validation, options({ epochs: 3, patience: 5, checkpointFile, runKey: 'k', shouldStop: () => --stepsLeft <= 0 }));
  assert.equal(killed.stoppedBy, 'stop-requested');
  assert.equal(killed.epochsCompleted, 1, 'the unfinished epoch is not recorded');

  const resumedModel = newModel();
  const resumed = await trainLoop(resumedModel, task.train, task.validation, options({ epochs: 3, patience: 5, checkpointFile, runKey: 'k' }));
  assert.equal(resumed.resumedFromEpoch, 1);
  assert.equal(resumed.history.length, 3);
  assert.ok(Math.abs(resumed.bestValidation.loss - full.bestValidation.loss) < 1e-6, `resumed ${resumed.bestValidation.loss} vs ${full.bestValidation.loss}`);
  fs.rmSync(dir, { recursive: true });
});

test('a checkpoint of another run (different run key) is ignored', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'checkpoint-'));
  const checkpointFile = path.join(dir, 'run.bin');
  await trainLoop(newModel(), task.train, task.validation, options({ epochs: 1, checkpointFile, runKey: 'a' }));
  const other = await trainLoop(newModel(), task.train, task.validation, options({ epochs: 1, checkpointFile, runKey: 'b' }));
  assert.equal(other.resumedFromEpoch, undefined);
  fs.rmSync(dir, { recursive: true });
});

test('training, checkpoints, restoring the best epoch and dispose leave no tensor behind (long runs and tuning do not exhaust the wasm heap)', async () => {
  const before = tf.memory().numTensors;
  for (const model of [newModel(), new TransformerModel({ vocabSize: task.vocab.length, maxPositions: 32, dim: 8, layers: 1, heads: 2, hiddenDim: 16, numLabels: 2 }, { seed: 1, dropout: 0.1 })]) {
    await trainLoop(model, task.train, task.validation, options({ epochs: 2, patience: 1 }));
    await model.restore(await model.checkpoint());
    model.logits({ ids: Int32Array.of(2, 5, 3), mask: Uint8Array.of(1, 1, 1), batchSize: 1, sequenceLength: 3 });
    model.dispose();
  }
  assert.equal(tf.memory().numTensors, before);
});
