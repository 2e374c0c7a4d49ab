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
import { readProtoFields } from './protobuf';
import { maxAbsDifference, onnxLogits, onnxSignature, perturbBiasesAndNorms, randomBatch, sliceRow } from '../testdata/spec-models';

const TOLERANCE = 1e-4;

// Small models of different shapes; std 0.3 (not HF's 0.02) so attention is far from uniform and a
// wrong mask, scale or head split changes the logits visibly.
const MODELS: { name: string; dims: DistilBertDims }[] = [
  { name: '2 layers, 4 heads', dims: { vocabSize: 60, maxPositions: 24, dim: 16, layers: 2, heads: 4, hiddenDim: 32, numLabels: 2 } },
  { name: '1 layer, 3 heads, 3 labels, eps 1e-5', dims: { vocabSize: 40, maxPositions: 20, dim: 12, layers: 1, heads: 3, hiddenDim: 24, numLabels: 3, layerNormEps: 1e-5 } },
  { name: '3 layers, 1 head', dims: { vocabSize: 30, maxPositions: 32, dim: 8, layers: 3, heads: 1, hiddenDim: 16, numLabels: 2 } },
];

/** How many nodes of the graph run `opType` (ModelProto.graph = 7, GraphProto.node = 1, NodeProto.op_type = 4). */
function opCount(model: Uint8Array, opType: string): number {
  const fields = (bytes: Uint8Array, field: number) => [...readProtoFields(bytes)].filter((f) => f.field === field).map((f) => f.value as Uint8Array);
  const [graph] = fields(model, 7);
  return fields(graph, 1).filter((node) => new TextDecoder().decode(fields(node, 4)[0]) === opType).length;
}

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

  for (const packTokens of [true, false]) {
    const layout = packTokens ? 'token-packed' : 'padded';
    for (const [index, { name, dims }] of MODELS.entries()) {
      test(`${name}, ${layout}: onnxruntime logits equal the reference forward pass within ${TOLERANCE}`, async () => {
        const weights = testModel(dims, 10 + index);
        const padded = randomBatch(20 + index, dims.vocabSize, [1, 5, 11, dims.maxPositions]);
        const unpadded = randomBatch(30 + index, dims.vocabSize, [7, 7]);
        const [paddedLogits, unpaddedLogits] = await onnxLogits(writeDistilBertOnnx(dims, weights, { packTokens }), padded, unpadded);
        assert.ok(maxAbsDifference(paddedLogits, referenceDistilBertLogits(dims, weights, padded)) < TOLERANCE);
        assert.ok(maxAbsDifference(unpaddedLogits, referenceDistilBertLogits(dims, weights, unpadded)) < TOLERANCE);
        // The models are not trivially constant: different texts get different logits.
        assert.ok(maxAbsDifference([paddedLogits[0]], [paddedLogits[2]]) > 0.01);
      });
    }

    test(`${layout}: padding never changes a sequence: alone and padded (with any ids) in a batch of longer ones give the same logits`, async () => {
      const { dims } = MODELS[0];
      const lengths = [3, 9, 17, 24];
      const batch = randomBatch(40, dims.vocabSize, lengths);
      const zeroPadded = { ...batch, inputIds: batch.inputIds.map((ids, row) => ids.map((id, t) => (batch.attentionMask[row][t] ? id : 0))) };
      const alone = lengths.map((length, row) => sliceRow(batch, row, length));
      const [batched, batchedZeroPad, ...single] = await onnxLogits(writeDistilBertOnnx(dims, testModel(dims, 41), { packTokens }), batch, zeroPadded, ...alone);
      for (const [row, logits] of single.entries()) {
        assert.ok(maxAbsDifference([batched[row]], logits) < TOLERANCE, `row ${row} (length ${lengths[row]}) changed when padded`);
        assert.ok(maxAbsDifference([batchedZeroPad[row]], logits) < TOLERANCE, `row ${row} (length ${lengths[row]}) changed when padded with [PAD]`);
      }
    });
  }

  test('token packing: the padded graph has no NonZero; the packed one has the same MatMuls and scatters back to [batch, seq] only for the q, k, v of attention and the [CLS] pick', () => {
    const { dims } = MODELS[0];
    const weights = testModel(dims, 42);
    const packed = writeDistilBertOnnx(dims, weights);
    const padded = writeDistilBertOnnx(dims, weights, { packTokens: false });
    assert.equal(opCount(padded, 'NonZero'), 0);
    assert.equal(opCount(packed, 'NonZero'), 1);
    // Back to [batch, seq, dim] only for attention's q, k, v (3 per block) and the [CLS] pick.
    assert.equal(opCount(packed, 'ScatterND'), 3 * dims.layers + 1);
    assert.equal(opCount(packed, 'MatMul'), opCount(padded, 'MatMul'));
  });

  test('logits are finite for HF-initialised weights, large weights and an all-padding row', async () => {
    const { dims } = MODELS[0];
    const batch = randomBatch(50, dims.vocabSize, [1, 24]);
    const allPadding = { inputIds: [batch.inputIds[1]], attentionMask: [batch.inputIds[1].map(() => 0)] };
    for (const weights of [randomDistilBertWeights(dims, 51), randomDistilBertWeights(dims, 52, { std: 3 })]) {
      for (const packTokens of [true, false]) {
        const results = await onnxLogits(writeDistilBertOnnx(dims, weights, { packTokens }), batch, allPadding);
        assert.ok(results.flat(2).every(Number.isFinite), `non-finite logits (${packTokens ? 'packed' : 'padded'}): ${JSON.stringify(results)}`);
      }
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
