/**
 * The statistics library's error codes: one per kind of bad input, never reused. Every one is a
 * caller's mistake, so none is worth retrying (`canRetry` is always false). The CLI maps them to
 * exit code 2 with the message on stderr.
 */
export const STATISTICS_ERROR_CODES = {
  STATS_ERR_INVALID_COUNTS: 'A count is negative, not an integer, or successes exceed the total.',
  STATS_ERR_INVALID_ALPHA: 'A significance level is not strictly between 0 and 1.',
  STATS_ERR_INVALID_PROBABILITY: 'A probability, p-value, power or rate is outside its range.',
  STATS_ERR_INVALID_SAMPLE: 'A sample is too small, empty, or holds a value that is not a finite number.',
  STATS_ERR_INVALID_ARGUMENT: 'An argument is out of range or inconsistent with another (lengths, signs).',
  STATS_ERR_DEGENERATE: 'The test is undefined for these data (e.g. zero variance in both groups).',
  STATS_ERR_NO_CONVERGENCE: 'A numerical routine did not converge; the arguments are extreme.',
} as const;

export type StatisticsErrorCode = keyof typeof STATISTICS_ERROR_CODES;

/** Bad input to a statistics function; the message names the offending value. */
export class StatisticsError extends Error {
  override name = 'StatisticsError';
  readonly canRetry = false;
  constructor(
    readonly code: StatisticsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws a StatisticsError; for the library's own checks. */
export function fail(code: StatisticsErrorCode, message: string): never {
  throw new StatisticsError(code, message);
}

/** A significance level strictly inside (0, 1). */
export function checkAlpha(alpha: number, name = 'alpha'): number {
  if (!(alpha > 0 && alpha < 1)) fail('STATS_ERR_INVALID_ALPHA', `${name} must be strictly between 0 and 1, got ${alpha}`);
  return alpha;
}

/** A probability strictly inside (0, 1) (power, a base rate), or inside [0, 1] when `closed`. */
export function checkProbability(value: number, name: string, closed = false): number {
  const ok = closed ? value >= 0 && value <= 1 : value > 0 && value < 1;
  if (!ok) {
    const range = closed ? 'between 0 and 1' : 'strictly between 0 and 1';
    fail('STATS_ERR_INVALID_PROBABILITY', `${name} must be ${range}, got ${value}`);
  }
  return value;
}

/** A non-negative integer count; `minimum` raises the floor (e.g. 1 for a group size). */
export function checkCount(value: number, name: string, minimum = 0): number {
  if (!Number.isInteger(value) || value < minimum) {
    const what = minimum === 0 ? 'a non-negative integer' : `an integer >= ${minimum}`;
    fail('STATS_ERR_INVALID_COUNTS', `${name} must be ${what}, got ${value}`);
  }
  return value;
}

/** Successes out of a total: both integers, total >= 1, 0 <= successes <= total. */
export function checkSuccesses(successes: number, total: number, name: string): void {
  checkCount(total, `${name} total`, 1);
  checkCount(successes, `${name} successes`);
  if (successes > total) fail('STATS_ERR_INVALID_COUNTS', `${name} successes (${successes}) exceed its total (${total})`);
}

export function checkFinite(value: number, name: string): number {
  if (!Number.isFinite(value)) fail('STATS_ERR_INVALID_ARGUMENT', `${name} must be a finite number, got ${value}`);
  return value;
}

export function checkPositive(value: number, name: string): number {
  if (!(Number.isFinite(value) && value > 0)) fail('STATS_ERR_INVALID_ARGUMENT', `${name} must be a positive number, got ${value}`);
  return value;
}

/** A sample of finite numbers with at least `minimumSize` values. */
export function checkSample(values: readonly number[], name: string, minimumSize = 1): readonly number[] {
  if (values.length < minimumSize) {
    fail('STATS_ERR_INVALID_SAMPLE', `${name} needs at least ${minimumSize} value(s), got ${values.length}`);
  }
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) fail('STATS_ERR_INVALID_SAMPLE', `${name}[${bad}] is not a finite number: ${values[bad]}`);
  return values;
}
