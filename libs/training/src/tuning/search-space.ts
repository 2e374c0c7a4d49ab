/**
 * What tuning searches, per architecture, and a seeded sampler. Rates are log-uniform; sizes come
 * from short lists of the values worth paying for on this hardware.
 */
import type { Architecture } from '../tfjs/trainable-model';

export type TrialOverrides = Record<string, number>;

const logUniform = (random: () => number, low: number, high: number) => Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low)));
const choice = <T>(random: () => number, values: readonly T[]) => values[Math.floor(random() * values.length)];
const round = (value: number, digits: number) => Number(value.toPrecision(digits));

export function sampleTrial(random: () => number, architecture: Architecture): TrialOverrides {
  const shared = {
    learningRate: round(logUniform(random, architecture === 'transformer' ? 3e-4 : 2e-3, architecture === 'transformer' ? 3e-3 : 5e-2), 3),
    dropout: round(random() * 0.4, 2),
    maxLength: choice(random, [32, 64]),
  };
  if (architecture === 'transformer') {
    return { ...shared, dim: choice(random, [32, 64, 128]), layers: choice(random, [1, 2, 3]), heads: choice(random, [1, 2, 4]) };
  }
  return { ...shared, dim: choice(random, [32, 64, 128]), hiddenDim: choice(random, [0, 0, 64]), bigramBuckets: choice(random, [50_000, 100_000, 200_000, 400_000]) };
}
