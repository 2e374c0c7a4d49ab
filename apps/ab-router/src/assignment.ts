/**
 * Which variant of a running experiment a request gets. Pure.
 *
 * - Sticky: a subject's point in [0, 1) is a hash of `<experiment id>:<subject id>`, so every
 *   replica puts the same user in the same variant, and different experiments split users
 *   independently. Anonymous requests draw a uniform random point.
 * - The point is compared with the cumulative shares of the variants in a fixed order. A canary
 *   is placed first, so as its share ramps up (1% → 5% → 25%) users already on it stay on it.
 */
import { createHash } from 'node:crypto';
import type { Experiment } from '@mlops/schemas';

export interface VariantShare {
  variant: string;
  /** Share of answered traffic, 0..1; the shares of an experiment sum to 1. */
  share: number;
}

export const DEFAULT_RAMP = [1, 5, 25, 100] as const;

/** A stable point in [0, 1) for a subject in an experiment (48 bits of SHA-256). */
export function subjectPoint(salt: string, subjectId: string): number {
  const digest = createHash('sha256').update(`${salt}:${subjectId}`, 'utf8').digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function rampOf(experiment: Pick<Experiment, 'spec'>): readonly number[] {
  return experiment.spec.ramp ?? DEFAULT_RAMP;
}

/** The answering split of an experiment as it stands (kind, ramp step, live variant). */
export function variantShares(experiment: Pick<Experiment, 'spec' | 'rampStep' | 'liveVariant'>): VariantShare[] {
  const { spec } = experiment;
  const control = spec.control_variant;
  const [treatment] = spec.treatment_variants;
  switch (spec.kind ?? 'ab') {
    case 'canary': {
      const ramp = rampOf(experiment);
      const share = ramp[Math.min(experiment.rampStep, ramp.length - 1)] / 100;
      return [
        { variant: treatment, share },
        { variant: control, share: 1 - share },
      ];
    }
    case 'blue-green':
    case 'shadow':
      return [{ variant: experiment.liveVariant, share: 1 }];
    default: {
      // 'ab': the configured weights, equal when none are given.
      const names = [control, ...spec.treatment_variants];
      const weights = names.map((name) => (spec.traffic_allocation ? spec.traffic_allocation[name] ?? 0 : 1));
      const total = weights.reduce((a, b) => a + b, 0);
      return names.map((variant, i) => ({ variant, share: weights[i] / total }));
    }
  }
}

/** The variant whose cumulative share first exceeds `point`. */
export function pickVariant(shares: readonly VariantShare[], point: number): string {
  let cumulative = 0;
  for (const { variant, share } of shares) {
    cumulative += share;
    if (point < cumulative) return variant;
  }
  // Rounding can leave the cumulative sum a hair under 1: the last variant with traffic takes it.
  return [...shares].reverse().find((s) => s.share > 0)?.variant ?? shares[0].variant;
}

export interface Assignment {
  /** The variant that answers. */
  variant: string;
  /** shadow rollouts: the variant that scores a mirrored copy, when this request is mirrored. */
  shadowVariant?: string;
}

export function assign(experiment: Experiment, subjectId: string | undefined, random: () => number): Assignment {
  const point = subjectId === undefined ? random() : subjectPoint(experiment.experimentId, subjectId);
  const variant = pickVariant(variantShares(experiment), point);
  if ((experiment.spec.kind ?? 'ab') !== 'shadow' || experiment.status !== 'running') return { variant };
  // Mirroring draws its own point, so the mirrored subjects are not a slice of one hash range.
  const mirrorPoint = subjectId === undefined ? random() : subjectPoint(`${experiment.experimentId}:shadow`, subjectId);
  const mirrored = mirrorPoint < (experiment.spec.shadow_percent ?? 100) / 100;
  return mirrored ? { variant, shadowVariant: experiment.spec.treatment_variants[0] } : { variant };
}
