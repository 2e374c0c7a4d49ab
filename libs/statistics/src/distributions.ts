/**
 * Distribution functions: cdf (lower tail), sf (upper tail, survival), pdf and quantile for the
 * normal, Student t, chi-squared and beta distributions, and the sf of the limiting Kolmogorov
 * distribution. Each tail is computed directly (never as 1 − the other) where it is small.
 */
import { checkPositive, fail } from './errors';
import { incompleteBeta, incompleteGamma, lnBeta, lnGamma } from './special-functions';

const SQRT_TWO_PI = Math.sqrt(2 * Math.PI);

// ---- normal ------------------------------------------------------------------------------------

export function normalPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / SQRT_TWO_PI;
}

/** Φ(x). Uses Φ(−|x|) = Q(½, x²/2) / 2, so both tails keep their relative precision. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const tail = 0.5 * incompleteGamma(0.5, 0.5 * x * x).upper;
  return x < 0 ? tail : 1 - tail;
}

/** 1 − Φ(x), computed without cancellation for large x. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

// Acklam's rational approximation (relative error < 1.2e-9), refined below by Halley steps.
const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const ACKLAM_P_LOW = 0.02425;

function polynomial(coefficients: readonly number[], x: number): number {
  return coefficients.reduce((sum, c) => sum * x + c, 0);
}

function acklamLowerHalf(p: number): number {
  if (p < ACKLAM_P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p));
    return polynomial(ACKLAM_C, q) / (polynomial(ACKLAM_D, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (polynomial(ACKLAM_A, r) * q) / (polynomial(ACKLAM_B, r) * r + 1);
}

/** Φ⁻¹(p) for p in (0, 1); ±Infinity at 0 and 1. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return fail('STATS_ERR_INVALID_PROBABILITY', `quantile level must be between 0 and 1, got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -normalQuantile(1 - p);
  let x = acklamLowerHalf(p);
  // Two Halley steps on Φ(x) − p take Acklam's 1e-9 to full double precision.
  for (let i = 0; i < 2; i++) {
    const error = normalCdf(x) - p;
    const u = error * SQRT_TWO_PI * Math.exp(0.5 * x * x);
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}

// ---- inversion shared by t, chi-squared and beta ----------------------------------------------

interface Continuous {
  cdf(x: number): number;
  sf(x: number): number;
  pdf(x: number): number;
  lowest: number;
  highest: number;
}

function nextTrial(lo: number, hi: number): number {
  if (Number.isFinite(lo) && Number.isFinite(hi)) return 0.5 * (lo + hi);
  if (Number.isFinite(lo)) return lo + Math.max(1, Math.abs(lo));
  return hi - Math.max(1, Math.abs(hi));
}

/**
 * Solves cdf(x) = p by Newton steps kept inside a shrinking bracket (bisection when a step would
 * leave it). Works on the smaller tail (cdf for p <= ½, sf otherwise) for relative precision.
 */
function invert(dist: Continuous, p: number, start: number): number {
  if (!(p >= 0 && p <= 1)) return fail('STATS_ERR_INVALID_PROBABILITY', `quantile level must be between 0 and 1, got ${p}`);
  if (p === 0) return dist.lowest;
  if (p === 1) return dist.highest;
  const lowerTail = p <= 0.5;
  const target = lowerTail ? p : 1 - p;
  // An increasing function of x that is zero at the answer.
  const excess = (x: number) => (lowerTail ? dist.cdf(x) - target : target - dist.sf(x));
  let lo = dist.lowest;
  let hi = dist.highest;
  let x = Math.min(Math.max(start, lo), hi);
  if (x === lo || x === hi) x = nextTrial(lo, hi);
  for (let i = 0; i < 400; i++) {
    const e = excess(x);
    if (e === 0) return x;
    if (e > 0) hi = x;
    else lo = x;
    const density = dist.pdf(x);
    let next = x - e / density;
    if (!(next > lo && next < hi) || !Number.isFinite(next)) next = nextTrial(lo, hi);
    if (Math.abs(next - x) <= 1e-15 * Math.abs(next) || next === lo || next === hi) return next;
    x = next;
  }
  return x;
}

// ---- Student t ---------------------------------------------------------------------------------

export function tPdf(t: number, df: number): number {
  return Math.exp(-((df + 1) / 2) * Math.log1p((t * t) / df) - 0.5 * Math.log(df) - lnBeta(0.5, df / 2));
}

/** P(T <= t) for Student's t with `df` > 0 degrees of freedom (non-integer allowed). */
export function tCdf(t: number, df: number): number {
  checkPositive(df, 'degrees of freedom');
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const t2 = t * t;
  // I_{ν/(ν+t²)}(ν/2, ½) is the two-sided tail mass beyond |t|; t²/(ν+t²) is its exact complement.
  const tails = incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
  return t < 0 ? 0.5 * tails.lower : 1 - 0.5 * tails.lower;
}

export function tSf(t: number, df: number): number {
  return tCdf(-t, df);
}

export function tQuantile(p: number, df: number): number {
  checkPositive(df, 'degrees of freedom');
  const dist: Continuous = {
    cdf: (x) => tCdf(x, df),
    sf: (x) => tSf(x, df),
    pdf: (x) => tPdf(x, df),
    lowest: -Infinity,
    highest: Infinity,
  };
  return invert(dist, p, normalQuantile(Math.min(Math.max(p, 1e-300), 1 - 1e-16)));
}

// ---- chi-squared -------------------------------------------------------------------------------

export function chiSquaredPdf(x: number, df: number): number {
  if (x <= 0) return df < 2 ? Infinity : df === 2 ? 0.5 : 0;
  const k = df / 2;
  return Math.exp((k - 1) * Math.log(x) - x / 2 - k * Math.LN2 - lnGamma(k));
}

export function chiSquaredCdf(x: number, df: number): number {
  checkPositive(df, 'degrees of freedom');
  return incompleteGamma(df / 2, x / 2).lower;
}

export function chiSquaredSf(x: number, df: number): number {
  checkPositive(df, 'degrees of freedom');
  return incompleteGamma(df / 2, x / 2).upper;
}

export function chiSquaredQuantile(p: number, df: number): number {
  checkPositive(df, 'degrees of freedom');
  const dist: Continuous = {
    cdf: (x) => chiSquaredCdf(x, df),
    sf: (x) => chiSquaredSf(x, df),
    pdf: (x) => chiSquaredPdf(x, df),
    lowest: 0,
    highest: Infinity,
  };
  // Wilson–Hilferty start.
  const z = normalQuantile(Math.min(Math.max(p, 1e-300), 1 - 1e-16));
  const h = 2 / (9 * df);
  const start = df * Math.pow(Math.max(1 - h + z * Math.sqrt(h), 0.01), 3);
  return invert(dist, p, start);
}

// ---- beta --------------------------------------------------------------------------------------

export function betaPdf(x: number, a: number, b: number): number {
  if (x <= 0 || x >= 1) return 0;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lnBeta(a, b));
}

export function betaCdf(x: number, a: number, b: number): number {
  checkPositive(a, 'beta shape a');
  checkPositive(b, 'beta shape b');
  return incompleteBeta(a, b, x).lower;
}

export function betaSf(x: number, a: number, b: number): number {
  checkPositive(a, 'beta shape a');
  checkPositive(b, 'beta shape b');
  return incompleteBeta(a, b, x).upper;
}

export function betaQuantile(p: number, a: number, b: number): number {
  checkPositive(a, 'beta shape a');
  checkPositive(b, 'beta shape b');
  const dist: Continuous = {
    cdf: (x) => betaCdf(x, a, b),
    sf: (x) => betaSf(x, a, b),
    pdf: (x) => betaPdf(x, a, b),
    lowest: 0,
    highest: 1,
  };
  return invert(dist, p, a / (a + b));
}

// ---- Kolmogorov (limiting distribution of √n·D) -------------------------------------------------

/** P(K > x) for the Kolmogorov distribution (SciPy's `kstwobign.sf`). */
export function kolmogorovSf(x: number): number {
  if (x <= 0) return 1;
  if (x < 1) {
    // P(K <= x) = √(2π)/x · Σ exp(−(2k−1)²π²/(8x²)); converges fast for small x.
    const f = (-Math.PI * Math.PI) / (8 * x * x);
    let cdf = 0;
    for (let k = 1; k <= 20; k++) cdf += Math.exp(f * (2 * k - 1) * (2 * k - 1));
    return 1 - (SQRT_TWO_PI / x) * cdf;
  }
  let sf = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sf += k % 2 === 1 ? term : -term;
    if (term < 1e-300) break;
  }
  return Math.min(1, 2 * sf);
}
