/**
 * Reads the golden vectors written by tools/statistics/make-goldens.py (SciPy/statsmodels) and
 * compares figures to them at 1e-6 relative.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

export const RELATIVE_TOLERANCE = 1e-6;
/** For an expected value of exactly 0 a relative bound means nothing; this absolute one applies. */
const ABSOLUTE_TOLERANCE_AT_ZERO = 1e-12;

export function readGolden<Case>(name: string): Case[] {
  const file = path.join(__dirname, `${name}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { cases: Case[] }).cases;
}

export function assertClose(actual: number, expected: number, label: string, relative = RELATIVE_TOLERANCE): void {
  const bound = expected === 0 ? ABSOLUTE_TOLERANCE_AT_ZERO : relative * Math.abs(expected);
  assert.ok(Number.isFinite(actual) && Math.abs(actual - expected) <= bound, `${label}: got ${actual}, expected ${expected} (±${bound})`);
}

export function assertAllClose(actual: readonly number[], expected: readonly number[], label: string): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  actual.forEach((value, i) => assertClose(value, expected[i], `${label}[${i}]`));
}
