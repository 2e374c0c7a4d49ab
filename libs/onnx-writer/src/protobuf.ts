/**
 * The part of the Protocol Buffers wire format ONNX needs: varints (int32/int64/enums), fixed32
 * floats, and length-delimited strings, bytes and nested messages; and a reader of top-level
 * fields, enough to find a model's metadata without parsing its graph.
 *
 * A writer keeps a list of byte chunks instead of one growing buffer, so a large `bytes` field (a
 * weight tensor's raw_data) is held by reference and copied exactly once, in `finish()`. Nested
 * messages are built bottom-up: a child writer knows its length before the parent writes it.
 */

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** Byte arrays up to this size are copied into the small-field buffer instead of kept as a chunk. */
const INLINE_BYTES_LIMIT = 64;

export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private chunkBytes = 0;
  private buffer = new Uint8Array(256);
  private used = 0;
  private static readonly text = new TextEncoder();

  /** Encoded size so far, in bytes. */
  get length(): number {
    return this.chunkBytes + this.used;
  }

  /** An int32, int64 or enum field. Negative values take 10 bytes, as protobuf sign-extends them. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  /** A `float` field (fixed32, little-endian). */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    new DataView(this.buffer.buffer, this.buffer.byteOffset).setFloat32(this.used, value, true);
    this.used += 4;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, ProtoWriter.text.encode(value));
  }

  /** A `bytes` field. Large arrays are kept by reference until `finish()`: do not modify them before. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(data.length);
    if (data.length <= INLINE_BYTES_LIMIT) {
      this.reserve(data.length);
      this.buffer.set(data, this.used);
      this.used += data.length;
    } else {
      this.pushChunk(data);
    }
    return this;
  }

  /** A nested message field; `child` must not be written to afterwards. */
  message(field: number, child: ProtoWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawVarint(child.length);
    child.flush();
    for (const chunk of child.chunks) this.pushChunk(chunk);
    return this;
  }

  /** The encoded message as one contiguous array. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.chunkBytes);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(field * 8 + wireType);
  }

  private rawVarint(value: number | bigint): void {
    this.reserve(10);
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
      while (value >= 0x80) {
        this.buffer[this.used++] = (value % 0x80) | 0x80;
        value = Math.floor(value / 0x80);
      }
      this.buffer[this.used++] = value;
      return;
    }
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf varint must be a safe integer or a bigint, got ${value}`);
    }
    let unsigned = BigInt.asUintN(64, BigInt(value));
    while (unsigned >= 0x80n) {
      this.buffer[this.used++] = Number(unsigned & 0x7fn) | 0x80;
      unsigned >>= 7n;
    }
    this.buffer[this.used++] = Number(unsigned);
  }

  private reserve(bytes: number): void {
    if (this.used + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.used + bytes));
    grown.set(this.buffer.subarray(0, this.used));
    this.buffer = grown;
  }

  private pushChunk(chunk: Uint8Array): void {
    this.flush();
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
  }

  private flush(): void {
    if (this.used === 0) return;
    this.chunks.push(this.buffer.subarray(0, this.used));
    this.chunkBytes += this.used;
    // The flushed bytes stay referenced by the chunk, so start a fresh buffer.
    this.buffer = new Uint8Array(256);
    this.used = 0;
  }
}

/** One field of a message: varints as numbers, length-delimited fields as byte views. */
export interface ProtoField {
  field: number;
  wireType: number;
  value: number | Uint8Array;
}

/**
 * The top-level fields of an encoded message, in order. Length-delimited values are views, not
 * copies, so skipping a large graph costs nothing. Varints must fit a safe integer.
 */
export function* readProtoFields(bytes: Uint8Array): Generator<ProtoField> {
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (offset >= bytes.length) throw new RangeError('protobuf: truncated varint');
      const byte = bytes[offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  };
  while (offset < bytes.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    let value: number | Uint8Array;
    if (wireType === WIRE_VARINT) value = varint();
    else if (wireType === WIRE_LENGTH_DELIMITED) {
      const length = varint();
      value = bytes.subarray(offset, offset + length);
      offset += length;
    } else if (wireType === WIRE_FIXED32 || wireType === WIRE_FIXED64) {
      const width = wireType === WIRE_FIXED32 ? 4 : 8;
      value = bytes.subarray(offset, offset + width);
      offset += width;
    } else throw new RangeError(`protobuf: unsupported wire type ${wireType} for field ${field}`);
    if (offset > bytes.length) throw new RangeError(`protobuf: field ${field} runs past the end of the message`);
    yield { field, wireType, value };
  }
}
