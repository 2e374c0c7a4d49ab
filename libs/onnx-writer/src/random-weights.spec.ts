import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { countParameters, randomDistilBertWeights, randomEmbeddingBagWeights, weightTensors, type DistilBertDims } from './index';

const SMALL: DistilBertDims = { vocabSize: 100, maxPositions: 16, dim: 32, layers: 2, heads: 4, hiddenDim: 64, numLabels: 2 };
/** distilbert-base-uncased-finetuned-sst-2-english */
const BASE: DistilBertDims = { vocabSize: 30522, maxPositions: 512, dim: 768, layers: 6, heads: 12, hiddenDim: 3072, numLabels: 2 };

describe('randomDistilBertWeights', () => {
  test('the same seed gives the same weights; another seed other weights', () => {
    const first = weightTensors(randomDistilBertWeights(SMALL, 7));
    const again = weightTensors(randomDistilBertWeights(SMALL, 7));
    const other = weightTensors(randomDistilBertWeights(SMALL, 8));
    assert.deepEqual(again, first);
    assert.notDeepEqual(other.find(([path]) => path === 'layers[1].ffnOut.kernel'), first.find(([path]) => path === 'layers[1].ffnOut.kernel'));
  });

  test('initialises as Hugging Face does: matrices normal(0, 0.02), biases 0, LayerNorm gamma 1 and beta 0', () => {
    for (const [path, tensor] of weightTensors(randomDistilBertWeights(SMALL, 3))) {
      const mean = tensor.reduce((sum, value) => sum + value, 0) / tensor.length;
      const std = Math.sqrt(tensor.reduce((sum, value) => sum + (value - mean) ** 2, 0) / tensor.length);
      if (path.endsWith('.gamma')) assert.ok(tensor.every((value) => value === 1), path);
      else if (/\.(bias|beta)$/.test(path)) assert.ok(tensor.every((value) => value === 0), path);
      else if (tensor.length >= 1024) {
        assert.ok(Math.abs(mean) < 0.002 && Math.abs(std - 0.02) < 0.002, `${path}: mean ${mean}, std ${std}`);
      }
    }
  });
});

describe('countParameters', () => {
  test('DistilBERT-base with 2 labels has the 66,955,010 parameters of the SST-2 checkpoint', () => {
    assert.equal(countParameters(randomDistilBertWeights(BASE, 0, { std: 0 })), 66_955_010);
  });

  test('an embedding bag counts its tables and layers', () => {
    const dims = { vocabSize: 1000, dim: 16, bigramBuckets: 500, hiddenDim: 8, numLabels: 2 };
    assert.equal(countParameters(randomEmbeddingBagWeights(dims, 1)), 1000 * 16 + 500 * 16 + (16 * 8 + 8) + (8 * 2 + 2));
    assert.equal(countParameters(randomEmbeddingBagWeights({ ...dims, bigramBuckets: 0, hiddenDim: 0 }, 1)), 1000 * 16 + 16 * 2 + 2);
  });
});
