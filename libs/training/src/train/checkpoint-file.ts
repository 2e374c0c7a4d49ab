/**
 * Checkpoint files: named float32 arrays plus a JSON header, written atomically (temporary file,
 * then rename), so a run killed mid-write leaves the previous checkpoint intact.
 *
 *   [u32 header length][header JSON: {meta, arrays: [{name, length}]}][float32 data, in order]
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WeightArrays } from '../tfjs/trainable-model';

export function writeCheckpoint(file: string, arrays: WeightArrays, meta: unknown): void {
  const names = Object.keys(arrays);
  const header = Buffer.from(JSON.stringify({ meta, arrays: names.map((name) => ({ name, length: arrays[name].length })) }));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    fs.writeSync(fd, length);
    fs.writeSync(fd, header);
    for (const name of names) {
      const values = arrays[name];
      fs.writeSync(fd, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

export function readCheckpoint<M>(file: string): { arrays: WeightArrays; meta: M } | undefined {
  if (!fs.existsSync(file)) return undefined;
  const bytes = fs.readFileSync(file);
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as { meta: M; arrays: { name: string; length: number }[] };
  const arrays: WeightArrays = {};
  let offset = 4 + headerLength;
  for (const { name, length } of header.arrays) {
    // Copy into an aligned buffer: the data offset need not be a multiple of 4.
    arrays[name] = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + length * 4));
    offset += length * 4;
  }
  return { arrays, meta: header.meta };
}
