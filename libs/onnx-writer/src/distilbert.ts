/**
 * DistilBertForSequenceClassification as an ONNX graph, op for op the Hugging Face forward pass:
 *
 *   x = LayerNorm(wordEmbeddings[input_ids] + positionEmbeddings[0 .. seq-1])          eps 1e-12
 *   per block:
 *     q, k, v = x·Wq + bq, x·Wk + bk, x·Wv + bv, split into `heads` heads of headDim = dim / heads
 *     scores  = (q / √headDim)·kᵀ; where attention_mask[key] = 0, scores = float32 min (-3.4028235e38)
 *     context = softmax(scores)·v, heads joined again
 *     sa      = LayerNorm(context·Wo + bo + x)
 *     x       = LayerNorm(GELU(sa·W1 + b1)·W2 + b2 + sa)          GELU(h) = h · ½(1 + erf(h / √2))
 *   logits = ReLU(x[:, 0]·Wpre + bpre)·Wc + bc
 *
 * Dense kernels are [in, out] (TF.js layout), so every linear layer is a plain MatMul. Masked keys
 * are replaced, not offset, by the float32 minimum, as HF's `masked_fill` does: their softmax weight
 * is exactly 0, so padding never changes a sequence's logits. Sequences longer than maxPositions
 * fail at run time (the position slice no longer broadcasts), as they do in PyTorch.
 */
import { OnnxWriterError } from './errors';
import { GraphBuilder, attr, type ModelOptions } from './graph-builder';
import { denseLayer, layerNorm, logitsOutput, sequenceClassifierInputs, type Dense, type LayerNormWeights } from './layers';
import { checkDense, checkDims, checkLayerNorm, checkTensor } from './weight-check';

export interface DistilBertDims {
  vocabSize: number;
  maxPositions: number;
  /** Hidden size; a multiple of `heads`. */
  dim: number;
  layers: number;
  heads: number;
  /** Width of the feed-forward layer (4 × dim in DistilBERT-base). */
  hiddenDim: number;
  numLabels: number;
  /** 1e-12 unless given. */
  layerNormEps?: number;
}

export interface TransformerLayerWeights {
  query: Dense;
  key: Dense;
  value: Dense;
  attentionOutput: Dense;
  attentionLayerNorm: LayerNormWeights;
  ffnIn: Dense;
  ffnOut: Dense;
  outputLayerNorm: LayerNormWeights;
}

export interface DistilBertWeights {
  /** [vocabSize, dim] */
  wordEmbeddings: Float32Array;
  /** [maxPositions, dim] */
  positionEmbeddings: Float32Array;
  embeddingLayerNorm: LayerNormWeights;
  layers: TransformerLayerWeights[];
  preClassifier: Dense;
  classifier: Dense;
}

export const DISTILBERT_LAYER_NORM_EPS = 1e-12;
/** The value masked attention scores take: -3.4028234663852886e38, torch.finfo(float32).min. */
export const FLOAT32_MIN = -3.4028234663852886e38;

/** Checks dims and every weight's length; returns the LayerNorm epsilon to use. */
export function checkDistilBert(dims: DistilBertDims, weights: DistilBertWeights): number {
  checkDims(dims, ['vocabSize', 'maxPositions', 'dim', 'layers', 'heads', 'hiddenDim', 'numLabels']);
  const { dim, hiddenDim } = dims;
  if (dim % dims.heads !== 0) {
    throw new OnnxWriterError('ONNX_ERR_INVALID_DIMS', `dims.dim (${dim}) must be a multiple of dims.heads (${dims.heads})`);
  }
  const eps = dims.layerNormEps ?? DISTILBERT_LAYER_NORM_EPS;
  if (!(eps > 0 && Number.isFinite(eps))) throw new OnnxWriterError('ONNX_ERR_INVALID_DIMS', `dims.layerNormEps must be a positive number, got ${eps}`);
  checkTensor('wordEmbeddings', weights.wordEmbeddings, [dims.vocabSize, dim]);
  checkTensor('positionEmbeddings', weights.positionEmbeddings, [dims.maxPositions, dim]);
  checkLayerNorm('embeddingLayerNorm', weights.embeddingLayerNorm, dim);
  if (weights.layers?.length !== dims.layers) {
    throw new OnnxWriterError('ONNX_ERR_WEIGHT_SHAPE', `layers has ${weights.layers?.length} entries; expected ${dims.layers} (dims.layers)`);
  }
  weights.layers.forEach((layer, i) => {
    const name = `layers[${i}]`;
    for (const part of ['query', 'key', 'value', 'attentionOutput'] as const) checkDense(`${name}.${part}`, layer[part], dim, dim);
    checkLayerNorm(`${name}.attentionLayerNorm`, layer.attentionLayerNorm, dim);
    checkDense(`${name}.ffnIn`, layer.ffnIn, dim, hiddenDim);
    checkDense(`${name}.ffnOut`, layer.ffnOut, hiddenDim, dim);
    checkLayerNorm(`${name}.outputLayerNorm`, layer.outputLayerNorm, dim);
  });
  checkDense('preClassifier', weights.preClassifier, dim, dim);
  checkDense('classifier', weights.classifier, dim, dims.numLabels);
  return eps;
}

/** The ONNX model (IR 8, opset 17) of a DistilBERT sequence classifier with these weights. */
export function writeDistilBertOnnx(dims: DistilBertDims, weights: DistilBertWeights, options: ModelOptions = {}): Uint8Array {
  const eps = checkDistilBert(dims, weights);
  const graph = new GraphBuilder('distilbert_sequence_classifier');
  const { inputIds, attentionMask } = sequenceClassifierInputs(graph);

  const words = graph.op('Gather', [graph.floatTensor('distilbert.embeddings.word_embeddings', weights.wordEmbeddings, [dims.vocabSize, dims.dim]), inputIds]);
  const sequenceLength = graph.op('Shape', [inputIds], { start: attr.int(1), end: attr.int(2) });
  const positionTable = graph.floatTensor('distilbert.embeddings.position_embeddings', weights.positionEmbeddings, [dims.maxPositions, dims.dim]);
  const axis0 = graph.int64Constant('axis_0', [0]);
  const positions = graph.op('Slice', [positionTable, graph.int64Constant('start_0', [0]), sequenceLength, axis0]);
  let x = layerNorm(graph, graph.op('Add', [words, positions]), weights.embeddingLayerNorm, dims.dim, eps, 'distilbert.embeddings.LayerNorm');

  // [batch, 1, 1, seq]: true where the key position is padding.
  const isPadding = graph.op('Equal', [attentionMask, graph.int64Constant('zero', 0)]);
  const keyIsPadding = graph.op('Unsqueeze', [isPadding, graph.int64Constant('axes_1_2', [1, 2])]);
  const block = transformerBlockBuilder(graph, dims, eps, keyIsPadding);
  weights.layers.forEach((layer, i) => {
    x = block(x, layer, `distilbert.transformer.layer.${i}`);
  });

  const firstToken = graph.op('Gather', [x, graph.int64Constant('token_0', 0)], { axis: attr.int(1) });
  const pooled = graph.op('Relu', [denseLayer(graph, firstToken, weights.preClassifier, dims.dim, dims.dim, 'pre_classifier')]);
  logitsOutput(graph, pooled, weights.classifier, dims.dim, dims.numLabels, 'classifier');
  return graph.toModel(options);
}

/** Makes the constants the blocks share once; the returned function adds one block. */
function transformerBlockBuilder(graph: GraphBuilder, dims: DistilBertDims, eps: number, keyIsPadding: string) {
  const headDim = dims.dim / dims.heads;
  const splitShape = graph.int64Constant('split_heads_shape', [0, 0, dims.heads, headDim]);
  const joinShape = graph.int64Constant('join_heads_shape', [0, 0, dims.dim]);
  const scoreScale = graph.floatScalar('sqrt_head_dim', Math.sqrt(headDim));
  const maskedScore = graph.floatScalar('float32_min', FLOAT32_MIN);
  const sqrt2 = graph.floatScalar('sqrt_2', Math.SQRT2);
  const one = graph.floatScalar('one', 1);
  const half = graph.floatScalar('half', 0.5);
  const dim = dims.dim;

  // [batch, seq, dim] -> [batch, heads, seq, headDim] (perm 0,2,1,3) or [batch, heads, headDim, seq] (0,2,3,1).
  const splitHeads = (x: string, perm: number[]) => graph.op('Transpose', [graph.op('Reshape', [x, splitShape])], { perm: attr.ints(perm) });
  const gelu = (h: string) => graph.op('Mul', [graph.op('Mul', [h, graph.op('Add', [graph.op('Erf', [graph.op('Div', [h, sqrt2])]), one])]), half]);

  return (x: string, layer: TransformerLayerWeights, prefix: string): string => {
    const query = graph.op('Div', [splitHeads(denseLayer(graph, x, layer.query, dim, dim, `${prefix}.attention.q_lin`), [0, 2, 1, 3]), scoreScale]);
    const keyT = splitHeads(denseLayer(graph, x, layer.key, dim, dim, `${prefix}.attention.k_lin`), [0, 2, 3, 1]);
    const value = splitHeads(denseLayer(graph, x, layer.value, dim, dim, `${prefix}.attention.v_lin`), [0, 2, 1, 3]);
    const scores = graph.op('Where', [keyIsPadding, maskedScore, graph.op('MatMul', [query, keyT])]);
    const context = graph.op('MatMul', [graph.op('Softmax', [scores], { axis: attr.int(-1) }), value]);
    const joined = graph.op('Reshape', [graph.op('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }), joinShape]);
    const attention = denseLayer(graph, joined, layer.attentionOutput, dim, dim, `${prefix}.attention.out_lin`);
    const sa = layerNorm(graph, graph.op('Add', [attention, x]), layer.attentionLayerNorm, dim, eps, `${prefix}.sa_layer_norm`);
    const hidden = gelu(denseLayer(graph, sa, layer.ffnIn, dim, dims.hiddenDim, `${prefix}.ffn.lin1`));
    const ffn = denseLayer(graph, hidden, layer.ffnOut, dims.hiddenDim, dim, `${prefix}.ffn.lin2`);
    return layerNorm(graph, graph.op('Add', [ffn, sa]), layer.outputLayerNorm, dim, eps, `${prefix}.output_layer_norm`);
  };
}
