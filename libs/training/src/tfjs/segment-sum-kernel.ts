/**
 * A one-pass UnsortedSegmentSum kernel: each input row is added into its segment's row. The
 * embedding gradient (tf.gather's gradient) needs it; `wasm` ships no such kernel, and `cpu`'s
 * loops over every vocabulary row for every segment (≈ 115 s per step for an 8,000-word
 * vocabulary; see ../shared/notes/tfjs-training-speed.md). It gives the built-in kernel's sums.
 */
import * as tf from '@tensorflow/tfjs';

interface SegmentSumBackend {
  readSync(dataId: object): unknown;
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: Float32Array): tf.TensorInfo;
}

/** Sums rows of `x` ([n, ...inner]) into `numSegments` rows by `segmentIds` ([n]); ids outside [0, numSegments) are dropped, as in TensorFlow. */
export function segmentSum(x: Float32Array, segmentIds: Int32Array, innerSize: number, numSegments: number): Float32Array {
  const out = new Float32Array(numSegments * innerSize);
  for (let row = 0; row < segmentIds.length; row++) {
    const segment = segmentIds[row];
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * innerSize;
    const to = segment * innerSize;
    for (let k = 0; k < innerSize; k++) out[to + k] += x[from + k];
  }
  return out;
}

const registered = new Set<string>();

/** Registers the kernel for `backendName` (replacing the built-in one); safe to call twice. */
export function registerSegmentSumKernel(backendName: string): void {
  if (registered.has(backendName)) return;
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
      const numSegments = Number((attrs as { numSegments: number }).numSegments);
      const kernelBackend = backend as unknown as SegmentSumBackend;
      const values = Float32Array.from(kernelBackend.readSync(x.dataId) as ArrayLike<number>);
      const ids = Int32Array.from(kernelBackend.readSync(segmentIds.dataId) as ArrayLike<number>);
      const innerShape = x.shape.slice(segmentIds.shape.length);
      const innerSize = innerShape.reduce((a, b) => a * b, 1);
      const summed = segmentSum(values, ids, innerSize, numSegments);
      const shape = [numSegments, ...innerShape];
      if (kernelBackend.makeOutput) return kernelBackend.makeOutput(shape, 'float32', undefined, summed);
      if (kernelBackend.makeTensorInfo) return kernelBackend.makeTensorInfo(shape, 'float32', summed);
      throw new Error(`backend ${backendName} cannot take a segment-sum output`);
    },
  });
  registered.add(backendName);
}
