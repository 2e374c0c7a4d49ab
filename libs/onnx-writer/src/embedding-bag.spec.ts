import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OnnxWriterError,
  bigramBucket,
  randomEmbeddingBagWeights,
  referenceEmbeddingBagLogits,
  writeEmbeddingBagOnnx,
  type EmbeddingBagDims,
  type EmbeddingBagWeights,
} from './index';
import { maxAbsDifference, onnxLogits, onnxSignature, perturbBiasesAndNorms, randomBatch, sliceRow } from '../testdata/spec-models';

const TOLERANCE = 1e-4;

// BERT-sized ids (up to 30521) so bucket hashing needs more than 32 bits, as it will in production.
const MODELS: { name: string; dims: EmbeddingBagDims }[] = [
  { name: 'bigrams and a hidden layer', dims: { vocabSize: 30522, dim: 8, bigramBuckets: 97, hiddenDim: 6, numLabels: 2 } },
  { name: 'bigrams, no hidden layer, 3 labels', dims: { vocabSize: 30522, dim: 5, bigramBuckets: 13, hiddenDim: 0, numLabels: 3 } },
  { name: 'unigrams only', dims: { vocabSize: 50, dim: 4, bigramBuckets: 0, hiddenDim: 3, numLabels: 2 } },
];

function testModel(dims: EmbeddingBagDims, seed: number): EmbeddingBagWeights {
  return perturbBiasesAndNorms(randomEmbeddingBagWeights(dims, seed, { std: 0.5 }), seed + 1);
}

describe('writeEmbeddingBagOnnx', () => {
  test('has the Hugging Face signature, like the DistilBERT export', async () => {
    const { dims } = MODELS[1];
    assert.deepEqual(await onnxSignature(writeEmbeddingBagOnnx(dims, testModel(dims, 1))), [
      ['input_ids', 'int64', ['batch_size', 'sequence_length']],
      ['attention_mask', 'int64', ['batch_size', 'sequence_length']],
      ['logits', 'float32', ['batch_size', 3]],
    ]);
  });

  for (const [index, { name, dims }] of MODELS.entries()) {
    test(`${name}: onnxruntime logits equal the reference forward pass within ${TOLERANCE}, for lengths 1 to 12`, async () => {
      const weights = testModel(dims, 10 + index);
      const padded = randomBatch(20 + index, dims.vocabSize, [1, 2, 5, 12]);
      const single = randomBatch(30 + index, dims.vocabSize, [1]);
      const [paddedLogits, singleLogits] = await onnxLogits(writeEmbeddingBagOnnx(dims, weights), padded, single);
      assert.ok(maxAbsDifference(paddedLogits, referenceEmbeddingBagLogits(dims, weights, padded)) < TOLERANCE);
      assert.ok(maxAbsDifference(singleLogits, referenceEmbeddingBagLogits(dims, weights, single)) < TOLERANCE);
      assert.ok(maxAbsDifference([paddedLogits[1]], [paddedLogits[3]]) > 0.01, 'different texts should get different logits');
    });
  }

  test('bigrams change the logits, and their buckets are (left · 1000003 + right) mod buckets in exact integers', async () => {
    const { dims } = MODELS[0];
    const weights = testModel(dims, 40);
    const forward = { inputIds: [[30000, 29999, 12]], attentionMask: [[1, 1, 1]] };
    const reversed = { inputIds: [[12, 29999, 30000]], attentionMask: [[1, 1, 1]] };
    const [forwardLogits, reversedLogits] = await onnxLogits(writeEmbeddingBagOnnx(dims, weights), forward, reversed);
    // Same unigrams, different bigrams.
    assert.ok(maxAbsDifference(forwardLogits, reversedLogits) > 0.01);
    // 30000 · 1000003 + 29999 = 30000119999 (over 2^32); mod 97 = 60 (Python's big integers agree).
    assert.equal(bigramBucket(30000, 29999, 97), 60);
  });

  test('padding never changes a sequence: alone and padded (with any ids) in a batch give the same logits', async () => {
    const { dims } = MODELS[0];
    const lengths = [1, 4, 9];
    const batch = randomBatch(50, dims.vocabSize, lengths, { paddedLength: 12 });
    const [batched, ...alone] = await onnxLogits(writeEmbeddingBagOnnx(dims, testModel(dims, 51)), batch, ...lengths.map((length, row) => sliceRow(batch, row, length)));
    alone.forEach((logits, row) => assert.ok(maxAbsDifference([batched[row]], logits) < TOLERANCE, `row ${row} changed when padded`));
  });

  test('an all-padding row gives finite logits (the mean of nothing is zeros)', async () => {
    const { dims } = MODELS[0];
    const weights = testModel(dims, 60);
    const batch = { inputIds: [[5, 6, 7]], attentionMask: [[0, 0, 0]] };
    const [logits] = await onnxLogits(writeEmbeddingBagOnnx(dims, weights), batch);
    assert.ok(logits.flat().every(Number.isFinite));
    assert.ok(maxAbsDifference(logits, referenceEmbeddingBagLogits(dims, weights, batch)) < TOLERANCE);
  });
});

describe('writeEmbeddingBagOnnx rejects weights that do not fit the dims', () => {
  const rejects = (dims: EmbeddingBagDims, weights: EmbeddingBagWeights, message: RegExp) =>
    assert.throws(() => writeEmbeddingBagOnnx(dims, weights), (error: unknown) => error instanceof OnnxWriterError && message.test(error.message));

  test('names the tensor and both sizes', () => {
    const { dims } = MODELS[0];
    rejects(dims, { ...randomEmbeddingBagWeights(dims, 70), bigramEmbeddings: new Float32Array(8) }, /^bigramEmbeddings has 8 values; expected 776 \[97, 8\]$/);
    rejects({ ...dims, hiddenDim: 0 }, randomEmbeddingBagWeights(dims, 70), /^hidden is given but dims\.hiddenDim is 0/);
    rejects({ ...dims, numLabels: 4 }, randomEmbeddingBagWeights(dims, 70), /^classifier\.kernel has 12 values; expected 24 \[6, 4\]$/);
  });
});
