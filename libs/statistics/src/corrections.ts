/**
 * Multiple-comparison corrections. Each returns adjusted p-values in the input order, capped at 1,
 * equal to statsmodels' `multipletests(p, method=...)[1]` for 'bonferroni', 'holm' and 'fdr_bh':
 * reject hypothesis i at level alpha when adjusted[i] < alpha.
 * Bonferroni and Holm control the family-wise error rate; Benjamini–Hochberg the false discovery rate.
 */
import { checkProbability, fail } from './errors';

export const CORRECTION_METHODS = ['bonferroni', 'holm', 'bh'] as const;
export type CorrectionMethod = (typeof CORRECTION_METHODS)[number];

export function isCorrectionMethod(value: string): value is CorrectionMethod {
  return (CORRECTION_METHODS as readonly string[]).includes(value);
}

function ascendingOrder(pValues: readonly number[]): number[] {
  return pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b] || a - b);
}

/** p·m, capped at 1. */
export function bonferroni(pValues: readonly number[]): number[] {
  const m = pValues.length;
  return pValues.map((p) => Math.min(1, p * m));
}

/** Holm's step-down: the k-th smallest p times (m − k + 1), made non-decreasing, capped at 1. */
export function holm(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const adjusted = new Array<number>(m);
  let running = 0;
  ascendingOrder(pValues).forEach((index, rank) => {
    running = Math.max(running, Math.min(1, pValues[index] * (m - rank)));
    adjusted[index] = running;
  });
  return adjusted;
}

/** Benjamini–Hochberg step-up: the k-th smallest p times m/k, made non-increasing from the top. */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = ascendingOrder(pValues);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const index = order[rank];
    running = Math.min(running, (pValues[index] * m) / (rank + 1));
    adjusted[index] = running;
  }
  return adjusted;
}

/** Adjusts `pValues` (each in [0, 1], at least one) by `method`. */
export function adjustPValues(pValues: readonly number[], method: CorrectionMethod): number[] {
  if (pValues.length === 0) fail('STATS_ERR_INVALID_ARGUMENT', 'need at least one p-value to correct');
  pValues.forEach((p, i) => checkProbability(p, `p-value ${i + 1}`, true));
  switch (method) {
    case 'bonferroni':
      return bonferroni(pValues);
    case 'holm':
      return holm(pValues);
    case 'bh':
      return benjaminiHochberg(pValues);
    default:
      return fail('STATS_ERR_INVALID_ARGUMENT', `unknown correction method '${String(method)}' (use ${CORRECTION_METHODS.join(', ')})`);
  }
}
