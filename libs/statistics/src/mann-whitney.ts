/**
 * The Mann–Whitney U test (two-sided), matching SciPy's `mannwhitneyu(x, y)` defaults: the
 * statistic is U of the first sample; method 'auto' is exact when either sample has at most 8
 * values and there are no ties, otherwise the normal approximation with tie correction and a
 * continuity correction of ½.
 */
import { checkSample } from './errors';
import { normalSf } from './distributions';

export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

export interface MannWhitneyTest {
  /** U of the first sample (x): the number of (x, y) pairs with x > y, ties counting ½. */
  statistic: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
}

interface Ranked {
  /** Sum of the ranks of the first sample. */
  firstRankSum: number;
  /** Σ (t³ − t) over groups of t tied values. */
  tieTerm: number;
}

function rankFirstSample(x: readonly number[], y: readonly number[]): Ranked {
  const all = [...x.map((value) => ({ value, first: true })), ...y.map((value) => ({ value, first: false }))];
  all.sort((a, b) => a.value - b.value);
  let firstRankSum = 0;
  let tieTerm = 0;
  for (let start = 0; start < all.length; ) {
    let end = start + 1;
    while (end < all.length && all[end].value === all[start].value) end++;
    const averageRank = (start + 1 + end) / 2;
    const t = end - start;
    tieTerm += t * t * t - t;
    for (let i = start; i < end; i++) if (all[i].first) firstRankSum += averageRank;
    start = end;
  }
  return { firstRankSum, tieTerm };
}

/** Number of arrangements giving each U = 0..m·n: coefficients of the Gaussian binomial [m+n, m]_q. */
function exactCounts(m: number, n: number): bigint[] {
  const small = Math.min(m, n);
  const large = Math.max(m, n);
  let counts: bigint[] = [1n];
  for (let i = 1; i <= small; i++) {
    // Multiply by (1 − q^(large+i)), then divide by (1 − q^i): [large+i, i]_q from [large+i−1, i−1]_q.
    const product = new Array<bigint>(counts.length + large + i).fill(0n);
    counts.forEach((c, u) => {
      product[u] += c;
      product[u + large + i] -= c;
    });
    const degree = i * large;
    const quotient = new Array<bigint>(degree + 1).fill(0n);
    for (let u = 0; u <= degree; u++) quotient[u] = product[u] + (u >= i ? quotient[u - i] : 0n);
    counts = quotient;
  }
  return counts;
}

function bitLength(value: bigint): number {
  return value.toString(2).length;
}

/** num/den as a double with full relative precision, for 0 <= num <= den. */
function ratio(numerator: bigint, denominator: bigint): number {
  if (numerator === 0n) return 0;
  const shift = bitLength(denominator) - bitLength(numerator) + 64;
  return Number((numerator << BigInt(shift)) / denominator) * 2 ** -shift;
}

/** P(U >= u) under the null, exactly (no tie correction). */
function exactSf(u: number, m: number, n: number): number {
  const counts = exactCounts(m, n);
  let total = 0n;
  let tail = 0n;
  counts.forEach((c, k) => {
    total += c;
    if (k >= u) tail += c;
  });
  return ratio(tail, total);
}

/** Two-sided Mann–Whitney U test of x against y. */
export function mannWhitneyU(x: readonly number[], y: readonly number[], method: MannWhitneyMethod = 'auto'): MannWhitneyTest {
  checkSample(x, 'x');
  checkSample(y, 'y');
  const n1 = x.length;
  const n2 = y.length;
  const { firstRankSum, tieTerm } = rankFirstSample(x, y);
  const u1 = firstRankSum - (n1 * (n1 + 1)) / 2;
  const u = Math.max(u1, n1 * n2 - u1);
  const chosen = method !== 'auto' ? method : (n1 > 8 && n2 > 8) || tieTerm > 0 ? 'asymptotic' : 'exact';
  if (chosen === 'exact') {
    return { statistic: u1, pValue: Math.min(1, 2 * exactSf(Math.ceil(u), n1, n2)), method: chosen };
  }
  const n = n1 + n2;
  const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  // Every value tied: no ordering information at all.
  if (sd === 0) return { statistic: u1, pValue: 1, method: chosen };
  const z = (u - (n1 * n2) / 2 - 0.5) / sd;
  return { statistic: u1, pValue: Math.min(1, 2 * normalSf(z)), method: chosen };
}
