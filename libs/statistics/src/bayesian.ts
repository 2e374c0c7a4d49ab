/**
 * Bayesian beta-binomial comparison of two conversion rates: with a Beta(a, b) prior, a rate with
 * s successes out of n has the posterior Beta(a + s, b + n − s). The probability that the
 * treatment's rate beats the control's is computed exactly (Evan Miller's closed form):
 *
 *   P(p_T > p_C) = Σ_{i=0}^{α_T−1} B(α_C + i, β_C + β_T) / ((β_T + i)·B(1 + i, β_T)·B(α_C, β_C))
 *
 * which needs α_T to be an integer, hence a prior with an integer `alpha`.
 */
import { checkAlpha, checkPositive, checkSuccesses, fail } from './errors';
import { betaQuantile } from './distributions';
import type { Interval, ProportionSample } from './proportions';
import { lnBeta } from './special-functions';

export interface BetaPrior {
  /** Prior successes + 1 (a positive integer); 1 with beta 1 is the uniform prior. */
  alpha: number;
  beta: number;
}

export const UNIFORM_PRIOR: BetaPrior = Object.freeze({ alpha: 1, beta: 1 });

export interface PosteriorSummary {
  /** Posterior mean of the rate. */
  mean: number;
  /** Equal-tailed credible interval at level 1 − alpha. */
  credibleInterval: Interval;
}

export interface BayesianComparison {
  /** P(treatment rate > control rate | data). */
  probabilityToBeatControl: number;
  control: PosteriorSummary;
  treatment: PosteriorSummary;
}

interface BetaPosterior {
  alpha: number;
  beta: number;
}

function posterior(sample: ProportionSample, prior: BetaPrior): BetaPosterior {
  return { alpha: prior.alpha + sample.successes, beta: prior.beta + sample.total - sample.successes };
}

/** P(X_t > X_c) for X_t ~ Beta(t.alpha, t.beta), X_c ~ Beta(c.alpha, c.beta), t.alpha an integer. */
function probabilityGreater(t: BetaPosterior, c: BetaPosterior): number {
  const lnControl = lnBeta(c.alpha, c.beta);
  let sum = 0;
  for (let i = 0; i < t.alpha; i++) {
    sum += Math.exp(lnBeta(c.alpha + i, c.beta + t.beta) - Math.log(t.beta + i) - lnBeta(1 + i, t.beta) - lnControl);
  }
  return Math.min(1, sum);
}

function summarizePosterior(p: BetaPosterior, alpha: number): PosteriorSummary {
  return {
    mean: p.alpha / (p.alpha + p.beta),
    credibleInterval: [betaQuantile(alpha / 2, p.alpha, p.beta), betaQuantile(1 - alpha / 2, p.alpha, p.beta)],
  };
}

/** Probability that treatment beats control, with posterior means and credible intervals. */
export function bayesianProportions(
  control: ProportionSample,
  treatment: ProportionSample,
  options: { prior?: BetaPrior; alpha?: number } = {},
): BayesianComparison {
  const prior = options.prior ?? UNIFORM_PRIOR;
  const alpha = checkAlpha(options.alpha ?? 0.05);
  checkSuccesses(control.successes, control.total, 'control');
  checkSuccesses(treatment.successes, treatment.total, 'treatment');
  if (!(Number.isInteger(prior.alpha) && prior.alpha >= 1)) {
    fail('STATS_ERR_INVALID_ARGUMENT', `prior alpha must be a positive integer, got ${prior.alpha}`);
  }
  checkPositive(prior.beta, 'prior beta');
  const c = posterior(control, prior);
  const t = posterior(treatment, prior);
  return {
    probabilityToBeatControl: probabilityGreater(t, c),
    control: summarizePosterior(c, alpha),
    treatment: summarizePosterior(t, alpha),
  };
}
