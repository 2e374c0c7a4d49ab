/**
 * The ONNX writer's error codes: one per kind of failure, never reused. Every one is a caller's
 * mistake (dims, weights or graph wiring), so none is worth retrying (`canRetry` is always false).
 */
export const ONNX_WRITER_ERROR_CODES = {
  ONNX_ERR_INVALID_DIMS: 'A model dimension is not a positive integer, or dimensions disagree (dim not divisible by heads, ...).',
  ONNX_ERR_WEIGHT_SHAPE: 'A weight tensor is missing or has the wrong number of values for the model dimensions.',
  ONNX_ERR_GRAPH: 'The graph is malformed: a duplicate or unknown value name, or an initializer whose data does not fit its dims.',
  ONNX_ERR_TOO_LARGE: 'The model is over the 2 GiB protobuf limit; external data files are not supported.',
} as const;

export type OnnxWriterErrorCode = keyof typeof ONNX_WRITER_ERROR_CODES;

/** An ONNX writer failure; the message names the tensor, dimension or value at fault. */
export class OnnxWriterError extends Error {
  override name = 'OnnxWriterError';
  readonly canRetry = false;
  constructor(
    readonly code: OnnxWriterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
