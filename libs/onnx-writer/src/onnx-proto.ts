/**
 * The ONNX messages this library writes, as plain objects, and their protobuf encoding. Field
 * numbers are those of onnx/onnx.proto (proto2); repeated scalars are written unpacked, as the
 * reference implementation writes them. Only the fields we use are modelled.
 */
import { OnnxWriterError } from './errors';
import { ProtoWriter, readProtoFields } from './protobuf';

/** TensorProto.DataType values. */
export const TensorDataType = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, DOUBLE: 11 } as const;
export type TensorDataType = (typeof TensorDataType)[keyof typeof TensorDataType];

/** AttributeProto.AttributeType values. */
const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const;

/** A tensor whose data is `rawData`: little-endian, row-major, as ONNX's raw_data requires. */
export interface TensorProto {
  name: string;
  dataType: TensorDataType;
  dims: readonly number[];
  rawData: Uint8Array;
}

export type AttributeValue =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'floats'; value: readonly number[] }
  | { type: 'ints'; value: readonly number[] }
  | { type: 'tensor'; value: TensorProto };

export interface NodeProto {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, AttributeValue>>;
  /** Empty (the default ONNX domain) unless set. */
  domain?: string;
}

/** A tensor-typed graph input or output; a string dim is symbolic (dim_param), a number fixed (dim_value). */
export interface ValueInfoProto {
  name: string;
  elemType: TensorDataType;
  shape: readonly (number | string)[];
}

export interface GraphProto {
  name: string;
  nodes: readonly NodeProto[];
  initializers: readonly TensorProto[];
  inputs: readonly ValueInfoProto[];
  outputs: readonly ValueInfoProto[];
  docString?: string;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  graph: GraphProto;
  /** Written to metadata_props, in insertion order. */
  metadata?: Readonly<Record<string, string>>;
}

/** Protobuf refuses messages of 2 GiB or more. */
const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

export function encodeModel(model: ModelProto): Uint8Array {
  const out = new ProtoWriter().varint(1, model.irVersion).string(2, model.producerName).string(3, model.producerVersion);
  if (model.docString) out.string(6, model.docString);
  out.message(7, encodeGraph(model.graph));
  for (const opset of model.opsetImports) {
    out.message(8, new ProtoWriter().string(1, opset.domain).varint(2, opset.version));
  }
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    out.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  if (out.length > MAX_PROTOBUF_BYTES) {
    throw new OnnxWriterError('ONNX_ERR_TOO_LARGE', `the model would take ${out.length} bytes; protobuf allows at most ${MAX_PROTOBUF_BYTES}`);
  }
  return out.finish();
}

function encodeGraph(graph: GraphProto): ProtoWriter {
  const out = new ProtoWriter();
  for (const node of graph.nodes) out.message(1, encodeNode(node));
  out.string(2, graph.name);
  for (const tensor of graph.initializers) out.message(5, encodeTensor(tensor));
  if (graph.docString) out.string(10, graph.docString);
  for (const input of graph.inputs) out.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) out.message(12, encodeValueInfo(output));
  return out;
}

function encodeNode(node: NodeProto): ProtoWriter {
  const out = new ProtoWriter();
  for (const input of node.inputs) out.string(1, input);
  for (const output of node.outputs) out.string(2, output);
  out.string(3, node.name).string(4, node.opType);
  for (const [name, value] of Object.entries(node.attributes ?? {})) out.message(5, encodeAttribute(name, value));
  if (node.domain) out.string(7, node.domain);
  return out;
}

function encodeAttribute(name: string, attribute: AttributeValue): ProtoWriter {
  const out = new ProtoWriter().string(1, name);
  switch (attribute.type) {
    case 'float':
      return out.float(2, attribute.value).varint(20, AttributeType.FLOAT);
    case 'int':
      return out.varint(3, attribute.value).varint(20, AttributeType.INT);
    case 'string':
      return out.string(4, attribute.value).varint(20, AttributeType.STRING);
    case 'tensor':
      return out.message(5, encodeTensor(attribute.value)).varint(20, AttributeType.TENSOR);
    case 'floats':
      for (const value of attribute.value) out.float(7, value);
      return out.varint(20, AttributeType.FLOATS);
    case 'ints':
      for (const value of attribute.value) out.varint(8, value);
      return out.varint(20, AttributeType.INTS);
  }
}

function encodeTensor(tensor: TensorProto): ProtoWriter {
  const out = new ProtoWriter();
  for (const dim of tensor.dims) out.varint(1, dim);
  return out.varint(2, tensor.dataType).string(8, tensor.name).bytes(9, tensor.rawData);
}

function encodeValueInfo(info: ValueInfoProto): ProtoWriter {
  const shape = new ProtoWriter();
  for (const dim of info.shape) {
    const dimension = typeof dim === 'string' ? new ProtoWriter().string(2, dim) : new ProtoWriter().varint(1, dim);
    shape.message(1, dimension);
  }
  const tensorType = new ProtoWriter().varint(1, info.elemType).message(2, shape);
  return new ProtoWriter().string(1, info.name).message(2, new ProtoWriter().message(1, tensorType));
}

/**
 * The metadata_props of an encoded ModelProto (ours or any exporter's), without decoding the graph.
 * A key that appears twice keeps its last value.
 */
export function readOnnxMetadata(model: Uint8Array): Record<string, string> {
  const text = new TextDecoder();
  const metadata: Record<string, string> = {};
  for (const { field, value } of readProtoFields(model)) {
    if (field !== 14 || !(value instanceof Uint8Array)) continue;
    let key = '';
    let entryValue = '';
    for (const entry of readProtoFields(value)) {
      if (!(entry.value instanceof Uint8Array)) continue;
      if (entry.field === 1) key = text.decode(entry.value);
      if (entry.field === 2) entryValue = text.decode(entry.value);
    }
    metadata[key] = entryValue;
  }
  return metadata;
}
