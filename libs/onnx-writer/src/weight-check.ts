/**
 * Checks of model dimensions and weight lengths, shared by the architectures. Messages name the
 * tensor (`layers[1].ffnIn.kernel`) and both sizes, so a trainer export bug is found at once.
 */
import { OnnxWriterError } from './errors';
import type { Dense, LayerNormWeights } from './layers';

/** Each named dim must be an integer >= `minimum` (1 unless given). */
export function checkDims(dims: object, names: readonly string[], minimum = 1): void {
  const values = dims as Record<string, unknown>;
  for (const name of names) {
    const value = values[name];
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < minimum) {
      throw new OnnxWriterError('ONNX_ERR_INVALID_DIMS', `dims.${name} must be an integer >= ${minimum}, got ${String(value)}`);
    }
  }
}

export function checkTensor(name: string, data: Float32Array | undefined, shape: readonly number[]): void {
  const expected = shape.reduce((product, dim) => product * dim, 1);
  if (!(data instanceof Float32Array)) {
    throw new OnnxWriterError('ONNX_ERR_WEIGHT_SHAPE', `${name} must be a Float32Array of ${expected} values [${shape.join(', ')}], got ${describe(data)}`);
  }
  if (data.length !== expected) {
    throw new OnnxWriterError('ONNX_ERR_WEIGHT_SHAPE', `${name} has ${data.length} values; expected ${expected} [${shape.join(', ')}]`);
  }
}

/** A Dense layer from `inDim` to `outDim`: kernel [inDim, outDim], bias [outDim]. */
export function checkDense(name: string, dense: Dense | undefined, inDim: number, outDim: number): void {
  checkTensor(`${name}.kernel`, dense?.kernel, [inDim, outDim]);
  checkTensor(`${name}.bias`, dense?.bias, [outDim]);
}

export function checkLayerNorm(name: string, layerNorm: LayerNormWeights | undefined, dim: number): void {
  checkTensor(`${name}.gamma`, layerNorm?.gamma, [dim]);
  checkTensor(`${name}.beta`, layerNorm?.beta, [dim]);
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value;
}
