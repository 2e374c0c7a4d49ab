import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustPValues, type CorrectionMethod } from './corrections';
import { assertRejects } from '../testdata/rejects';
import { assertAllClose, readGolden } from '../testdata/golden';

interface CorrectionCase {
  name: string;
  method: CorrectionMethod;
  p: number[];
  adjusted: number[];
}

for (const c of readGolden<CorrectionCase>('corrections')) {
  test(`p-value correction matches statsmodels multipletests: ${c.name}`, () => {
    assertAllClose(adjustPValues(c.p, c.method), c.adjusted, 'adjusted');
  });
}

test('Holm never rejects less than Bonferroni, and BH never less than Holm', () => {
  const p = [0.004, 0.011, 0.02, 0.03, 0.2];
  const rejected = (method: CorrectionMethod) => adjustPValues(p, method).filter((q) => q < 0.05).length;
  assert.deepEqual([rejected('bonferroni'), rejected('holm'), rejected('bh')], [1, 2, 4]);
});

test('a p-value outside [0, 1], no p-values or an unknown method is an error', () => {
  assertRejects(() => adjustPValues([0.1, 1.2], 'holm'), 'STATS_ERR_INVALID_PROBABILITY', /p-value 2.*1\.2/);
  assertRejects(() => adjustPValues([], 'bh'), 'STATS_ERR_INVALID_ARGUMENT', /at least one p-value/);
  assertRejects(() => adjustPValues([0.1], 'sidak' as CorrectionMethod), 'STATS_ERR_INVALID_ARGUMENT', /unknown correction method 'sidak'/);
});
