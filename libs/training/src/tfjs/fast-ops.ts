/**
 * Ops whose built-in gradients are slow on `wasm`, and the layer pieces the transformer needs.
 * tf.matMul's gradient calls matMul with transpose flags, which runs at ≈ 1.5 GFLOP/s on wasm
 * instead of 15–24; transposing explicitly first gives the same gradients 3.8× faster (see
 * ../shared/notes/tfjs-training-speed.md).
 */
import * as tf from '@tensorflow/tfjs';

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
  return tf.transpose(x, perm);
}

/** a·b over the last two axes (equal leading axes), with explicit-transpose gradients. */
const matMulWithGrad = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor3D, swapLastTwo(saved[1]) as tf.Tensor3D), tf.matMul(swapLastTwo(saved[0]) as tf.Tensor3D, dy as tf.Tensor3D)],
  };
}) as Parameters<typeof tf.customGrad>[0]);

/** a·b over the last two axes (equal leading axes), with explicit-transpose gradients. */
export function matMul(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return matMulWithGrad(a, b);
}

/** x·kernel + bias for x [n, in], kernel [in, out]. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return tf.add(matMul(x, kernel), bias);
}

/** LayerNorm over the last axis, ONNX LayerNormalization's math (population variance). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** Exact GELU: x · ½(1 + erf(x / √2)). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}
