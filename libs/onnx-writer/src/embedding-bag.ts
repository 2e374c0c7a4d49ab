/**
 * The fast CPU architecture: a fastText-like bag of token and hashed-bigram embeddings, with the
 * same ONNX signature as DistilBERT (input_ids, attention_mask -> logits). For one sequence of
 * length S, with E = tokenEmbeddings and G = bigramEmbeddings:
 *
 *   m[t]      = attention_mask[t] ≠ 0 ? 1 : 0                                 t = 0 .. S-1
 *   bucket[t] = (ids[t] · 1000003 + ids[t+1]) mod bigramBuckets              t = 0 .. S-2
 *   mb[t]     = m[t] · m[t+1]                      (a bigram counts only if both tokens do)
 *   sum       = Σ m[t] · E[ids[t]]  +  Σ mb[t] · G[bucket[t]]     (bigram terms only if bigramBuckets > 0)
 *   count     = Σ m[t]  +  Σ mb[t]                                 (likewise)
 *   mean      = sum / max(count, 1)                     (an all-padding row gives zeros, not NaN)
 *   h         = hiddenDim > 0 ? ReLU(mean · Wh + bh) : mean
 *   logits    = h · Wc + bc
 *
 * Buckets use exact integer arithmetic (int64 in the graph; ids are non-negative, so `mod` is the
 * ordinary remainder). TF.js has no int64 and int32 overflows above id 2147, so a trainer should
 * compute buckets with `bigramBucket()` in JavaScript (exact up to ids of 9·10^9).
 */
import { OnnxWriterError } from './errors';
import { GraphBuilder, attr, type ModelOptions } from './graph-builder';
import { TensorDataType } from './onnx-proto';
import { denseLayer, logitsOutput, sequenceClassifierInputs, type Dense } from './layers';
import { checkDense, checkDims, checkTensor } from './weight-check';

export interface EmbeddingBagDims {
  vocabSize: number;
  /** Embedding width. */
  dim: number;
  /** Rows of the hashed bigram table; 0 means unigrams only. */
  bigramBuckets: number;
  /** Width of the optional hidden ReLU layer; 0 means none. */
  hiddenDim: number;
  numLabels: number;
}

export interface EmbeddingBagWeights {
  /** [vocabSize, dim] */
  tokenEmbeddings: Float32Array;
  /** [bigramBuckets, dim]; present exactly when bigramBuckets > 0. */
  bigramEmbeddings?: Float32Array;
  /** dim -> hiddenDim; present exactly when hiddenDim > 0. */
  hidden?: Dense;
  /** (hiddenDim || dim) -> numLabels */
  classifier: Dense;
}

export const BIGRAM_HASH_MULTIPLIER = 1000003;

/** The bigram table row of the token pair (left, right), exactly as the graph computes it. */
export function bigramBucket(left: number, right: number, buckets: number): number {
  return Number((BigInt(left) * BigInt(BIGRAM_HASH_MULTIPLIER) + BigInt(right)) % BigInt(buckets));
}

export function checkEmbeddingBag(dims: EmbeddingBagDims, weights: EmbeddingBagWeights): void {
  checkDims(dims, ['vocabSize', 'dim', 'numLabels']);
  checkDims(dims, ['bigramBuckets', 'hiddenDim'], 0);
  checkTensor('tokenEmbeddings', weights.tokenEmbeddings, [dims.vocabSize, dims.dim]);
  checkOptional('bigramEmbeddings', weights.bigramEmbeddings, 'bigramBuckets', dims.bigramBuckets);
  if (dims.bigramBuckets > 0) checkTensor('bigramEmbeddings', weights.bigramEmbeddings, [dims.bigramBuckets, dims.dim]);
  checkOptional('hidden', weights.hidden, 'hiddenDim', dims.hiddenDim);
  if (dims.hiddenDim > 0) checkDense('hidden', weights.hidden, dims.dim, dims.hiddenDim);
  checkDense('classifier', weights.classifier, dims.hiddenDim || dims.dim, dims.numLabels);
}

function checkOptional(name: string, value: unknown, dimName: string, dimValue: number): void {
  if (dimValue === 0 && value !== undefined) {
    throw new OnnxWriterError('ONNX_ERR_WEIGHT_SHAPE', `${name} is given but dims.${dimName} is 0; omit it or set dims.${dimName}`);
  }
}

/** The ONNX model (IR 8, opset 17) of an embedding-bag classifier with these weights. */
export function writeEmbeddingBagOnnx(dims: EmbeddingBagDims, weights: EmbeddingBagWeights, options: ModelOptions = {}): Uint8Array {
  checkEmbeddingBag(dims, weights);
  const graph = new GraphBuilder('embedding_bag_sequence_classifier');
  const { inputIds, attentionMask } = sequenceClassifierInputs(graph);
  const axis1 = graph.int64Constant('axis_1', [1]);

  // m[t] as float; Cast to bool first so any non-zero mask value counts as 1.
  const valid = graph.op('Cast', [graph.op('Cast', [attentionMask], { to: attr.int(TensorDataType.BOOL) })], { to: attr.int(TensorDataType.FLOAT) });
  const tokens = graph.op('Gather', [graph.floatTensor('embedding_bag.token_embeddings', weights.tokenEmbeddings, [dims.vocabSize, dims.dim]), inputIds]);
  // [batch, 1, seq]·[batch, seq, dim] -> [batch, 1, dim]: the masked sum over positions.
  const weightedSum = (weights1d: string, rows: string) => graph.op('MatMul', [graph.op('Unsqueeze', [weights1d, axis1]), rows]);
  const countOf = (weights1d: string) => graph.op('ReduceSum', [weights1d, axis1], { keepdims: attr.int(1) });
  let sum = weightedSum(valid, tokens);
  let count = countOf(valid);

  if (dims.bigramBuckets > 0 && weights.bigramEmbeddings) {
    const first = graph.int64Constant('start_0', [0]);
    const second = graph.int64Constant('start_1', [1]);
    const allButLast = graph.int64Constant('end_minus_1', [-1]);
    const toEnd = graph.int64Tensor(graph.freshName('end_max'), BigInt64Array.of(0x7fffffffffffffffn), [1]);
    const left = (x: string) => graph.op('Slice', [x, first, allButLast, axis1]);
    const right = (x: string) => graph.op('Slice', [x, second, toEnd, axis1]);
    const hashed = graph.op('Add', [graph.op('Mul', [left(inputIds), graph.int64Constant('bigram_multiplier', BIGRAM_HASH_MULTIPLIER)]), right(inputIds)]);
    const bucket = graph.op('Mod', [hashed, graph.int64Constant('bigram_buckets', dims.bigramBuckets)]);
    const bigramValid = graph.op('Mul', [left(valid), right(valid)]);
    const bigrams = graph.op('Gather', [graph.floatTensor('embedding_bag.bigram_embeddings', weights.bigramEmbeddings, [dims.bigramBuckets, dims.dim]), bucket]);
    sum = graph.op('Add', [sum, weightedSum(bigramValid, bigrams)]);
    count = graph.op('Add', [count, countOf(bigramValid)]);
  }

  const safeCount = graph.op('Max', [count, graph.floatScalar('one', 1)]);
  let x = graph.op('Div', [graph.op('Squeeze', [sum, axis1]), safeCount]);
  if (dims.hiddenDim > 0 && weights.hidden) {
    x = graph.op('Relu', [denseLayer(graph, x, weights.hidden, dims.dim, dims.hiddenDim, 'embedding_bag.hidden')]);
  }
  logitsOutput(graph, x, weights.classifier, dims.hiddenDim || dims.dim, dims.numLabels, 'embedding_bag.classifier');
  return graph.toModel(options);
}
