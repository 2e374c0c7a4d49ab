import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, welchTTest, type MeanSample } from './means';
import { assertRejects } from '../testdata/rejects';
import { assertAllClose, assertClose, readGolden } from '../testdata/golden';

interface WelchCase {
  name: string;
  control: MeanSample;
  treatment: MeanSample;
  alpha: number;
  expected: { statistic: number; df: number; pValue: number; difference: number; ci: [number, number]; cohensD: number };
}

for (const c of readGolden<WelchCase>('means')) {
  test(`Welch's t-test matches SciPy: ${c.name}`, () => {
    const result = welchTTest(c.control, c.treatment, c.alpha);
    assertClose(result.statistic, c.expected.statistic, 'statistic');
    assertClose(result.df, c.expected.df, 'df');
    assertClose(result.pValue, c.expected.pValue, 'p-value');
    assertClose(result.difference, c.expected.difference, 'difference');
    assertAllClose(result.ci, c.expected.ci, 'interval');
    assertClose(result.cohensD, c.expected.cohensD, "Cohen's d");
  });
}

test('summarize gives the mean and the n − 1 standard deviation', () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assertClose(s.sd, Math.sqrt(32 / 7), 'sd');
  assert.equal(s.n, 8);
});

test('n = 1, a negative sd or no variance at all is a clear error', () => {
  assertRejects(() => welchTTest({ mean: 1, sd: 1, n: 1 }, { mean: 1, sd: 1, n: 5 }), 'STATS_ERR_INVALID_COUNTS', /control size.*>= 2, got 1/);
  assertRejects(() => welchTTest({ mean: 1, sd: -1, n: 5 }, { mean: 1, sd: 1, n: 5 }), 'STATS_ERR_INVALID_ARGUMENT', /control standard deviation.*-1/);
  assertRejects(() => welchTTest({ mean: 1, sd: 0, n: 5 }, { mean: 2, sd: 0, n: 5 }), 'STATS_ERR_DEGENERATE', /standard deviation of 0/);
  assertRejects(() => welchTTest({ mean: NaN, sd: 1, n: 5 }, { mean: 2, sd: 1, n: 5 }), 'STATS_ERR_INVALID_ARGUMENT', /control mean/);
  assertRejects(() => summarize([]), 'STATS_ERR_INVALID_SAMPLE', /at least 1/);
});
