/**
 * Pearson chi-squared tests: goodness of fit (and the sample-ratio-mismatch check built on it) and
 * homogeneity of categorical distributions across samples. No Yates continuity correction is
 * applied, in either test (SciPy's `chi2_contingency(..., correction=False)`).
 */
import { checkPositive, fail } from './errors';
import { chiSquaredSf } from './distributions';

export interface ChiSquaredTest {
  statistic: number;
  df: number;
  pValue: number;
}

export interface SampleRatioCheck {
  statistic: number;
  pValue: number;
  /** True when p < threshold: the observed split is implausible under the configured one. */
  mismatch: boolean;
}

/** The conventional SRM threshold: a split this unlikely means assignment or logging is broken. */
export const SRM_THRESHOLD = 0.001;

function checkCounts(counts: readonly number[], name: string): void {
  counts.forEach((count, i) => {
    if (!(Number.isFinite(count) && count >= 0)) {
      fail('STATS_ERR_INVALID_COUNTS', `${name}[${i}] must be a non-negative count, got ${count}`);
    }
  });
}

/**
 * Chi-squared goodness of fit of `observed` counts against expected proportions (any positive
 * weights, normalized here, e.g. a 50/50 traffic allocation as [50, 50]).
 */
export function chiSquaredGoodnessOfFit(observed: readonly number[], expectedWeights: readonly number[]): ChiSquaredTest {
  if (observed.length < 2) fail('STATS_ERR_INVALID_ARGUMENT', `need at least 2 categories, got ${observed.length}`);
  if (expectedWeights.length !== observed.length) {
    fail('STATS_ERR_INVALID_ARGUMENT', `observed has ${observed.length} categories but expected has ${expectedWeights.length}`);
  }
  checkCounts(observed, 'observed');
  expectedWeights.forEach((w, i) => checkPositive(w, `expected[${i}]`));
  const total = observed.reduce((a, b) => a + b, 0);
  if (total === 0) fail('STATS_ERR_INVALID_COUNTS', 'observed counts sum to 0');
  const weightSum = expectedWeights.reduce((a, b) => a + b, 0);
  let statistic = 0;
  observed.forEach((count, i) => {
    const expected = (total * expectedWeights[i]) / weightSum;
    statistic += (count - expected) ** 2 / expected;
  });
  const df = observed.length - 1;
  return { statistic, df, pValue: chiSquaredSf(statistic, df) };
}

/** Sample-ratio-mismatch check: goodness of fit of variant sizes to the configured allocation. */
export function sampleRatioMismatch(
  observed: readonly number[],
  expectedWeights: readonly number[],
  threshold = SRM_THRESHOLD,
): SampleRatioCheck {
  const { statistic, pValue } = chiSquaredGoodnessOfFit(observed, expectedWeights);
  return { statistic, pValue, mismatch: pValue < threshold };
}

/**
 * Chi-squared test of homogeneity: do the rows (samples, e.g. reference and live traffic) share
 * one distribution over the columns (categories)? Columns empty in every row are dropped, since
 * they carry no information and would make an expected count 0.
 */
export function chiSquaredHomogeneity(table: readonly (readonly number[])[]): ChiSquaredTest {
  if (table.length < 2) fail('STATS_ERR_INVALID_ARGUMENT', `need at least 2 samples (rows), got ${table.length}`);
  const width = table[0].length;
  table.forEach((row, r) => {
    if (row.length !== width) fail('STATS_ERR_INVALID_ARGUMENT', `row ${r} has ${row.length} categories, row 0 has ${width}`);
    checkCounts(row, `table[${r}]`);
  });
  const columnTotals = Array.from({ length: width }, (_, c) => table.reduce((sum, row) => sum + row[c], 0));
  const kept = columnTotals.flatMap((total, c) => (total > 0 ? [c] : []));
  if (kept.length < 2) fail('STATS_ERR_INVALID_ARGUMENT', `need at least 2 non-empty categories, got ${kept.length}`);
  const rowTotals = table.map((row) => row.reduce((a, b) => a + b, 0));
  const empty = rowTotals.findIndex((total) => total === 0);
  if (empty >= 0) fail('STATS_ERR_INVALID_COUNTS', `sample (row) ${empty} has no observations`);
  const grandTotal = rowTotals.reduce((a, b) => a + b, 0);
  let statistic = 0;
  table.forEach((row, r) => {
    for (const c of kept) {
      const expected = (rowTotals[r] * columnTotals[c]) / grandTotal;
      statistic += (row[c] - expected) ** 2 / expected;
    }
  });
  const df = (table.length - 1) * (kept.length - 1);
  return { statistic, df, pValue: chiSquaredSf(statistic, df) };
}
