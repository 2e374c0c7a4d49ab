import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { OnnxClassifier } from '@mlops/onnx-runtime';
import { chooseBackend } from '../tfjs/backend';
import { EmbeddingBagModel } from '../tfjs/embedding-bag';
import { TransformerModel } from '../tfjs/transformer';
import { SILENT_PROGRESS } from '../train/progress';
import { trainLoop } from '../train/train-loop';
import { tinyTask } from '../../testdata/tiny-task';
import { ExportParityError, checkParity } from './parity';

const task = tinyTask();

before(async () => {
  await chooseBackend();
});

async function trainedBag(hiddenDim: number, seed: number): Promise<EmbeddingBagModel> {
  const model = new EmbeddingBagModel({ vocabSize: task.vocab.length, bigramBuckets: 101, dim: 8, hiddenDim, numLabels: 2 }, { seed, dropout: 0.1 });
  await trainLoop(model, task.train, task.validation, { epochs: 2, batchSize: 32, learningRate: 0.05, patience: 2, maxTrainingMs: 60_000, seed, numLabels: 2, progress: SILENT_PROGRESS });
  return model;
}

for (const hiddenDim of [0, 16]) {
  test(`a trained embedding bag (hidden ${hiddenDim}) and its ONNX export agree within 1e-4 on padded held-out batches`, async () => {
    const model = await trainedBag(hiddenDim, 3);
    const classifier = await OnnxClassifier.create(model.exportOnnx({ labels: 'NEGATIVE,POSITIVE' }), { numLabels: 2, intraOpThreads: 1 });
    try {
      const report = await checkParity(model, classifier, task.test);
      assert.equal(report.passed, true);
      assert.equal(report.sentences, task.test.ids.length);
      assert.ok(report.maxAbsDiff <= 1e-4, `max |Δlogit| ${report.maxAbsDiff}`);
    } finally {
      await classifier.dispose();
      model.dispose();
    }
  });
}

test('an export that does not match the model fails the check with its figure', async () => {
  const model = await trainedBag(0, 3);
  const other = await trainedBag(0, 4);
  const classifier = await OnnxClassifier.create(other.exportOnnx({}), { numLabels: 2, intraOpThreads: 1 });
  try {
    await assert.rejects(checkParity(model, classifier, task.test), (error: Error) => error instanceof ExportParityError && /max \|Δlogit\| .* > 0.0001/.test(error.message));
  } finally {
    await classifier.dispose();
    model.dispose();
    other.dispose();
  }
});

test('a trained DistilBERT-shaped transformer and its ONNX export agree within 1e-4, padding included', async () => {
  const model = new TransformerModel({ vocabSize: task.vocab.length, maxPositions: 32, dim: 16, layers: 2, heads: 2, hiddenDim: 32, numLabels: 2 }, { seed: 5, dropout: 0 });
  const result = await trainLoop(model, task.train, task.validation, { epochs: 3, batchSize: 16, learningRate: 0.005, patience: 3, maxTrainingMs: 60_000, seed: 5, numLabels: 2, progress: SILENT_PROGRESS });
  assert.ok(result.bestValidation.accuracy > 0.6, `the transformer learns something: ${result.bestValidation.accuracy}`);
  const classifier = await OnnxClassifier.create(model.exportOnnx({ labels: 'NEGATIVE,POSITIVE' }), { numLabels: 2, intraOpThreads: 1 });
  try {
    const report = await checkParity(model, classifier, task.test);
    assert.ok(report.maxAbsDiff <= 1e-4, `max |Δlogit| ${report.maxAbsDiff}`);
  } finally {
    await classifier.dispose();
    model.dispose();
  }
});
