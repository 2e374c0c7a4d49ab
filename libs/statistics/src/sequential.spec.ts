import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msprtInverseLikelihoodRatio, msprtPValue, msprtPValues } from './sequential';
import { normalSf } from './distributions';
import { assertClose, readGolden } from '../testdata/golden';
import { assertRejects } from '../testdata/rejects';
import { seededRandom } from './random';

interface SequentialCase {
  name: string;
  mixingVariance: number;
  looks: { estimate: number; variance: number; inverseLikelihoodRatio: number; pValue: number }[];
}

const cases = readGolden<SequentialCase>('sequential');

for (const c of cases) {
  test(`always-valid p-values match the closed form computed in Python: ${c.name}`, () => {
    const options = { mixingVariance: c.mixingVariance };
    const pValues = msprtPValues(c.looks, options);
    c.looks.forEach((look, i) => {
      assertClose(msprtInverseLikelihoodRatio(look, options), look.inverseLikelihoodRatio, `1/Λ at look ${i + 1}`);
      assertClose(pValues[i], look.pValue, `p at look ${i + 1}`);
    });
  });
}

test('the p-value never rises as evidence accumulates, even when a look is weaker', () => {
  for (const c of cases) {
    const pValues = msprtPValues(c.looks, { mixingVariance: c.mixingVariance });
    pValues.slice(1).forEach((p, i) => assert.ok(p <= pValues[i], `${c.name}: look ${i + 2} rose`));
  }
  const strong = msprtPValue({ estimate: 0.05, variance: 1e-4 }, { mixingVariance: 4e-4 });
  assert.ok(msprtPValue({ estimate: 0, variance: 1e-4 }, { mixingVariance: 4e-4 }, strong) === strong);
});


test('peeking after every batch keeps false positives below alpha, unlike a repeated z-test', () => {
  const random = seededRandom(7);
  const experiments = 400;
  const looks = 50;
  const batch = 100;
  let sequentialFalsePositives = 0;
  let naiveFalsePositives = 0;
  for (let e = 0; e < experiments; e++) {
    let control = 0;
    let treatment = 0;
    let p = 1;
    let naiveRejected = false;
    for (let look = 1; look <= looks; look++) {
      for (let i = 0; i < batch; i++) {
        if (random() < 0.3) control++;
        if (random() < 0.3) treatment++;
      }
      const n = look * batch;
      const pooled = (control + treatment) / (2 * n);
      const variance = (pooled * (1 - pooled) * 2) / n;
      const estimate = (treatment - control) / n;
      p = msprtPValue({ estimate, variance }, { mixingVariance: 0.02 ** 2 }, p);
      if (2 * normalSf(Math.abs(estimate) / Math.sqrt(variance)) < 0.05) naiveRejected = true;
    }
    if (p < 0.05) sequentialFalsePositives++;
    if (naiveRejected) naiveFalsePositives++;
  }
  assert.ok(sequentialFalsePositives / experiments <= 0.05, `mSPRT false-positive rate ${sequentialFalsePositives / experiments}`);
  assert.ok(naiveFalsePositives / experiments > 0.15, `naive peeking false-positive rate ${naiveFalsePositives / experiments}`);
});

test('a zero variance decides outright and a bad mixing variance is rejected', () => {
  assert.equal(msprtInverseLikelihoodRatio({ estimate: 0, variance: 0 }, { mixingVariance: 1 }), 1);
  assert.equal(msprtInverseLikelihoodRatio({ estimate: 0.1, variance: 0 }, { mixingVariance: 1 }), 0);
  assertRejects(() => msprtPValue({ estimate: 0.1, variance: 1 }, { mixingVariance: 0 }), 'STATS_ERR_INVALID_ARGUMENT', /mixing variance must be a positive number, got 0/);
  assertRejects(() => msprtPValue({ estimate: 0.1, variance: -1 }, { mixingVariance: 1 }), 'STATS_ERR_INVALID_ARGUMENT', /variance must be a non-negative number, got -1/);
  assertRejects(() => msprtPValue({ estimate: 0.1, variance: 1 }, { mixingVariance: 1 }, 2), 'STATS_ERR_INVALID_PROBABILITY', /previous p-value/);
});
