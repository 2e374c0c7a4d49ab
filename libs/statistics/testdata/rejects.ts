import assert from 'node:assert/strict';
import { StatisticsError, type StatisticsErrorCode } from '../src/errors';

/** `f` throws a StatisticsError with `code`, not retryable, whose message matches `message`. */
export function assertRejects(f: () => unknown, code: StatisticsErrorCode, message = /./): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof StatisticsError, `expected a StatisticsError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.canRetry, false);
    assert.match(e.message, message);
    return true;
  });
}
