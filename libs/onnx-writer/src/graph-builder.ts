/**
 * A small builder for one ONNX graph: inputs, outputs, initializers and nodes, with fresh value
 * names and a check that every name is defined once and used only after it is defined (nodes are
 * therefore in topological order, as ONNX requires).
 */
import { OnnxWriterError } from './errors';
import { TensorDataType, encodeModel, type AttributeValue, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-proto';

/** ONNX IR version 8 and opset 17 (LayerNormalization's first opset) in the default domain. */
export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

export interface ModelOptions {
  /** String key/values written to the model's metadata_props (labels, architecture, ...). */
  metadata?: Readonly<Record<string, string>>;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
}

/** Attribute constructors: `attr.int(1)`, `attr.float(1e-12)`, `attr.ints([0, 2, 1, 3])`. */
export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  ints: (value: readonly number[]): AttributeValue => ({ type: 'ints', value }),
  floats: (value: readonly number[]): AttributeValue => ({ type: 'floats', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
};

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly defined = new Set<string>();
  private readonly nameCounts = new Map<string, number>();

  constructor(readonly name: string) {}

  /** A value name not used yet, starting with `hint`. */
  freshName(hint: string): string {
    for (;;) {
      const count = this.nameCounts.get(hint) ?? 0;
      this.nameCounts.set(hint, count + 1);
      const candidate = count === 0 ? hint : `${hint}_${count}`;
      if (!this.defined.has(candidate)) return candidate;
    }
  }

  input(name: string, elemType: TensorDataType, shape: readonly (number | string)[]): string {
    this.define(name);
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Declares a value (already produced by a node) as a graph output. */
  output(name: string, elemType: TensorDataType, shape: readonly (number | string)[]): void {
    this.requireDefined(name, 'graph output');
    this.outputs.push({ name, elemType, shape });
  }

  /** A float32 initializer; the array is referenced, not copied, until the model is encoded. */
  floatTensor(name: string, data: Float32Array, dims: readonly number[]): string {
    return this.initializer(name, TensorDataType.FLOAT, dims, data.length, littleEndianBytes(data));
  }

  int64Tensor(name: string, values: readonly number[] | BigInt64Array, dims: readonly number[] = [values.length]): string {
    const data = values instanceof BigInt64Array ? values : BigInt64Array.from(values, (value) => BigInt(value));
    return this.initializer(name, TensorDataType.INT64, dims, data.length, littleEndianBytes(data));
  }

  /** A float32 scalar (rank 0) constant, named after `hint`. */
  floatScalar(hint: string, value: number): string {
    return this.floatTensor(this.freshName(hint), Float32Array.of(value), []);
  }

  /** An int64 constant, named after `hint`; a number gives a scalar, an array a 1-D tensor. */
  int64Constant(hint: string, value: number | readonly number[]): string {
    return typeof value === 'number' ? this.int64Tensor(this.freshName(hint), [value], []) : this.int64Tensor(this.freshName(hint), value);
  }

  /**
   * Adds a node. `outputs` are names to define; by default one fresh name derived from the op.
   * Returns the output names.
   */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, outputs?: readonly string[]): string[] {
    // An empty input name is ONNX's "optional input omitted".
    for (const input of inputs) if (input !== '') this.requireDefined(input, `input of ${opType}`);
    const outputNames = outputs ? [...outputs] : [this.freshName(opType.toLowerCase())];
    for (const output of outputNames) this.define(output);
    this.nodes.push({ name: this.freshName(`node_${opType}`), opType, inputs, outputs: outputNames, attributes });
    return outputNames;
  }

  /** A single-output node; returns its output name (`output` if given). */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, output?: string): string {
    return this.node(opType, inputs, attributes, output === undefined ? undefined : [output])[0];
  }

  /** Encodes the graph as a ModelProto (IR 8, opset 17). */
  toModel(options: ModelOptions = {}): Uint8Array {
    if (this.outputs.length === 0) throw new OnnxWriterError('ONNX_ERR_GRAPH', `graph ${this.name} has no outputs`);
    return encodeModel({
      irVersion: ONNX_IR_VERSION,
      opsetImports: [{ domain: '', version: ONNX_OPSET }],
      producerName: options.producerName ?? '@mlops/onnx-writer',
      producerVersion: options.producerVersion ?? '0.1.0',
      docString: options.docString,
      graph: { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
      metadata: options.metadata,
    });
  }

  private initializer(name: string, dataType: TensorDataType, dims: readonly number[], elements: number, rawData: Uint8Array): string {
    const expected = dims.reduce((product, dim) => product * dim, 1);
    if (!dims.every((dim) => Number.isSafeInteger(dim) && dim >= 0) || expected !== elements) {
      throw new OnnxWriterError('ONNX_ERR_GRAPH', `initializer ${name} has ${elements} values; dims [${dims.join(', ')}] need ${expected}`);
    }
    this.define(name);
    this.initializers.push({ name, dataType, dims, rawData });
    return name;
  }

  private define(name: string): void {
    if (name === '' || this.defined.has(name)) {
      throw new OnnxWriterError('ONNX_ERR_GRAPH', `value name ${JSON.stringify(name)} is empty or already defined in graph ${this.name}`);
    }
    this.defined.add(name);
  }

  private requireDefined(name: string, role: string): void {
    if (!this.defined.has(name)) throw new OnnxWriterError('ONNX_ERR_GRAPH', `${role} ${JSON.stringify(name)} is not defined yet in graph ${this.name}`);
  }
}

/** The array's bytes in little-endian order: a view on little-endian hosts, a swapped copy otherwise. */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (IS_LITTLE_ENDIAN) return bytes;
  const swapped = new Uint8Array(bytes.length);
  const width = data.BYTES_PER_ELEMENT;
  for (let i = 0; i < bytes.length; i += width) {
    for (let j = 0; j < width; j++) swapped[i + j] = bytes[i + width - 1 - j];
  }
  return swapped;
}
