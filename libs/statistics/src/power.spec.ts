import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  powerForMeans,
  powerForProportions,
  sampleSizeForMeans,
  sampleSizeForProportions,
  type MeanDesign,
  type MeanPowerInput,
  type ProportionDesign,
  type ProportionPowerInput,
} from './power';
import { assertRejects } from '../testdata/rejects';
import { assertClose, readGolden } from '../testdata/golden';

type PowerCase =
  | { kind: 'sampleSizeForProportions'; input: ProportionDesign; expected: number }
  | { kind: 'sampleSizeForMeans'; input: MeanDesign; expected: number }
  | { kind: 'powerForProportions'; input: ProportionPowerInput; expected: number }
  | { kind: 'powerForMeans'; input: MeanPowerInput; expected: number };

function evaluate(c: PowerCase): number {
  switch (c.kind) {
    case 'sampleSizeForProportions':
      return sampleSizeForProportions(c.input);
    case 'sampleSizeForMeans':
      return sampleSizeForMeans(c.input);
    case 'powerForProportions':
      return powerForProportions(c.input);
    case 'powerForMeans':
      return powerForMeans(c.input);
  }
}

for (const c of readGolden<PowerCase>('power')) {
  test(`${c.kind} matches SciPy/statsmodels: ${JSON.stringify(c.input)}`, () => {
    if (c.kind.startsWith('sampleSize')) assert.equal(evaluate(c), c.expected);
    else assertClose(evaluate(c), c.expected, c.kind);
  });
}

test('the issue example needs 9 806 per variant, and that size reaches the target power', () => {
  const n = sampleSizeForProportions({ baseline: 0.5, mde: 0.02 });
  assert.equal(n, 9806);
  const achieved = powerForProportions({ controlRate: 0.5, treatmentRate: 0.52, controlSize: n, treatmentSize: n });
  assert.ok(achieved >= 0.8 && achieved < 0.801, `power ${achieved}`);
  const oneLess = powerForProportions({ controlRate: 0.5, treatmentRate: 0.52, controlSize: n - 1, treatmentSize: n - 1 });
  assert.ok(oneLess < 0.8);
});

test('power grows with the sample size and with the effect', () => {
  const base = { difference: 1, controlSd: 5, treatmentSd: 5, controlSize: 100, treatmentSize: 100 };
  assert.ok(powerForMeans({ ...base, controlSize: 400, treatmentSize: 400 }) > powerForMeans(base));
  assert.ok(powerForMeans({ ...base, difference: 2 }) > powerForMeans(base));
});

test('a zero effect, a rate leaving (0, 1) or a power of 1 is rejected', () => {
  assertRejects(() => sampleSizeForProportions({ baseline: 0.5, mde: 0 }), 'STATS_ERR_INVALID_ARGUMENT', /mde.*got 0/);
  assertRejects(() => sampleSizeForProportions({ baseline: 0.99, mde: 0.02 }), 'STATS_ERR_INVALID_PROBABILITY', /baseline \+ mde/);
  assertRejects(() => sampleSizeForProportions({ baseline: 1.2, mde: 0.02 }), 'STATS_ERR_INVALID_PROBABILITY', /baseline.*1\.2/);
  assertRejects(() => sampleSizeForProportions({ baseline: 0.5, mde: 0.02, power: 1 }), 'STATS_ERR_INVALID_PROBABILITY', /power/);
  assertRejects(() => sampleSizeForProportions({ baseline: 0.5, mde: 0.02, alpha: 0 }), 'STATS_ERR_INVALID_ALPHA', /alpha/);
  assertRejects(() => sampleSizeForMeans({ sd: -1, mde: 1 }), 'STATS_ERR_INVALID_ARGUMENT', /sd.*-1/);
});
