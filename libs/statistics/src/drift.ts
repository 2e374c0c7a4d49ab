/**
 * Drift metrics comparing a reference sample (training data, last week) with a live one:
 * the population stability index, the two-sample Kolmogorov–Smirnov test, and — for categorical
 * features — PSI and the chi-squared test of homogeneity over category counts.
 *
 * PSI conventions (Siddiqi, "Credit Risk Scorecards"): < 0.1 stable, 0.1–0.25 a moderate shift,
 * > 0.25 a major shift.
 */
import { checkCount, checkPositive, checkSample, fail } from './errors';
import { chiSquaredHomogeneity, type ChiSquaredTest } from './chi-squared';
import { kolmogorovSf } from './distributions';

/** Share given to an empty bin so that ln(live/reference) stays finite. */
export const DEFAULT_PSI_EPSILON = 1e-4;
export const DEFAULT_PSI_BINS = 10;

export interface PsiResult {
  psi: number;
  /** Inner bin edges; bins are (−∞, e₀], (e₀, e₁], …, (e_last, ∞). */
  edges: number[];
  referenceCounts: number[];
  liveCounts: number[];
}

/** The q-quantile of sorted values by linear interpolation (NumPy's default, Hyndman–Fan type 7). */
function quantileOfSorted(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Index of the bin holding x: the number of edges strictly below x. */
function binIndex(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countInto(edges: readonly number[], values: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of values) counts[binIndex(edges, v)] += 1;
  return counts;
}

/**
 * PSI = Σ (live share − reference share)·ln(live share / reference share) over bins, each share
 * floored at `epsilon` so an empty bin costs a large but finite amount.
 */
export function psiFromCounts(referenceCounts: readonly number[], liveCounts: readonly number[], epsilon = DEFAULT_PSI_EPSILON): number {
  if (referenceCounts.length !== liveCounts.length || referenceCounts.length === 0) {
    fail('STATS_ERR_INVALID_ARGUMENT', `reference has ${referenceCounts.length} bins but live has ${liveCounts.length}`);
  }
  checkPositive(epsilon, 'epsilon');
  referenceCounts.forEach((c, i) => checkCount(c, `reference count ${i}`));
  liveCounts.forEach((c, i) => checkCount(c, `live count ${i}`));
  const referenceTotal = referenceCounts.reduce((a, b) => a + b, 0);
  const liveTotal = liveCounts.reduce((a, b) => a + b, 0);
  if (referenceTotal === 0 || liveTotal === 0) fail('STATS_ERR_INVALID_SAMPLE', 'reference and live counts must each sum to more than 0');
  let psi = 0;
  referenceCounts.forEach((count, i) => {
    const expected = Math.max(count / referenceTotal, epsilon);
    const actual = Math.max(liveCounts[i] / liveTotal, epsilon);
    psi += (actual - expected) * Math.log(actual / expected);
  });
  return psi;
}

/**
 * PSI of a numeric feature: bins at the reference sample's quantiles (`bins` equal-mass bins;
 * edges that coincide because of repeated values are merged), then `psiFromCounts`.
 */
export function populationStabilityIndex(
  reference: readonly number[],
  live: readonly number[],
  options: { bins?: number; epsilon?: number } = {},
): PsiResult {
  const bins = checkCount(options.bins ?? DEFAULT_PSI_BINS, 'bins', 2);
  checkSample(reference, 'reference');
  checkSample(live, 'live');
  const sorted = [...reference].sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = quantileOfSorted(sorted, k / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  const referenceCounts = countInto(edges, reference);
  const liveCounts = countInto(edges, live);
  return { psi: psiFromCounts(referenceCounts, liveCounts, options.epsilon), edges, referenceCounts, liveCounts };
}

export interface CategoricalDrift {
  /** Every category seen in either sample, in first-seen order; the columns of the test. */
  categories: string[];
  psi: number;
  chiSquared: ChiSquaredTest;
}

/** Drift of a categorical feature from counts per category (a category missing from one side counts 0). */
export function categoricalDrift(
  reference: Readonly<Record<string, number>>,
  live: Readonly<Record<string, number>>,
  epsilon = DEFAULT_PSI_EPSILON,
): CategoricalDrift {
  const categories = [...new Set([...Object.keys(reference), ...Object.keys(live)])];
  const referenceCounts = categories.map((c) => reference[c] ?? 0);
  const liveCounts = categories.map((c) => live[c] ?? 0);
  return {
    categories,
    psi: psiFromCounts(referenceCounts, liveCounts, epsilon),
    chiSquared: chiSquaredHomogeneity([referenceCounts, liveCounts]),
  };
}

export type KsMethod = 'auto' | 'exact' | 'asymptotic';

export interface KsTest {
  /** D = sup |F_reference − F_live|. */
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

/** Larger samples than this (either one) use the asymptotic p-value under 'auto', as in SciPy. */
export const KS_EXACT_MAX_SIZE = 10_000;

/** max over the pooled values of |i·n − j·m|, where i, j count values <= v in x (size m) and y (size n). */
function scaledStatistic(x: readonly number[], y: readonly number[]): number {
  const a = [...x].sort((p, q) => p - q);
  const b = [...y].sort((p, q) => p - q);
  let i = 0;
  let j = 0;
  let best = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i] : b[j];
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    best = Math.max(best, Math.abs(i * b.length - j * a.length));
  }
  return best;
}

/**
 * P(D >= observed) under the null, exactly: the share of monotone lattice paths from (0, 0) to
 * (m, n) that touch |i·n − j·m| >= h (Hodges 1958). Shares are propagated as weighted averages,
 * so nothing cancels and nothing overflows. O(m·n) time, O(n) memory.
 */
function exactPValue(m: number, n: number, h: number): number {
  if (h === 0) return 1;
  const exited = new Float64Array(n + 1);
  for (let i = 0; i <= m; i++) {
    for (let j = 0; j <= n; j++) {
      if (Math.abs(i * n - j * m) >= h) exited[j] = 1;
      else if (i + j > 0) exited[j] = (i * exited[j] + j * (j > 0 ? exited[j - 1] : 0)) / (i + j);
    }
  }
  return exited[n];
}

/**
 * Two-sided two-sample Kolmogorov–Smirnov test. 'auto' is exact when both samples have at most
 * 10 000 values; otherwise the limiting Kolmogorov distribution of √(mn/(m+n))·D (SciPy would use
 * the finite-n one-sample distribution there, which differs from this by O(1/√n)).
 */
export function ksTwoSample(reference: readonly number[], live: readonly number[], method: KsMethod = 'auto'): KsTest {
  checkSample(reference, 'reference');
  checkSample(live, 'live');
  const m = reference.length;
  const n = live.length;
  const h = scaledStatistic(reference, live);
  const statistic = h / m / n;
  const chosen = method !== 'auto' ? method : Math.max(m, n) <= KS_EXACT_MAX_SIZE ? 'exact' : 'asymptotic';
  if (chosen === 'exact') return { statistic, pValue: Math.min(1, exactPValue(m, n, h)), method: chosen };
  const effectiveSize = (m * n) / (m + n);
  return { statistic, pValue: kolmogorovSf(Math.sqrt(effectiveSize) * statistic), method: chosen };
}
