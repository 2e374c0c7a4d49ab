/**
 * Whether a handler's failure is an outage of something it depends on (the broker, a store over
 * the network, a service saying "later") rather than something wrong with the messages. A
 * consumer retries an outage for as long as it lasts; a failure that is not one is a message the
 * handler cannot take, which after a few attempts goes to the dead-letter topic instead of
 * blocking its partition (see ValidatingConsumer).
 */
import { PlatformError } from '@mlops/schemas';

/** Socket-level failures: whatever sent them may answer once it is back. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** Looks through `cause` chains, as errors wrapped for a log keep the one that counts there. */
export function isTransientError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    // kafkajs's own: a broker away, a leader moving, a request timing out. The ones it calls not
    // retriable are either its retries running out (the cause says why) or the broker refusing
    // these messages (too large, say), which sending them again does not change.
    if (e.name.startsWith('KafkaJS') && (e as { retriable?: boolean }).retriable !== false) return true;
    if (e instanceof PlatformError && e.retryable) return true;
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;
  }
  return false;
}
