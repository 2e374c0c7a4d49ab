/**
 * Plain-TypeScript forward passes of both architectures, in float64, one sequence at a time.
 * They are the executable statement of the math the ONNX graphs implement (see the doc comments of
 * distilbert.ts and embedding-bag.ts) and what the specs compare onnxruntime's logits against.
 * Written for clarity, not speed.
 */
import { FLOAT32_MIN, checkDistilBert, type DistilBertDims, type DistilBertWeights } from './distilbert';
import { bigramBucket, checkEmbeddingBag, type EmbeddingBagDims, type EmbeddingBagWeights } from './embedding-bag';
import type { Dense, LayerNormWeights } from './layers';

/** Rows of token ids and their attention masks (1 = token, 0 = padding); rows may differ in length. */
export interface TokenBatch {
  inputIds: readonly (readonly number[])[];
  attentionMask: readonly (readonly number[])[];
}

type Rows = Float64Array[];

/** Logits [batch][numLabels] of the DistilBERT classifier. */
export function referenceDistilBertLogits(dims: DistilBertDims, weights: DistilBertWeights, batch: TokenBatch): number[][] {
  const eps = checkDistilBert(dims, weights);
  return batch.inputIds.map((ids, row) => distilBertSequence(dims, weights, eps, ids, batch.attentionMask[row]));
}

function distilBertSequence(dims: DistilBertDims, weights: DistilBertWeights, eps: number, ids: readonly number[], mask: readonly number[]): number[] {
  const { dim, heads } = dims;
  const headDim = dim / heads;
  const embedded = ids.map((id, t) => {
    checkIndex(id, dims.vocabSize, 'input id');
    checkIndex(t, dims.maxPositions, 'position');
    return Float64Array.from({ length: dim }, (_, i) => weights.wordEmbeddings[id * dim + i] + weights.positionEmbeddings[t * dim + i]);
  });
  let x = layerNorm(embedded, weights.embeddingLayerNorm, eps);
  for (const layer of weights.layers) {
    const query = dense(x, layer.query);
    const key = dense(x, layer.key);
    const value = dense(x, layer.value);
    const context = x.map(() => new Float64Array(dim));
    for (let h = 0; h < heads; h++) {
      const offset = h * headDim;
      for (let i = 0; i < x.length; i++) {
        const scores = key.map((keyRow, j) => {
          if (mask[j] === 0) return FLOAT32_MIN;
          let score = 0;
          for (let c = offset; c < offset + headDim; c++) score += (query[i][c] / Math.sqrt(headDim)) * keyRow[c];
          return score;
        });
        softmax(scores).forEach((p, j) => {
          for (let c = offset; c < offset + headDim; c++) context[i][c] += p * value[j][c];
        });
      }
    }
    const sa = layerNorm(add(dense(context, layer.attentionOutput), x), layer.attentionLayerNorm, eps);
    const ffn = dense(map(dense(sa, layer.ffnIn), gelu), layer.ffnOut);
    x = layerNorm(add(ffn, sa), layer.outputLayerNorm, eps);
  }
  const pooled = map(dense([x[0]], weights.preClassifier), relu);
  return Array.from(dense(pooled, weights.classifier)[0]);
}

/** Logits [batch][numLabels] of the embedding-bag classifier. */
export function referenceEmbeddingBagLogits(dims: EmbeddingBagDims, weights: EmbeddingBagWeights, batch: TokenBatch): number[][] {
  checkEmbeddingBag(dims, weights);
  return batch.inputIds.map((ids, row) => embeddingBagSequence(dims, weights, ids, batch.attentionMask[row]));
}

function embeddingBagSequence(dims: EmbeddingBagDims, weights: EmbeddingBagWeights, ids: readonly number[], mask: readonly number[]): number[] {
  const { dim } = dims;
  const sum = new Float64Array(dim);
  let count = 0;
  const accumulate = (table: Float32Array, row: number) => {
    for (let i = 0; i < dim; i++) sum[i] += table[row * dim + i];
    count += 1;
  };
  ids.forEach((id, t) => {
    checkIndex(id, dims.vocabSize, 'input id');
    if (mask[t] !== 0) accumulate(weights.tokenEmbeddings, id);
  });
  if (dims.bigramBuckets > 0 && weights.bigramEmbeddings) {
    for (let t = 0; t + 1 < ids.length; t++) {
      if (mask[t] !== 0 && mask[t + 1] !== 0) accumulate(weights.bigramEmbeddings, bigramBucket(ids[t], ids[t + 1], dims.bigramBuckets));
    }
  }
  let x: Rows = [sum.map((value) => value / Math.max(count, 1))];
  if (dims.hiddenDim > 0 && weights.hidden) x = map(dense(x, weights.hidden), relu);
  return Array.from(dense(x, weights.classifier)[0]);
}

/** Each row times kernel [in, out] plus bias. */
function dense(rows: Rows, layer: Dense): Rows {
  const outDim = layer.bias.length;
  return rows.map((row) => {
    const out = Float64Array.from(layer.bias);
    row.forEach((value, i) => {
      for (let j = 0; j < outDim; j++) out[j] += value * layer.kernel[i * outDim + j];
    });
    return out;
  });
}

/** Per row: (x - mean) / sqrt(var + eps) · gamma + beta, with the biased variance. */
function layerNorm(rows: Rows, weights: LayerNormWeights, eps: number): Rows {
  return rows.map((row) => {
    const mean = row.reduce((total, value) => total + value, 0) / row.length;
    const variance = row.reduce((total, value) => total + (value - mean) ** 2, 0) / row.length;
    const scale = 1 / Math.sqrt(variance + eps);
    return row.map((value, i) => (value - mean) * scale * weights.gamma[i] + weights.beta[i]);
  });
}

function softmax(scores: number[]): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((score) => Math.exp(score - max));
  const total = exps.reduce((sum, value) => sum + value, 0);
  return exps.map((value) => value / total);
}

const add = (a: Rows, b: Rows): Rows => a.map((row, r) => row.map((value, i) => value + b[r][i]));
const map = (rows: Rows, f: (value: number) => number): Rows => rows.map((row) => row.map(f));
const relu = (value: number): number => Math.max(value, 0);

/** Exact GELU: x · ½(1 + erf(x / √2)). */
export function gelu(value: number): number {
  return 0.5 * value * (1 + erf(value / Math.SQRT2));
}

/**
 * The error function to ~1e-14: its Maclaurin series below |x| = 3, the continued fraction of
 * erfc above (where the series loses digits to cancellation).
 */
export function erf(x: number): number {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  if (a >= 6) return sign;
  if (a < 3) {
    let term = a;
    let total = a;
    for (let n = 1; Math.abs(term) > 1e-17 * Math.abs(total); n++) {
      term *= (-a * a) / n;
      total += term / (2 * n + 1);
    }
    return (sign * 2 * total) / Math.sqrt(Math.PI);
  }
  // erfc(a) = exp(-a²)/√π · 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))), evaluated from the tail.
  let fraction = a;
  for (let k = 60; k >= 1; k--) fraction = a + k / 2 / fraction;
  return sign * (1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / fraction);
}

function checkIndex(index: number, size: number, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new RangeError(`${what} ${index} is outside [0, ${size})`);
}
