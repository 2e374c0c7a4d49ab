import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquaredGoodnessOfFit, chiSquaredHomogeneity, sampleRatioMismatch } from './chi-squared';
import { assertRejects } from '../testdata/rejects';
import { assertClose, readGolden } from '../testdata/golden';

type ChiSquaredCase =
  | { name: string; kind: 'goodnessOfFit'; observed: number[]; expected: number[]; result: { statistic: number; pValue: number; df: number } }
  | { name: string; kind: 'homogeneity'; table: number[][]; result: { statistic: number; pValue: number; df: number } };

for (const c of readGolden<ChiSquaredCase>('chi-squared')) {
  test(`chi-squared ${c.kind} matches SciPy: ${c.name}`, () => {
    const result = c.kind === 'goodnessOfFit' ? chiSquaredGoodnessOfFit(c.observed, c.expected) : chiSquaredHomogeneity(c.table);
    assertClose(result.statistic, c.result.statistic, 'statistic');
    assertClose(result.pValue, c.result.pValue, 'p-value');
    assert.equal(result.df, c.result.df);
  });
}

test('SRM flags a split only when p < 0.001', () => {
  assert.equal(sampleRatioMismatch([5030, 4970], [0.5, 0.5]).mismatch, false);
  assert.equal(sampleRatioMismatch([5200, 4800], [0.5, 0.5]).mismatch, true);
  // Weights need not sum to 1: a 95/5 canary is given as it is configured.
  assert.equal(sampleRatioMismatch([9500, 500], [95, 5]).mismatch, false);
});

test('mismatched lengths, negative counts and empty samples are rejected', () => {
  assertRejects(() => chiSquaredGoodnessOfFit([10, 20], [1, 1, 1]), 'STATS_ERR_INVALID_ARGUMENT', /2 categories but expected has 3/);
  assertRejects(() => chiSquaredGoodnessOfFit([10, -2], [1, 1]), 'STATS_ERR_INVALID_COUNTS', /observed\[1\].*-2/);
  assertRejects(() => chiSquaredGoodnessOfFit([0, 0], [1, 1]), 'STATS_ERR_INVALID_COUNTS', /sum to 0/);
  assertRejects(() => chiSquaredGoodnessOfFit([5, 5], [1, 0]), 'STATS_ERR_INVALID_ARGUMENT', /expected\[1\]/);
  assertRejects(() => chiSquaredHomogeneity([[1, 2], [0, 0]]), 'STATS_ERR_INVALID_COUNTS', /row\) 1 has no observations/);
  assertRejects(() => chiSquaredHomogeneity([[1, 2]]), 'STATS_ERR_INVALID_ARGUMENT', /at least 2 samples/);
});
