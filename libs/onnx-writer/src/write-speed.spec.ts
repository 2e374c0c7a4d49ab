import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countParameters, randomDistilBertWeights, readOnnxMetadata, writeDistilBertOnnx, type DistilBertDims } from './index';

const BASE: DistilBertDims = { vocabSize: 30522, maxPositions: 512, dim: 768, layers: 6, heads: 12, hiddenDim: 3072, numLabels: 2 };

test('writes a DistilBERT-base-sized model (~268 MB of float32) in well under a few seconds', (t) => {
  // Zero weights: generating 67M normals would time the PRNG, not the writer.
  const weights = randomDistilBertWeights(BASE, 0, { std: 0 });
  const started = performance.now();
  const model = writeDistilBertOnnx(BASE, weights, { metadata: { architecture: 'DistilBertForSequenceClassification' } });
  const elapsedMs = performance.now() - started;
  const weightBytes = 4 * countParameters(weights);
  t.diagnostic(`wrote ${(model.length / 1e6).toFixed(1)} MB (${weightBytes} bytes of weights) in ${elapsedMs.toFixed(0)} ms`);
  assert.ok(model.length > weightBytes && model.length < weightBytes + 64 * 1024, `model is ${model.length} bytes for ${weightBytes} bytes of weights`);
  // Copying typed arrays takes ~0.2 s on a 2-core dev box; writing each float as its own protobuf
  // field (float_data) took 4.5 s there.
  assert.ok(elapsedMs < 3000, `took ${elapsedMs.toFixed(0)} ms`);
  assert.deepEqual(readOnnxMetadata(model), { architecture: 'DistilBertForSequenceClassification' });
});
