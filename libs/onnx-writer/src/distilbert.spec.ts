import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OnnxWriterError,
  randomDistilBertWeights,
  readOnnxMetadata,
  referenceDistilBertLogits,
  writeDistilBertOnnx,
  type DistilBertDims,
  type DistilBertWeights,
} from './index';
import { maxAbsDifference, onnxLogits, onnxSignature, perturbBiasesAndNorms, randomBatch, sliceRow } from '../testdata/spec-models';

const TOLERANCE = 1e-4;

// Small models of different shapes; std 0.3 (not HF's 0.02) so attention is far from uniform and a
// wrong mask, scale or head split changes the logits visibly.
const MODELS: { name: string; dims: DistilBertDims }[] = [
  { name: '2 layers, 4 heads', dims: { vocabSize: 60, maxPositions: 24, dim: 16, layers: 2, heads: 4, hiddenDim: 32, numLabels: 2 } },
  { name: '1 layer, 3 heads, 3 labels, eps 1e-5', dims: { vocabSize: 40, maxPositions: 20, dim: 12, layers: 1, heads: 3, hiddenDim: 24, numLabels: 3, layerNormEps: 1e-5 } },
  { name: '3 layers, 1 head', dims: { vocabSize: 30, maxPositions: 32, dim: 8, layers: 3, heads: 1, hiddenDim: 16, numLabels: 2 } },
];

function testModel(dims: DistilBertDims, seed: number): DistilBertWeights {
  return perturbBiasesAndNorms(randomDistilBertWeights(dims, seed, { std: 0.3 }), seed + 1);
}

describe('writeDistilBertOnnx', () => {
  const seedDims = MODELS[0].dims;
  const seedModel = writeDistilBertOnnx(seedDims, testModel(seedDims, 1), { metadata: { labels: 'NEGATIVE,POSITIVE', architecture: 'DistilBertForSequenceClassification' } });

  test('has the Hugging Face signature: int64 input_ids and attention_mask [batch_size, sequence_length] -> float32 logits [batch_size, labels]', async () => {
    assert.deepEqual(await onnxSignature(seedModel), [
      ['input_ids', 'int64', ['batch_size', 'sequence_length']],
      ['attention_mask', 'int64', ['batch_size', 'sequence_length']],
      ['logits', 'float32', ['batch_size', 2]],
    ]);
  });

  test('writes the metadata option to metadata_props', () => {
    assert.deepEqual(readOnnxMetadata(seedModel), { labels: 'NEGATIVE,POSITIVE', architecture: 'DistilBertForSequenceClassification' });
  });

  for (const [index, { name, dims }] of MODELS.entries()) {
    test(`${name}: onnxruntime logits equal the reference forward pass within ${TOLERANCE}`, async () => {
      const weights = testModel(dims, 10 + index);
      const padded = randomBatch(20 + index, dims.vocabSize, [1, 5, 11, dims.maxPositions]);
      const unpadded = randomBatch(30 + index, dims.vocabSize, [7, 7]);
      const [paddedLogits, unpaddedLogits] = await onnxLogits(writeDistilBertOnnx(dims, weights), padded, unpadded);
      assert.ok(maxAbsDifference(paddedLogits, referenceDistilBertLogits(dims, weights, padded)) < TOLERANCE);
      assert.ok(maxAbsDifference(unpaddedLogits, referenceDistilBertLogits(dims, weights, unpadded)) < TOLERANCE);
      // The models are not trivially constant: different texts get different logits.
      assert.ok(maxAbsDifference([paddedLogits[0]], [paddedLogits[2]]) > 0.01);
    });
  }

  test('padding never changes a sequence: alone and padded (with any ids) in a batch of longer ones give the same logits', async () => {
    const { dims } = MODELS[0];
    const lengths = [3, 9, 17, 24];
    const batch = randomBatch(40, dims.vocabSize, lengths);
    const zeroPadded = { ...batch, inputIds: batch.inputIds.map((ids, row) => ids.map((id, t) => (batch.attentionMask[row][t] ? id : 0))) };
    const alone = lengths.map((length, row) => sliceRow(batch, row, length));
    const [batched, batchedZeroPad, ...single] = await onnxLogits(writeDistilBertOnnx(dims, testModel(dims, 41)), batch, zeroPadded, ...alone);
    for (const [row, logits] of single.entries()) {
      assert.ok(maxAbsDifference([batched[row]], logits) < TOLERANCE, `row ${row} (length ${lengths[row]}) changed when padded`);
      assert.ok(maxAbsDifference([batchedZeroPad[row]], logits) < TOLERANCE, `row ${row} (length ${lengths[row]}) changed when padded with [PAD]`);
    }
  });

  test('logits are finite for HF-initialised weights, large weights and an all-padding row', async () => {
    const { dims } = MODELS[0];
    const batch = randomBatch(50, dims.vocabSize, [1, 24]);
    const allPadding = { inputIds: [batch.inputIds[1]], attentionMask: [batch.inputIds[1].map(() => 0)] };
    for (const weights of [randomDistilBertWeights(dims, 51), randomDistilBertWeights(dims, 52, { std: 3 })]) {
      const results = await onnxLogits(writeDistilBertOnnx(dims, weights), batch, allPadding);
      assert.ok(results.flat(2).every(Number.isFinite), `non-finite logits: ${JSON.stringify(results)}`);
    }
  });

  test('the same dims and seed write the same bytes', () => {
    const again = writeDistilBertOnnx(seedDims, testModel(seedDims, 1), { metadata: { labels: 'NEGATIVE,POSITIVE', architecture: 'DistilBertForSequenceClassification' } });
    assert.deepEqual(Buffer.from(again), Buffer.from(seedModel));
  });
});

describe('writeDistilBertOnnx rejects weights that do not fit the dims', () => {
  const dims = MODELS[0].dims;
  const rejects = (change: (weights: DistilBertWeights) => void, message: RegExp, changedDims: DistilBertDims = dims) => {
    const weights = randomDistilBertWeights(dims, 60);
    change(weights);
    assert.throws(() => writeDistilBertOnnx(changedDims, weights), (error: unknown) => error instanceof OnnxWriterError && message.test(error.message));
  };

  test('names the tensor and both sizes when a weight has the wrong length', () => {
    rejects((weights) => (weights.layers[1].ffnIn.kernel = new Float32Array(100)), /^layers\[1\]\.ffnIn\.kernel has 100 values; expected 512 \[16, 32\]$/);
    rejects((weights) => (weights.wordEmbeddings = new Float32Array(16 * 59)), /^wordEmbeddings has 944 values; expected 960 \[60, 16\]$/);
    rejects((weights) => (weights.classifier.bias = new Float32Array(3)), /^classifier\.bias has 3 values; expected 2 \[2\]$/);
  });

  test('names a missing tensor and a wrong number of layers', () => {
    rejects((weights) => delete (weights.layers[0].attentionLayerNorm as Partial<DistilBertWeights['embeddingLayerNorm']>).beta, /^layers\[0\]\.attentionLayerNorm\.beta must be a Float32Array/);
    rejects((weights) => weights.layers.pop(), /^layers has 1 entries; expected 2 \(dims\.layers\)$/);
  });

  test('rejects dims that cannot describe a model', () => {
    rejects(() => undefined, /dims\.dim \(16\) must be a multiple of dims\.heads \(5\)/, { ...dims, heads: 5 });
    rejects(() => undefined, /dims\.numLabels must be an integer >= 1, got 0/, { ...dims, numLabels: 0 });
  });
});
