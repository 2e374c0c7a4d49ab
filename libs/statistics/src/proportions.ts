/**
 * Tests and intervals for conversion-style metrics (successes out of a total): the pooled
 * two-proportion z-test, Wilson and Newcombe intervals and Cohen's h.
 */
import { checkAlpha, checkSuccesses } from './errors';
import { normalQuantile, normalSf } from './distributions';

/** Successes out of a total, e.g. correct predictions out of labelled feedback. */
export interface ProportionSample {
  successes: number;
  total: number;
}

export type Interval = [low: number, high: number];

export interface TwoProportionTest {
  /** Pooled-variance z of treatment − control (positive when treatment is higher). */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Treatment rate − control rate. */
  difference: number;
  /** Newcombe (Wilson-score) interval of the difference at level 1 − alpha. */
  ci: Interval;
  /** Cohen's h of treatment versus control. */
  cohensH: number;
}

export function rate(sample: ProportionSample): number {
  return sample.successes / sample.total;
}

/** Wilson score interval for one proportion at level 1 − alpha. */
export function wilsonInterval(sample: ProportionSample, alpha = 0.05): Interval {
  checkSuccesses(sample.successes, sample.total, 'sample');
  checkAlpha(alpha);
  const z = normalQuantile(1 - alpha / 2);
  const n = sample.total;
  const p = rate(sample);
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const halfWidth = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - halfWidth), Math.min(1, centre + halfWidth)];
}

/**
 * Newcombe's hybrid score interval (his method 10) for treatment − control, built from the two
 * Wilson intervals; unlike the Wald interval it stays inside [−1, 1] and behaves at 0 and n.
 */
export function newcombeInterval(control: ProportionSample, treatment: ProportionSample, alpha = 0.05): Interval {
  const [controlLow, controlHigh] = wilsonInterval(control, alpha);
  const [treatmentLow, treatmentHigh] = wilsonInterval(treatment, alpha);
  const pc = rate(control);
  const pt = rate(treatment);
  const difference = pt - pc;
  const below = Math.hypot(pt - treatmentLow, controlHigh - pc);
  const above = Math.hypot(treatmentHigh - pt, pc - controlLow);
  return [difference - below, difference + above];
}

/** Cohen's h = 2·asin√p_treatment − 2·asin√p_control. */
export function cohensH(controlRate: number, treatmentRate: number): number {
  return 2 * Math.asin(Math.sqrt(treatmentRate)) - 2 * Math.asin(Math.sqrt(controlRate));
}

/**
 * Two-sided two-proportion z-test with the pooled variance p̄(1 − p̄)(1/n_c + 1/n_t).
 * When every observation in both groups is a success (or every one a failure) the variance is 0
 * and the difference is 0: the statistic is then defined as 0 and the p-value as 1.
 */
export function twoProportionZTest(control: ProportionSample, treatment: ProportionSample, alpha = 0.05): TwoProportionTest {
  checkSuccesses(control.successes, control.total, 'control');
  checkSuccesses(treatment.successes, treatment.total, 'treatment');
  checkAlpha(alpha);
  const pc = rate(control);
  const pt = rate(treatment);
  const pooled = (control.successes + treatment.successes) / (control.total + treatment.total);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / control.total + 1 / treatment.total));
  const difference = pt - pc;
  const statistic = standardError === 0 ? 0 : difference / standardError;
  return {
    statistic,
    pValue: Math.min(1, 2 * normalSf(Math.abs(statistic))),
    difference,
    ci: newcombeInterval(control, treatment, alpha),
    cohensH: cohensH(pc, pt),
  };
}
