/**
 * Power and sample size for two-sided two-sample tests, by the normal approximation.
 *
 * The sample-size formulas are the textbook one-tail ones (the far tail adds < 1e-6 of power at
 * any useful design); the power functions include both tails, so power(sampleSize(...)) >= target.
 */
import { checkAlpha, checkCount, checkPositive, checkProbability, fail } from './errors';
import { normalCdf, normalQuantile } from './distributions';

export interface ProportionDesign {
  /** Control conversion rate p1, in (0, 1). */
  baseline: number;
  /** Absolute difference to detect: p2 = baseline + mde must stay in (0, 1); mde ≠ 0. */
  mde: number;
  alpha?: number;
  power?: number;
}

export interface MeanDesign {
  /** Standard deviation of the metric in each group (metric units). */
  sd: number;
  /** Absolute difference of means to detect (metric units, ≠ 0). */
  mde: number;
  alpha?: number;
  power?: number;
}

function designLevels(alpha: number, power: number): { zAlpha: number; zBeta: number } {
  checkAlpha(alpha);
  checkProbability(power, 'power');
  return { zAlpha: normalQuantile(1 - alpha / 2), zBeta: normalQuantile(power) };
}

function checkRates(baseline: number, mde: number): number {
  checkProbability(baseline, 'baseline');
  if (!(Number.isFinite(mde) && mde !== 0)) fail('STATS_ERR_INVALID_ARGUMENT', `mde must be a non-zero number, got ${mde}`);
  return checkProbability(baseline + mde, 'baseline + mde');
}

/**
 * Per-variant sample size to detect p1 → p2 = p1 + mde:
 * n = ⌈(z₁₋α/₂·√(2p̄(1−p̄)) + z₁₋β·√(p1(1−p1) + p2(1−p2)))² / (p2 − p1)²⌉ with p̄ = (p1 + p2)/2.
 */
export function sampleSizeForProportions({ baseline, mde, alpha = 0.05, power = 0.8 }: ProportionDesign): number {
  const p2 = checkRates(baseline, mde);
  const { zAlpha, zBeta } = designLevels(alpha, power);
  const p1 = baseline;
  const pBar = (p1 + p2) / 2;
  const root = zAlpha * Math.sqrt(2 * pBar * (1 - pBar)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((root * root) / ((p2 - p1) * (p2 - p1)));
}

/** Per-variant sample size to detect a difference of means `mde`: n = ⌈2σ²(z₁₋α/₂ + z₁₋β)²/mde²⌉. */
export function sampleSizeForMeans({ sd, mde, alpha = 0.05, power = 0.8 }: MeanDesign): number {
  checkPositive(sd, 'sd');
  if (!(Number.isFinite(mde) && mde !== 0)) fail('STATS_ERR_INVALID_ARGUMENT', `mde must be a non-zero number, got ${mde}`);
  const { zAlpha, zBeta } = designLevels(alpha, power);
  return Math.ceil((2 * sd * sd * (zAlpha + zBeta) ** 2) / (mde * mde));
}

/** Probability that a two-sided test at level alpha rejects, with effect/σ₁ = shift and null spread σ₀/σ₁ = spread. */
function twoSidedPower(shift: number, spread: number, alpha: number): number {
  const z = normalQuantile(1 - alpha / 2) * spread;
  return normalCdf(Math.abs(shift) - z) + normalCdf(-Math.abs(shift) - z);
}

export interface ProportionPowerInput {
  controlRate: number;
  treatmentRate: number;
  controlSize: number;
  treatmentSize: number;
  alpha?: number;
}

/**
 * Power of the pooled two-proportion z-test to detect controlRate → treatmentRate with the given
 * group sizes (the inverse of `sampleSizeForProportions`, plus the far tail).
 */
export function powerForProportions({ controlRate, treatmentRate, controlSize, treatmentSize, alpha = 0.05 }: ProportionPowerInput): number {
  checkProbability(controlRate, 'control rate', true);
  checkProbability(treatmentRate, 'treatment rate', true);
  checkCount(controlSize, 'control size', 1);
  checkCount(treatmentSize, 'treatment size', 1);
  checkAlpha(alpha);
  const pooled = (controlSize * controlRate + treatmentSize * treatmentRate) / (controlSize + treatmentSize);
  const nullSe = Math.sqrt(pooled * (1 - pooled) * (1 / controlSize + 1 / treatmentSize));
  const alternativeSe = Math.sqrt((controlRate * (1 - controlRate)) / controlSize + (treatmentRate * (1 - treatmentRate)) / treatmentSize);
  if (alternativeSe === 0) return controlRate === treatmentRate ? alpha : 1;
  return twoSidedPower((treatmentRate - controlRate) / alternativeSe, nullSe / alternativeSe, alpha);
}

export interface MeanPowerInput {
  /** Difference of means to detect (metric units). */
  difference: number;
  controlSd: number;
  treatmentSd: number;
  controlSize: number;
  treatmentSize: number;
  alpha?: number;
}

/** Power of a two-sided two-sample mean test (normal approximation) to detect `difference`. */
export function powerForMeans({ difference, controlSd, treatmentSd, controlSize, treatmentSize, alpha = 0.05 }: MeanPowerInput): number {
  checkCount(controlSize, 'control size', 1);
  checkCount(treatmentSize, 'treatment size', 1);
  checkAlpha(alpha);
  const se = Math.sqrt(controlSd ** 2 / controlSize + treatmentSd ** 2 / treatmentSize);
  if (!(se > 0)) return fail('STATS_ERR_DEGENERATE', 'power is undefined: both standard deviations are 0');
  return twoSidedPower(difference / se, 1, alpha);
}
