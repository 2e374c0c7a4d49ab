/**
 * Always-valid p-values by the mixture sequential probability ratio test (mSPRT) with a normal
 * mixture, as in Johari, Koomen, Pekelis & Walsh, "Peeking at A/B Tests" (KDD 2017) and
 * Optimizely's Stats Engine. They may be read after every batch of data and the experiment stopped
 * the first time p < alpha, and the false-positive rate still stays below alpha.
 *
 * Model: the estimate θ̂ₙ (treatment − control) is approximately N(θ, Vₙ), with Vₙ its variance at
 * look n. The mixing distribution over the alternative is θ ~ N(θ₀, τ²); τ² is the **mixing
 * variance**, in squared metric units. The mixture likelihood ratio against H₀: θ = θ₀ is
 *
 *   Λₙ = √(Vₙ / (Vₙ + τ²)) · exp( τ²(θ̂ₙ − θ₀)² / (2Vₙ(Vₙ + τ²)) )
 *
 * and the always-valid p-value is pₙ = min(pₙ₋₁, 1/Λₙ) with p₀ = 1. Power is best for effects near
 * τ; the experiment analysis uses τ = the minimum detectable effect.
 */
import { checkPositive, checkProbability, fail } from './errors';

export interface SequentialLook {
  /** Estimated effect θ̂ at this look (treatment − control, metric units). */
  estimate: number;
  /** Variance of the estimate at this look (squared metric units), > 0 unless the estimate equals the null. */
  variance: number;
}

export interface MsprtOptions {
  /** τ², the variance of the normal mixing distribution (squared metric units). */
  mixingVariance: number;
  /** θ₀, the effect under the null hypothesis (default 0). */
  nullValue?: number;
}

/** 1/Λₙ capped at 1 for one look: the evidence of this look alone (not yet the running minimum). */
export function msprtInverseLikelihoodRatio(look: SequentialLook, options: MsprtOptions): number {
  const tau2 = checkPositive(options.mixingVariance, 'mixing variance');
  const deviation = look.estimate - (options.nullValue ?? 0);
  const v = look.variance;
  if (!(Number.isFinite(v) && v >= 0)) fail('STATS_ERR_INVALID_ARGUMENT', `variance must be a non-negative number, got ${v}`);
  if (!Number.isFinite(deviation)) fail('STATS_ERR_INVALID_ARGUMENT', `estimate must be a finite number, got ${look.estimate}`);
  // No spread left: the estimate is exact, so it either sits on the null or refutes it.
  if (v === 0) return deviation === 0 ? 1 : 0;
  // ln(1/Λ) = ½·ln((V + τ²)/V) − τ²(θ̂ − θ₀)² / (2V(V + τ²)), kept in logs against overflow.
  const lnInverse = 0.5 * Math.log1p(tau2 / v) - (tau2 * deviation * deviation) / (2 * v * (v + tau2));
  return Math.exp(Math.min(0, lnInverse));
}

/**
 * The always-valid p-value after one more look: min(previous, 1/Λₙ). Pass the p-value returned
 * for the previous look (1 before the first) so the sequence never increases.
 */
export function msprtPValue(look: SequentialLook, options: MsprtOptions, previousPValue = 1): number {
  checkProbability(previousPValue, 'previous p-value', true);
  return Math.min(previousPValue, msprtInverseLikelihoodRatio(look, options));
}

/** Always-valid p-values for a whole history of looks, in order; non-increasing. */
export function msprtPValues(looks: readonly SequentialLook[], options: MsprtOptions): number[] {
  let p = 1;
  return looks.map((look) => (p = msprtPValue(look, options, p)));
}
