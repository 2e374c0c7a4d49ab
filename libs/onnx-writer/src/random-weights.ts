/**
 * Seeded random weights, initialised as Hugging Face does: every matrix and embedding table
 * normal(0, 0.02), biases 0, LayerNorm gamma 1 and beta 0. The same dims and seed always give the
 * same bits (mulberry32 + Box-Muller), so a seeded model is reproducible across machines.
 */
import { seededRandom } from '@mlops/statistics';
import type { DistilBertDims, DistilBertWeights, TransformerLayerWeights } from './distilbert';
import type { EmbeddingBagDims, EmbeddingBagWeights } from './embedding-bag';
import type { Dense, LayerNormWeights } from './layers';
import { checkDims } from './weight-check';

export const HF_INIT_STD = 0.02;

export interface RandomWeightOptions {
  /** Standard deviation of matrices and embeddings; 0.02 unless given (0 gives zeros, fast). */
  std?: number;
}

/** A deterministic source of normal(0, std) float32 arrays. */
export class SeededNormal {
  /** A uniform float in [0, 1). */
  readonly uniform: () => number;
  private spare: number | undefined;

  constructor(seed: number) {
    this.uniform = seededRandom(seed);
  }

  /** A standard normal, by Box-Muller (each pair of uniforms yields two normals). */
  normal(): number {
    if (this.spare !== undefined) {
      const spare = this.spare;
      this.spare = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  array(length: number, std: number): Float32Array {
    const out = new Float32Array(length);
    if (std === 0) return out; // zeros without drawing: for size and speed checks
    let i = 0;
    if (this.spare !== undefined && length > 0) out[i++] = this.normal() * std;
    // Whole Box-Muller pairs without the spare bookkeeping: the same sequence as calling normal().
    for (; i + 1 < length; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
      const angle = 2 * Math.PI * this.uniform();
      out[i] = radius * Math.cos(angle) * std;
      out[i + 1] = radius * Math.sin(angle) * std;
    }
    if (i < length) out[i] = this.normal() * std;
    return out;
  }
}

function denseInit(random: SeededNormal, inDim: number, outDim: number, std: number): Dense {
  return { kernel: random.array(inDim * outDim, std), bias: new Float32Array(outDim) };
}

function layerNormInit(dim: number): LayerNormWeights {
  return { gamma: new Float32Array(dim).fill(1), beta: new Float32Array(dim) };
}

export function randomDistilBertWeights(dims: DistilBertDims, seed: number, options: RandomWeightOptions = {}): DistilBertWeights {
  checkDims(dims, ['vocabSize', 'maxPositions', 'dim', 'layers', 'heads', 'hiddenDim', 'numLabels']);
  const std = options.std ?? HF_INIT_STD;
  const random = new SeededNormal(seed);
  const { dim, hiddenDim } = dims;
  const wordEmbeddings = random.array(dims.vocabSize * dim, std);
  const positionEmbeddings = random.array(dims.maxPositions * dim, std);
  const layers = Array.from(
    { length: dims.layers },
    (): TransformerLayerWeights => ({
      query: denseInit(random, dim, dim, std),
      key: denseInit(random, dim, dim, std),
      value: denseInit(random, dim, dim, std),
      attentionOutput: denseInit(random, dim, dim, std),
      attentionLayerNorm: layerNormInit(dim),
      ffnIn: denseInit(random, dim, hiddenDim, std),
      ffnOut: denseInit(random, hiddenDim, dim, std),
      outputLayerNorm: layerNormInit(dim),
    }),
  );
  return {
    wordEmbeddings,
    positionEmbeddings,
    embeddingLayerNorm: layerNormInit(dim),
    layers,
    preClassifier: denseInit(random, dim, dim, std),
    classifier: denseInit(random, dim, dims.numLabels, std),
  };
}

export function randomEmbeddingBagWeights(dims: EmbeddingBagDims, seed: number, options: RandomWeightOptions = {}): EmbeddingBagWeights {
  checkDims(dims, ['vocabSize', 'dim', 'numLabels']);
  checkDims(dims, ['bigramBuckets', 'hiddenDim'], 0);
  const std = options.std ?? HF_INIT_STD;
  const random = new SeededNormal(seed);
  const tokenEmbeddings = random.array(dims.vocabSize * dims.dim, std);
  const bigramEmbeddings = dims.bigramBuckets > 0 ? random.array(dims.bigramBuckets * dims.dim, std) : undefined;
  const hidden = dims.hiddenDim > 0 ? denseInit(random, dims.dim, dims.hiddenDim, std) : undefined;
  const classifier = denseInit(random, dims.hiddenDim || dims.dim, dims.numLabels, std);
  return { tokenEmbeddings, ...(bigramEmbeddings && { bigramEmbeddings }), ...(hidden && { hidden }), classifier };
}

/** Every Float32Array in a weights object, with its path (`layers[0].query.kernel`), in key order. */
export function weightTensors(weights: DistilBertWeights | EmbeddingBagWeights): [string, Float32Array][] {
  const found: [string, Float32Array][] = [];
  const visit = (value: unknown, path: string): void => {
    if (value instanceof Float32Array) found.push([path, value]);
    else if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
    else if (value !== null && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) visit(child, path === '' ? key : `${path}.${key}`);
    }
  };
  visit(weights, '');
  return found;
}

/** The number of trainable values (floats) in a weights object. */
export function countParameters(weights: DistilBertWeights | EmbeddingBagWeights): number {
  return weightTensors(weights).reduce((total, [, tensor]) => total + tensor.length, 0);
}
