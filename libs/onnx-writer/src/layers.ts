/**
 * Graph pieces shared by the architectures: the Hugging Face sequence-classification signature,
 * Dense (MatMul + Add) and LayerNormalization.
 */
import { GraphBuilder, attr } from './graph-builder';
import { TensorDataType } from './onnx-proto';

/** A fully connected layer; `kernel` is [in, out] row-major, the TF.js Dense kernel layout (y = x·kernel + bias). */
export interface Dense {
  kernel: Float32Array;
  bias: Float32Array;
}

export interface LayerNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
}

/** Symbolic dims of the Hugging Face export. */
export const BATCH_DIM = 'batch_size';
export const SEQUENCE_DIM = 'sequence_length';

/** Declares `input_ids` and `attention_mask`: int64 [batch_size, sequence_length]. */
export function sequenceClassifierInputs(graph: GraphBuilder): { inputIds: string; attentionMask: string } {
  return {
    inputIds: graph.input('input_ids', TensorDataType.INT64, [BATCH_DIM, SEQUENCE_DIM]),
    attentionMask: graph.input('attention_mask', TensorDataType.INT64, [BATCH_DIM, SEQUENCE_DIM]),
  };
}

/** The final Dense, writing `logits`: float32 [batch_size, numLabels]. */
export function logitsOutput(graph: GraphBuilder, x: string, classifier: Dense, inDim: number, numLabels: number, prefix: string): void {
  denseLayer(graph, x, classifier, inDim, numLabels, prefix, 'logits');
  graph.output('logits', TensorDataType.FLOAT, [BATCH_DIM, numLabels]);
}

/** x·kernel + bias over the last axis; `prefix` names the initializers (`prefix.kernel`, `prefix.bias`). */
export function denseLayer(graph: GraphBuilder, x: string, dense: Dense, inDim: number, outDim: number, prefix: string, output?: string): string {
  const kernel = graph.floatTensor(`${prefix}.kernel`, dense.kernel, [inDim, outDim]);
  const bias = graph.floatTensor(`${prefix}.bias`, dense.bias, [outDim]);
  return graph.op('Add', [graph.op('MatMul', [x, kernel]), bias], {}, output);
}

/** LayerNormalization (opset 17) over the last axis: (x - mean) / sqrt(var + eps) · gamma + beta, var biased. */
export function layerNorm(graph: GraphBuilder, x: string, weights: LayerNormWeights, dim: number, epsilon: number, prefix: string): string {
  const gamma = graph.floatTensor(`${prefix}.gamma`, weights.gamma, [dim]);
  const beta = graph.floatTensor(`${prefix}.beta`, weights.beta, [dim]);
  return graph.op('LayerNormalization', [x, gamma, beta], { axis: attr.int(-1), epsilon: attr.float(epsilon) });
}
