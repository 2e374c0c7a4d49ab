import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoWriter, readProtoFields } from './protobuf';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('ProtoWriter', () => {
  test('writes varints as protobuf does, negatives sign-extended to 10 bytes (ONNX axis -1)', () => {
    assert.equal(hex(new ProtoWriter().varint(1, 300).finish()), '08ac02');
    assert.equal(hex(new ProtoWriter().varint(3, -1).finish()), '18ffffffffffffffffff01');
    assert.equal(hex(new ProtoWriter().varint(1, 2 ** 28).finish()), '088080808001');
    assert.equal(hex(new ProtoWriter().varint(1, 0x7fffffffffffffffn).finish()), '08ffffffffffffffff7f');
  });

  test('writes floats little-endian and strings as UTF-8 with their byte length', () => {
    assert.equal(hex(new ProtoWriter().float(2, 1).finish()), '150000803f');
    assert.equal(hex(new ProtoWriter().string(1, 'é').finish()), '0a02c3a9');
  });

  test('nests messages and keeps large byte fields intact, by reference until finish()', () => {
    const payload = new Uint8Array(100_000).map((_, i) => i % 251);
    const inner = new ProtoWriter().string(1, 'weights').bytes(9, payload);
    const outer = new ProtoWriter().varint(1, 8).message(5, inner).string(2, 'tail');
    const fields = [...readProtoFields(outer.finish())];
    assert.deepEqual(fields.map(({ field }) => field), [1, 5, 2]);
    const innerFields = [...readProtoFields(fields[1].value as Uint8Array)];
    assert.deepEqual(Buffer.from(innerFields[1].value as Uint8Array), Buffer.from(payload));
    assert.equal(Buffer.from(fields[2].value as Uint8Array).toString(), 'tail');
  });

  test('lengths past 2^28 (a 5-byte varint, as a graph of over 256 MiB needs) read back', () => {
    const writer = new ProtoWriter().bytes(7, new Uint8Array(2 ** 28 + 3));
    const [field] = [...readProtoFields(writer.finish())];
    assert.equal(field.field, 7);
    assert.equal((field.value as Uint8Array).length, 2 ** 28 + 3);
  });

  test('a truncated message is an error, not a silently short read', () => {
    const bytes = new ProtoWriter().string(1, 'abcdef').finish();
    assert.throws(() => [...readProtoFields(bytes.subarray(0, 4))], /runs past the end/);
  });
});
