/**
 * Writes a batch of rows straight into int64 tensors. On little-endian machines (all that Node
 * runs on in practice) each int64 is written as its low 32-bit half through an Int32Array view of
 * the zero-filled buffer, which avoids a BigInt per element.
 */
import type { BatchEncoding } from './options';

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export interface RowSpecialIds {
  cls: number;
  sep: number;
  pad: number;
}

/** Sets element `index` of a zero-filled BigInt64Array to a small non-negative integer. */
type Int64Writer = (index: number, value: number) => void;

function int64Writer(tensor: BigInt64Array): Int64Writer {
  if (LITTLE_ENDIAN) {
    const halves = new Int32Array(tensor.buffer, tensor.byteOffset, tensor.length * 2);
    return (index, value) => {
      halves[2 * index] = value;
    };
  }
  return (index, value) => {
    tensor[index] = BigInt(value);
  };
}

/**
 * Row r holds `[CLS] ids[rowStarts[r], rowStarts[r + 1]) [SEP]`, then padding to `sequenceLength`.
 */
export function writeBatchTensors(
  ids: Int32Array,
  rowStarts: Int32Array,
  sequenceLength: number,
  special: RowSpecialIds,
  withTokenTypeIds: boolean,
): BatchEncoding {
  const batchSize = rowStarts.length - 1;
  const size = batchSize * sequenceLength;
  const inputIds = new BigInt64Array(size);
  const attentionMask = new BigInt64Array(size);
  const lengths = new Int32Array(batchSize);
  const writeId = int64Writer(inputIds);
  const writeMask = int64Writer(attentionMask);
  for (let row = 0; row < batchSize; row++) {
    const base = row * sequenceLength;
    const first = rowStarts[row];
    const count = rowStarts[row + 1] - first;
    writeId(base, special.cls);
    for (let k = 0; k < count; k++) writeId(base + 1 + k, ids[first + k]);
    writeId(base + count + 1, special.sep);
    if (special.pad !== 0) for (let k = base + count + 2; k < base + sequenceLength; k++) writeId(k, special.pad);
    for (let k = base; k < base + count + 2; k++) writeMask(k, 1);
    lengths[row] = count + 2;
  }
  const batch: BatchEncoding = { batchSize, sequenceLength, inputIds, attentionMask, lengths };
  if (withTokenTypeIds) batch.tokenTypeIds = new BigInt64Array(size);
  return batch;
}
