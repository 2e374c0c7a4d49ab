/**
 * What kind of failure a handler met: an outage of something it depends on (the broker, a store
 * over the network, a topic not there yet, a service saying "later"), or something about the
 * messages themselves. A consumer waits an outage out for as long as it lasts; a message the
 * handler cannot take goes, after a few attempts, to the dead-letter topic instead of blocking its
 * partition (see ValidatingConsumer).
 */
import { PlatformError } from '@mlops/schemas';

export type FailureKind = 'outage' | 'message';

/** Socket-level failures: whatever sent them may answer once it is back. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Broker error types that refuse the messages themselves: sending them again changes nothing. */
export const REFUSED_MESSAGES = ['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'CORRUPT_MESSAGE', 'INVALID_RECORD'] as const;

/** Whether a kafkajs error (or one it wraps) is of one of these broker error types. */
export function hasErrorType(error: unknown, types: readonly string[]): boolean {
  for (let e = error as { type?: string; cause?: unknown; originalError?: unknown } | undefined; e; e = (e.cause ?? e.originalError) as typeof e) {
    if (e.type !== undefined && types.includes(e.type)) return true;
  }
  return false;
}

/** An error and the ones it wraps (`cause`), outermost first: a wrapper for a log keeps the one that counts. */
export function* errorChain(error: unknown): Generator<Error> {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) yield e;
}

/** Platform error codes that say "not now" rather than "not this": the same message may go through later. */
const OUTAGE_CODES = new Set(['NOT_READY', 'NO_MODEL_SERVING', 'OVERLOADED', 'RATE_LIMITED']);

/**
 * Looks through the error's chain. A platform error decides by its code, whatever it wraps:
 * whoever raised it judged the failure.
 */
export function failureKind(error: unknown): FailureKind {
  if (hasErrorType(error, REFUSED_MESSAGES)) return 'message';
  for (const e of errorChain(error)) {
    if (e instanceof PlatformError) return OUTAGE_CODES.has(e.code) ? 'outage' : 'message';
    // kafkajs's own: a broker away, a leader moving, a topic not there yet, a request timing out.
    // The ones it calls not retriable are its retries running out (the cause says why) or a
    // refusal that sending again does not change.
    if (e.name.startsWith('KafkaJS') && (e as { retriable?: boolean }).retriable !== false) return 'outage';
    // The producer's refusal of a topic found missing moments ago (a platform topic being
    // recreated; requesters' own reply topics are handled where replies are sent).
    if (e.name === 'MissingTopicError') return 'outage';
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return 'outage';
  }
  return 'message';
}
