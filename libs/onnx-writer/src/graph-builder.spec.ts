import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, OnnxWriterError, TensorDataType, attr } from './index';

describe('GraphBuilder', () => {
  test('builds a graph onnxruntime runs: y = ReduceSum(x · 2, axis 1) with a symbolic batch dim', async () => {
    const graph = new GraphBuilder('double_and_sum');
    const x = graph.input('x', TensorDataType.FLOAT, ['batch', 3]);
    const doubled = graph.op('Mul', [x, graph.floatScalar('two', 2)]);
    graph.op('ReduceSum', [doubled, graph.int64Constant('axes', [1])], { keepdims: attr.int(0) }, 'y');
    graph.output('y', TensorDataType.FLOAT, ['batch']);
    const session = await ort.InferenceSession.create(graph.toModel());
    try {
      const { y } = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 2, 3, -1, 0, 0.5), [2, 3]) });
      assert.deepEqual(Array.from(y.data as Float32Array), [12, -1]);
    } finally {
      await session.release();
    }
  });

  test('fresh names never collide with names already taken', () => {
    const graph = new GraphBuilder('names');
    graph.input('mul', TensorDataType.FLOAT, [1]);
    const names = [graph.freshName('mul'), graph.freshName('mul'), graph.op('Mul', ['mul', 'mul'])];
    assert.equal(new Set([...names, 'mul']).size, 4);
  });

  test('rejects a name defined twice, an input used before it is defined, and data that does not fit its dims', () => {
    const graph = new GraphBuilder('broken');
    graph.input('x', TensorDataType.FLOAT, [2]);
    const fails = (build: () => unknown, message: RegExp) =>
      assert.throws(build, (error: unknown) => error instanceof OnnxWriterError && error.code === 'ONNX_ERR_GRAPH' && message.test(error.message));
    fails(() => graph.floatTensor('x', new Float32Array(2), [2]), /"x" is empty or already defined/);
    fails(() => graph.op('Add', ['x', 'later']), /input of Add "later" is not defined yet/);
    fails(() => graph.floatTensor('w', new Float32Array(5), [2, 3]), /initializer w has 5 values; dims \[2, 3\] need 6/);
    fails(() => graph.toModel(), /has no outputs/);
  });
});
