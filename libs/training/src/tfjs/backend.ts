/**
 * Chooses the TensorFlow.js backend and says which: `@tensorflow/tfjs-node-gpu` when installed and
 * working, else `@tensorflow/tfjs-node`, else pure TensorFlow.js (`wasm`, whose single thread is
 * ≈ 10× faster than `cpu` here, then `cpu`). The native packages are optional dependencies,
 * loaded only when present; a missing or broken one is reported and skipped.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerSegmentSumKernel } from './segment-sum-kernel';

export type BackendName = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  backend: BackendName;
  /** True when a GPU does the work: the transformer is then the default architecture. */
  gpu: boolean;
  /** Why the faster options were not taken, one line each. */
  skipped: string[];
}

const NATIVE_PACKAGES: { backend: BackendName; packageName: string; gpu: boolean }[] = [
  { backend: 'tensorflow-gpu', packageName: '@tensorflow/tfjs-node-gpu', gpu: true },
  { backend: 'tensorflow', packageName: '@tensorflow/tfjs-node', gpu: false },
];

function tryNative(packageName: string): string | undefined {
  try {
    // Optional dependency: a require of a variable, so bundlers and the type checker do not need it.
    require(packageName);
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

let chosen: BackendChoice | undefined;

/** Picks (once per process) and readies the backend; `prefer` forces one when it works. */
export async function chooseBackend(prefer?: BackendName): Promise<BackendChoice> {
  if (chosen && (!prefer || prefer === chosen.backend)) return chosen;
  const skipped: string[] = [];
  const pure: BackendName[] = prefer === 'cpu' ? ['cpu', 'wasm'] : ['wasm', 'cpu'];
  for (const native of NATIVE_PACKAGES) {
    if (prefer && prefer !== native.backend) continue;
    const failure = tryNative(native.packageName);
    if (failure) {
      skipped.push(`${native.packageName}: ${failure}`);
      continue;
    }
    // Both native packages register their backend as 'tensorflow'.
    if (await tf.setBackend('tensorflow')) {
      await tf.ready();
      chosen = { backend: native.backend, gpu: native.gpu, skipped };
      return chosen;
    }
    skipped.push(`${native.packageName}: loaded, but its backend did not start`);
  }
  for (const backend of pure) {
    registerSegmentSumKernel(backend);
    if (await tf.setBackend(backend)) {
      await tf.ready();
      chosen = { backend, gpu: false, skipped };
      return chosen;
    }
    skipped.push(`${backend}: did not start`);
  }
  throw new Error(`no TensorFlow.js backend started: ${skipped.join('; ')}`);
}
