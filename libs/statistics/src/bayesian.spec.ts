import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bayesianProportions, type BetaPrior } from './bayesian';
import type { ProportionSample } from './proportions';
import { assertRejects } from '../testdata/rejects';
import { assertAllClose, assertClose, readGolden } from '../testdata/golden';

interface BayesianCase {
  name: string;
  control: ProportionSample;
  treatment: ProportionSample;
  prior: BetaPrior;
  expected: { probabilityToBeatControl: number; controlInterval: [number, number]; treatmentInterval: [number, number] };
}

for (const c of readGolden<BayesianCase>('bayesian')) {
  test(`probability to beat control matches SciPy (closed form and integral): ${c.name}`, () => {
    const result = bayesianProportions(c.control, c.treatment, { prior: c.prior });
    assertClose(result.probabilityToBeatControl, c.expected.probabilityToBeatControl, 'P(treatment > control)');
    assertAllClose(result.control.credibleInterval, c.expected.controlInterval, 'control interval');
    assertAllClose(result.treatment.credibleInterval, c.expected.treatmentInterval, 'treatment interval');
  });
}

test('swapping the groups gives the complementary probability', () => {
  const a = { successes: 120, total: 1000 };
  const b = { successes: 141, total: 1000 };
  const forward = bayesianProportions(a, b).probabilityToBeatControl;
  const backward = bayesianProportions(b, a).probabilityToBeatControl;
  assertClose(forward + backward, 1, 'sum', 1e-9);
  assert.ok(forward > 0.9);
});

test('a non-integer prior alpha or bad counts are rejected', () => {
  const s = { successes: 1, total: 10 };
  assertRejects(() => bayesianProportions(s, s, { prior: { alpha: 0.5, beta: 1 } }), 'STATS_ERR_INVALID_ARGUMENT', /prior alpha.*0\.5/);
  assertRejects(() => bayesianProportions(s, { successes: 12, total: 10 }), 'STATS_ERR_INVALID_COUNTS', /treatment successes \(12\) exceed its total \(10\)/);
});
