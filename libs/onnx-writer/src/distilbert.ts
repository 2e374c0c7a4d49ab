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
 * By default the graph is token-packed: after the embeddings, the real tokens (attention_mask ≠ 0)
 * are gathered into one [tokens, dim] matrix and every per-token layer (Dense, LayerNorm, GELU)
 * runs on it; q, k and v are scattered back to [batch, seq, dim] for attention alone. Padding then
 * costs only attention's share, so a batch of mixed lengths costs about what its real tokens cost
 * (the same logits; `packTokens: false` writes the plain padded graph).
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

/** How the graph runs, beyond the weights; the logits are the same either way. */
export interface DistilBertGraphOptions extends ModelOptions {
  /**
   * Token packing (default true): the per-token layers (every Dense, LayerNorm and GELU) run on the
   * batch's real tokens only, gathered into one [tokens, dim] matrix; only attention, which mixes
   * the tokens of a sequence, runs padded. A batch of mixed lengths then costs about what its real
   * tokens cost instead of rows × longest. false writes the plain padded graph.
   */
  packTokens?: boolean;
}

/** The ONNX model (IR 8, opset 17) of a DistilBERT sequence classifier with these weights. */
export function writeDistilBertOnnx(dims: DistilBertDims, weights: DistilBertWeights, options: DistilBertGraphOptions = {}): Uint8Array {
  const eps = checkDistilBert(dims, weights);
  const graph = new GraphBuilder('distilbert_sequence_classifier');
  const { inputIds, attentionMask } = sequenceClassifierInputs(graph);

  const words = graph.op('Gather', [graph.floatTensor('distilbert.embeddings.word_embeddings', weights.wordEmbeddings, [dims.vocabSize, dims.dim]), inputIds]);
  const sequenceLength = graph.op('Shape', [inputIds], { start: attr.int(1), end: attr.int(2) });
  const positionTable = graph.floatTensor('distilbert.embeddings.position_embeddings', weights.positionEmbeddings, [dims.maxPositions, dims.dim]);
  const axis0 = graph.int64Constant('axis_0', [0]);
  const positions = graph.op('Slice', [positionTable, graph.int64Constant('start_0', [0]), sequenceLength, axis0]);
  const embedded = graph.op('Add', [words, positions]);

  // [batch, 1, 1, seq]: true where the key position is padding.
  const isPadding = graph.op('Equal', [attentionMask, graph.int64Constant('zero', 0)]);
  const keyIsPadding = graph.op('Unsqueeze', [isPadding, graph.int64Constant('axes_1_2', [1, 2])]);
  const layout = options.packTokens === false ? PADDED_LAYOUT : packedLayout(graph, dims, attentionMask);
  let x = layerNorm(graph, layout.pack(embedded), weights.embeddingLayerNorm, dims.dim, eps, 'distilbert.embeddings.LayerNorm');
  const block = transformerBlockBuilder(graph, dims, eps, keyIsPadding, layout);
  weights.layers.forEach((layer, i) => {
    x = block(x, layer, `distilbert.transformer.layer.${i}`);
  });

  const firstToken = graph.op('Gather', [layout.unpack(x, dims.dim), graph.int64Constant('token_0', 0)], { axis: attr.int(1) });
  const pooled = graph.op('Relu', [denseLayer(graph, firstToken, weights.preClassifier, dims.dim, dims.dim, 'pre_classifier')]);
  logitsOutput(graph, pooled, weights.classifier, dims.dim, dims.numLabels, 'classifier');
  return graph.toModel(options);
}

/**
 * Where the per-token layers run: `pack` takes [batch, seq, dim] to that layout, `unpack` brings a
 * tensor of `width` features back to [batch, seq, width] for attention.
 */
interface TokenLayout {
  pack(x: string): string;
  unpack(x: string, width: number): string;
}

/** Everything padded: [batch, seq, dim] throughout. */
const PADDED_LAYOUT: TokenLayout = { pack: (x) => x, unpack: (x) => x };

/**
 * The real tokens only, [tokens, dim], in row-major order of the mask. Packing gathers the rows
 * where attention_mask ≠ 0; unpacking scatters them into zeros of [batch × seq, width].
 */
function packedLayout(graph: GraphBuilder, dims: DistilBertDims, attentionMask: string): TokenLayout {
  // [tokens, 1]: flat positions of the real tokens.
  const flat = graph.int64Constant('flat', [-1]);
  const rowsByDim = graph.int64Constant('rows_by_dim', [-1, dims.dim]);
  const flatMask = graph.op('Reshape', [attentionMask, flat]);
  const tokenRows = graph.op('Transpose', [graph.op('NonZero', [flatMask])], { perm: attr.ints([1, 0]) });
  const tokenIndex = graph.op('Reshape', [tokenRows, flat]);
  const paddedRows = graph.op('Unsqueeze', [graph.op('Size', [attentionMask]), graph.int64Constant('axes_0', [0])]);
  const batchAndSequence = graph.op('Shape', [attentionMask]);
  // Per width: float32 zeros [batch × seq, width] (ConstantOfShape's default) and the shape [batch, seq, width].
  const byWidth = new Map<number, { zeros: string; shape: string }>();
  const forWidth = (width: number) => {
    let tensors = byWidth.get(width);
    if (!tensors) {
      const widthConstant = graph.int64Constant(`width_${width}`, [width]);
      tensors = {
        zeros: graph.op('ConstantOfShape', [graph.op('Concat', [paddedRows, widthConstant], { axis: attr.int(0) })]),
        shape: graph.op('Concat', [batchAndSequence, widthConstant], { axis: attr.int(0) }),
      };
      byWidth.set(width, tensors);
    }
    return tensors;
  };
  return {
    pack: (x) => graph.op('Gather', [graph.op('Reshape', [x, rowsByDim]), tokenIndex], { axis: attr.int(0) }),
    unpack: (x, width) => {
      const { zeros, shape } = forWidth(width);
      return graph.op('Reshape', [graph.op('ScatterND', [zeros, tokenRows, x]), shape]);
    },
  };
}

/** Makes the constants the blocks share once; the returned function adds one block. */
function transformerBlockBuilder(graph: GraphBuilder, dims: DistilBertDims, eps: number, keyIsPadding: string, layout: TokenLayout) {
  const headDim = dims.dim / dims.heads;
  const splitShape = graph.int64Constant('split_heads_shape', [0, 0, dims.heads, headDim]);
  const joinShape = graph.int64Constant('join_heads_shape', [0, 0, dims.dim]);
  const scoreScale = graph.floatScalar('sqrt_head_dim', Math.sqrt(headDim));
  const maskedScore = graph.floatScalar('float32_min', FLOAT32_MIN);
  const sqrt2 = graph.floatScalar('sqrt_2', Math.SQRT2);
  const one = graph.floatScalar('one', 1);
  const half = graph.floatScalar('half', 0.5);
  const dim = dims.dim;

  // tokens (packed or [batch, seq, dim]) -> [batch, heads, seq, headDim] (perm 0,2,1,3) or [batch, heads, headDim, seq] (0,2,3,1).
  const splitHeads = (x: string, perm: number[]) => graph.op('Transpose', [graph.op('Reshape', [layout.unpack(x, dim), splitShape])], { perm: attr.ints(perm) });
  const gelu = (h: string) => graph.op('Mul', [graph.op('Mul', [h, graph.op('Add', [graph.op('Erf', [graph.op('Div', [h, sqrt2])]), one])]), half]);

  return (x: string, layer: TransformerLayerWeights, prefix: string): string => {
    const query = graph.op('Div', [splitHeads(denseLayer(graph, x, layer.query, dim, dim, `${prefix}.attention.q_lin`), [0, 2, 1, 3]), scoreScale]);
    const keyT = splitHeads(denseLayer(graph, x, layer.key, dim, dim, `${prefix}.attention.k_lin`), [0, 2, 3, 1]);
    const value = splitHeads(denseLayer(graph, x, layer.value, dim, dim, `${prefix}.attention.v_lin`), [0, 2, 1, 3]);
    const scores = graph.op('Where', [keyIsPadding, maskedScore, graph.op('MatMul', [query, keyT])]);
    const context = graph.op('MatMul', [graph.op('Softmax', [scores], { axis: attr.int(-1) }), value]);
    const joined = layout.pack(graph.op('Reshape', [graph.op('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }), joinShape]));
    const attention = denseLayer(graph, joined, layer.attentionOutput, dim, dim, `${prefix}.attention.out_lin`);
    const sa = layerNorm(graph, graph.op('Add', [attention, x]), layer.attentionLayerNorm, dim, eps, `${prefix}.sa_layer_norm`);
    const hidden = gelu(denseLayer(graph, sa, layer.ffnIn, dim, dims.hiddenDim, `${prefix}.ffn.lin1`));
    const ffn = denseLayer(graph, hidden, layer.ffnOut, dims.hiddenDim, dim, `${prefix}.ffn.lin2`);
    return layerNorm(graph, graph.op('Add', [ffn, sa]), layer.outputLayerNorm, dim, eps, `${prefix}.output_layer_norm`);
  };
}
