import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newcombeInterval, twoProportionZTest, wilsonInterval, type ProportionSample } from './proportions';
import { assertRejects } from '../testdata/rejects';
import { assertAllClose, assertClose, readGolden } from '../testdata/golden';

interface ProportionCase {
  name: string;
  control: ProportionSample;
  treatment: ProportionSample;
  alpha: number;
  expected: {
    statistic: number;
    pValue: number;
    difference: number;
    ci: [number, number];
    cohensH: number;
    controlWilson: [number, number];
    treatmentWilson: [number, number];
  };
}

for (const c of readGolden<ProportionCase>('proportions')) {
  test(`two-proportion z-test, Newcombe and Wilson match statsmodels: ${c.name}`, () => {
    const result = twoProportionZTest(c.control, c.treatment, c.alpha);
    assertClose(result.statistic, c.expected.statistic, 'statistic');
    assertClose(result.pValue, c.expected.pValue, 'p-value');
    assertClose(result.difference, c.expected.difference, 'difference');
    assertAllClose(result.ci, c.expected.ci, 'Newcombe interval');
    assertClose(result.cohensH, c.expected.cohensH, "Cohen's h");
    assertAllClose(wilsonInterval(c.control, c.alpha), c.expected.controlWilson, 'control Wilson');
    assertAllClose(wilsonInterval(c.treatment, c.alpha), c.expected.treatmentWilson, 'treatment Wilson');
  });
}

test('a lift shows as a positive statistic and an interval above 0', () => {
  const result = twoProportionZTest({ successes: 480, total: 1000 }, { successes: 560, total: 1000 });
  assert.ok(result.statistic > 0 && result.ci[0] > 0 && result.pValue < 0.001);
});

test('the Newcombe interval stays inside [-1, 1] at the extremes', () => {
  const [low, high] = newcombeInterval({ successes: 0, total: 3 }, { successes: 3, total: 3 });
  assert.ok(low > 0 && high <= 1);
});

test('bad counts and levels are rejected with a code and the bad value', () => {
  assertRejects(() => twoProportionZTest({ successes: -1, total: 10 }, { successes: 1, total: 10 }), 'STATS_ERR_INVALID_COUNTS', /control successes.*-1/);
  assertRejects(() => twoProportionZTest({ successes: 11, total: 10 }, { successes: 1, total: 10 }), 'STATS_ERR_INVALID_COUNTS', /\(11\) exceed its total \(10\)/);
  assertRejects(() => twoProportionZTest({ successes: 1, total: 10 }, { successes: 0, total: 0 }), 'STATS_ERR_INVALID_COUNTS', /treatment total/);
  assertRejects(() => twoProportionZTest({ successes: 1.5, total: 10 }, { successes: 1, total: 10 }), 'STATS_ERR_INVALID_COUNTS', /1\.5/);
  assertRejects(() => twoProportionZTest({ successes: 1, total: 10 }, { successes: 1, total: 10 }, 1), 'STATS_ERR_INVALID_ALPHA', /alpha.*got 1$/);
  assertRejects(() => wilsonInterval({ successes: 1, total: 10 }, 0), 'STATS_ERR_INVALID_ALPHA', /got 0/);
});
