import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoricalDrift, ksTwoSample, populationStabilityIndex, psiFromCounts, KS_EXACT_MAX_SIZE, type KsMethod } from './drift';
import { kolmogorovSf } from './distributions';
import { assertRejects } from '../testdata/rejects';
import { assertAllClose, assertClose, readGolden } from '../testdata/golden';

type DriftCase =
  | { kind: 'psi'; name: string; reference: number[]; live: number[]; bins: number; result: { psi: number; edges: number[]; referenceCounts: number[]; liveCounts: number[] } }
  | { kind: 'psiFromCounts'; name: string; reference: number[]; live: number[]; result: { psi: number } }
  | { kind: 'ks'; name: string; reference: number[]; live: number[]; method: KsMethod; result: { statistic: number; pValue: number } };

for (const c of readGolden<DriftCase>('drift')) {
  test(`${c.kind} matches the NumPy/SciPy reference: ${c.name}`, () => {
    if (c.kind === 'psi') {
      const result = populationStabilityIndex(c.reference, c.live, { bins: c.bins });
      assertClose(result.psi, c.result.psi, 'PSI');
      assertAllClose(result.edges, c.result.edges, 'edges');
      assert.deepEqual([result.referenceCounts, result.liveCounts], [c.result.referenceCounts, c.result.liveCounts]);
    } else if (c.kind === 'psiFromCounts') {
      assertClose(psiFromCounts(c.reference, c.live), c.result.psi, 'PSI');
    } else {
      const result = ksTwoSample(c.reference, c.live, c.method);
      assertClose(result.statistic, c.result.statistic, 'D');
      assertClose(result.pValue, c.result.pValue, 'p-value');
    }
  });
}

test('a shifted live sample scores a higher PSI than an unshifted one', () => {
  const reference = Array.from({ length: 1000 }, (_, i) => i / 1000);
  const same = populationStabilityIndex(reference, reference.map((v) => v + 0.0005)).psi;
  const shifted = populationStabilityIndex(reference, reference.map((v) => v + 0.3)).psi;
  assert.ok(same < 0.01 && shifted > 0.25, `${same} vs ${shifted}`);
});

test('KS goes asymptotic above 10 000 values and the p-value follows the Kolmogorov limit', () => {
  const reference = Array.from({ length: KS_EXACT_MAX_SIZE + 1 }, (_, i) => Math.sin(i) * 10);
  const live = Array.from({ length: 2000 }, (_, i) => Math.cos(i) * 10 + 0.2);
  const result = ksTwoSample(reference, live);
  assert.equal(result.method, 'asymptotic');
  const effective = (reference.length * live.length) / (reference.length + live.length);
  assertClose(result.pValue, kolmogorovSf(Math.sqrt(effective) * result.statistic), 'p-value');
  assert.equal(ksTwoSample([1, 2, 3], [4, 5]).method, 'exact');
});

test('categorical drift counts a category missing on one side as 0', () => {
  const drift = categoricalDrift({ POSITIVE: 520, NEGATIVE: 480 }, { POSITIVE: 610, NEGATIVE: 390, UNKNOWN: 0 });
  assert.deepEqual(drift.categories, ['POSITIVE', 'NEGATIVE', 'UNKNOWN']);
  assert.equal(drift.chiSquared.df, 1);
  assert.ok(drift.chiSquared.pValue < 1e-4 && drift.psi > 0.01);
});

test('empty samples, non-finite values and bad epsilons are rejected', () => {
  assertRejects(() => populationStabilityIndex([], [1]), 'STATS_ERR_INVALID_SAMPLE', /reference needs at least 1/);
  assertRejects(() => ksTwoSample([1, Infinity], [1]), 'STATS_ERR_INVALID_SAMPLE', /reference\[1\]/);
  assertRejects(() => psiFromCounts([1, 2], [1, 2], 0), 'STATS_ERR_INVALID_ARGUMENT', /epsilon/);
  assertRejects(() => psiFromCounts([1, 2], [1]), 'STATS_ERR_INVALID_ARGUMENT', /2 bins but live has 1/);
  assertRejects(() => psiFromCounts([0, 0], [1, 1]), 'STATS_ERR_INVALID_SAMPLE', /sum to more than 0/);
});
