import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mannWhitneyU, type MannWhitneyMethod } from './mann-whitney';
import { assertRejects } from '../testdata/rejects';
import { assertClose, readGolden } from '../testdata/golden';

interface MannWhitneyCase {
  name: string;
  x: number[];
  y: number[];
  method: MannWhitneyMethod;
  result: { statistic: number; pValue: number };
}

for (const c of readGolden<MannWhitneyCase>('mann-whitney')) {
  test(`Mann-Whitney U matches SciPy: ${c.name}`, () => {
    const result = mannWhitneyU(c.x, c.y, c.method);
    assertClose(result.statistic, c.result.statistic, 'U');
    assertClose(result.pValue, c.result.pValue, 'p-value');
  });
}

test("'auto' is exact for a small sample without ties and asymptotic otherwise", () => {
  assert.equal(mannWhitneyU([1, 2, 3], [4, 5, 6, 7]).method, 'exact');
  assert.equal(mannWhitneyU([1, 2, 2], [4, 5, 6, 7]).method, 'asymptotic');
  const large = Array.from({ length: 9 }, (_, i) => i);
  assert.equal(mannWhitneyU(large, large.map((v) => v + 0.5)).method, 'asymptotic');
});

test('the exact distribution stays exact for a small group against a large one', () => {
  // P(U >= 3·500) for 3 values all above 500 others is 1/C(503, 3), two-sided doubled.
  const y = Array.from({ length: 500 }, (_, i) => i);
  const result = mannWhitneyU([1000, 1001, 1002], y);
  const choose = (503 * 502 * 501) / 6;
  assertClose(result.pValue, 2 / choose, 'p-value');
});

test('an empty or non-numeric sample is rejected', () => {
  assertRejects(() => mannWhitneyU([], [1]), 'STATS_ERR_INVALID_SAMPLE', /x needs at least 1 value/);
  assertRejects(() => mannWhitneyU([1, NaN], [1]), 'STATS_ERR_INVALID_SAMPLE', /x\[1\] is not a finite number/);
});
