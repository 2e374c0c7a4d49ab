import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as distributions from './distributions';
import { assertRejects } from '../testdata/rejects';
import { assertClose, readGolden } from '../testdata/golden';

interface DistributionCase {
  fn: keyof typeof distributions;
  args: number[];
  expected: number;
}

const cases = readGolden<DistributionCase>('distributions');

test('every cdf, sf and quantile matches SciPy to 1e-6 relative, tails included', () => {
  assert.ok(cases.length > 300);
  for (const { fn, args, expected } of cases) {
    const f = distributions[fn] as (...a: number[]) => number;
    assertClose(f(...args), expected, `${fn}(${args.join(', ')})`);
  }
});

test('a p-value far in the tail keeps its digits instead of rounding to 0', () => {
  assert.ok(distributions.normalSf(30) > 0 && distributions.normalSf(30) < 1e-190);
  assert.ok(distributions.tSf(30, 1000) > 0);
  assert.ok(distributions.chiSquaredSf(500, 1) > 0);
});

test('quantiles invert their cdfs', () => {
  for (const p of [1e-10, 0.01, 0.5, 0.93]) {
    assertClose(distributions.tCdf(distributions.tQuantile(p, 7.3), 7.3), p, `t round trip at ${p}`, 1e-10);
    assertClose(distributions.chiSquaredCdf(distributions.chiSquaredQuantile(p, 4), 4), p, `chi2 round trip at ${p}`, 1e-10);
    assertClose(distributions.betaCdf(distributions.betaQuantile(p, 2.5, 9), 2.5, 9), p, `beta round trip at ${p}`, 1e-10);
  }
});

test('quantile levels outside [0, 1] and non-positive degrees of freedom are rejected', () => {
  assertRejects(() => distributions.normalQuantile(1.5), 'STATS_ERR_INVALID_PROBABILITY');
  assertRejects(() => distributions.tQuantile(-0.1, 3), 'STATS_ERR_INVALID_PROBABILITY');
  assertRejects(() => distributions.tCdf(1, 0), 'STATS_ERR_INVALID_ARGUMENT');
  assertRejects(() => distributions.chiSquaredSf(1, -2), 'STATS_ERR_INVALID_ARGUMENT');
  assert.equal(distributions.normalQuantile(0), -Infinity);
  assert.equal(distributions.chiSquaredQuantile(1, 3), Infinity);
});
