/**
 * The platform's error codes: one per failure, never reused. Apps put them in error replies and
 * logs; only the gateway maps them to HTTP statuses. `retryable` says whether the same request may
 * succeed if sent again (a programming or validation error never does).
 */
export const ERROR_CODES = {
  VALIDATION_ERROR: { retryable: false, description: 'The request body or message does not match its schema.' },
  PAYLOAD_TOO_LARGE: { retryable: false, description: 'The body, a text or the batch exceeds a configured limit.' },
  MODEL_NOT_FOUND: { retryable: false, description: 'The requested model version is not served.' },
  NO_MODEL_SERVING: { retryable: true, description: 'No model version is loaded yet.' },
  DEADLINE_EXCEEDED: { retryable: true, description: 'No answer arrived before the request deadline.' },
  OVERLOADED: { retryable: true, description: 'Queues are full; retry after a short wait.' },
  NOT_READY: { retryable: true, description: 'The service is starting, or lost its broker connection.' },
  INFERENCE_FAILED: { retryable: true, description: 'The model runtime failed on this batch.' },
  INTERNAL_ERROR: { retryable: false, description: 'An unexpected failure; see the logs for the request id.' },
  NOT_FOUND: { retryable: false, description: 'No such route or resource.' },
  RATE_LIMITED: { retryable: true, description: 'Too many requests; see Retry-After.' },
  UNAUTHORIZED: { retryable: false, description: 'Missing or invalid credentials.' },
  FORBIDDEN: { retryable: false, description: 'The credentials lack the scope this action needs.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that carries its platform code; `cause` keeps the underlying error for logs. */
export class PlatformError extends Error {
  override name = 'PlatformError';
  readonly retryable: boolean;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = ERROR_CODES[code].retryable;
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
