/**
 * Tests for continuous metrics (confidence, latency) from summary statistics: Welch's t-test with
 * the Welch–Satterthwaite degrees of freedom, its t-based interval, and Cohen's d.
 */
import { checkAlpha, checkCount, checkFinite, checkSample, fail } from './errors';
import { tQuantile, tSf } from './distributions';
import type { Interval } from './proportions';

/** A group summarized by its mean, sample standard deviation (n − 1 denominator) and size. */
export interface MeanSample {
  mean: number;
  sd: number;
  n: number;
}

export interface WelchTest {
  /** Welch's t of treatment − control. */
  statistic: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Treatment mean − control mean. */
  difference: number;
  /** t-based interval of the difference at level 1 − alpha, with the Welch df. */
  ci: Interval;
  /** Difference over the pooled standard deviation. */
  cohensD: number;
}

export function checkMeanSample(sample: MeanSample, name: string, minimumSize = 2): void {
  checkFinite(sample.mean, `${name} mean`);
  if (!(Number.isFinite(sample.sd) && sample.sd >= 0)) {
    fail('STATS_ERR_INVALID_ARGUMENT', `${name} standard deviation must be a non-negative number, got ${sample.sd}`);
  }
  checkCount(sample.n, `${name} size`, minimumSize);
}

/** Mean, sample standard deviation and size of raw observations. */
export function summarize(values: readonly number[]): MeanSample {
  checkSample(values, 'sample', 1);
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  const squares = values.reduce((sum, v) => sum + (v - mean) * (v - mean), 0);
  return { mean, sd: n > 1 ? Math.sqrt(squares / (n - 1)) : 0, n };
}

/** The standard deviation pooled over both groups, weighted by their degrees of freedom. */
export function pooledSd(control: MeanSample, treatment: MeanSample): number {
  const dfTotal = control.n + treatment.n - 2;
  return Math.sqrt(((control.n - 1) * control.sd ** 2 + (treatment.n - 1) * treatment.sd ** 2) / dfTotal);
}

/** Cohen's d = (treatment mean − control mean) / pooled sd. */
export function cohensD(control: MeanSample, treatment: MeanSample): number {
  checkMeanSample(control, 'control');
  checkMeanSample(treatment, 'treatment');
  const sd = pooledSd(control, treatment);
  if (sd === 0) return fail('STATS_ERR_DEGENERATE', "Cohen's d is undefined: both groups have a standard deviation of 0");
  return (treatment.mean - control.mean) / sd;
}

/** Variance of the difference of means and its Welch–Satterthwaite degrees of freedom. */
export function welchVariance(control: MeanSample, treatment: MeanSample): { variance: number; df: number } {
  const vc = control.sd ** 2 / control.n;
  const vt = treatment.sd ** 2 / treatment.n;
  const variance = vc + vt;
  const df = variance ** 2 / (vc ** 2 / (control.n - 1) + vt ** 2 / (treatment.n - 1));
  return { variance, df };
}

/** Welch's two-sided t-test of treatment versus control (each group needs n >= 2). */
export function welchTTest(control: MeanSample, treatment: MeanSample, alpha = 0.05): WelchTest {
  checkMeanSample(control, 'control');
  checkMeanSample(treatment, 'treatment');
  checkAlpha(alpha);
  const { variance, df } = welchVariance(control, treatment);
  if (variance === 0) return fail('STATS_ERR_DEGENERATE', "Welch's t is undefined: both groups have a standard deviation of 0");
  const standardError = Math.sqrt(variance);
  const difference = treatment.mean - control.mean;
  const statistic = difference / standardError;
  const margin = tQuantile(1 - alpha / 2, df) * standardError;
  return {
    statistic,
    df,
    pValue: Math.min(1, 2 * tSf(Math.abs(statistic), df)),
    difference,
    ci: [difference - margin, difference + margin],
    cohensD: cohensD(control, treatment),
  };
}
