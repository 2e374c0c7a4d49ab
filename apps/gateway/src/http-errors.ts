/**
 * The only place where platform error codes become HTTP statuses, and where every error gets its
 * body: the product's `{error, message, timestamp, request_id}`, or under `/v2` the Open Inference
 * Protocol's `{error}` (see `useV2ErrorShape`).
 */
import type { NextFunction, Request, Response } from 'express';
import { PlatformError, type ErrorCode, type ErrorResponse } from '@mlops/schemas';

export const HTTP_STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  MODEL_NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  INFERENCE_FAILED: 502,
  NOT_READY: 503,
  NO_MODEL_SERVING: 503,
  OVERLOADED: 503,
  DEADLINE_EXCEEDED: 504,
};

/** Seconds a client should wait before retrying a retryable failure. */
const RETRY_AFTER_SECONDS: Partial<Record<ErrorCode, number>> = { OVERLOADED: 1, NOT_READY: 5, NO_MODEL_SERVING: 5, RATE_LIMITED: 60 };

export function requestIdOf(res: Response): string {
  return String(res.locals.requestId ?? 'unknown');
}

/** Marks a response as the Open Inference Protocol's: its errors are `{"error": "<message>"}`. */
export function useV2ErrorShape(_req: Request, res: Response, next: NextFunction): void {
  res.locals.errorShape = 'v2';
  next();
}

export function sendError(res: Response, error: PlatformError): void {
  const body: ErrorResponse | { error: string } =
    res.locals.errorShape === 'v2'
      ? { error: error.message }
      : { error: error.code.toLowerCase(), message: error.message, timestamp: new Date().toISOString(), request_id: requestIdOf(res) };
  res.locals.errorMessage = error.message;
  const retryAfter = RETRY_AFTER_SECONDS[error.code];
  // A rate limiter has already set the exact wait; keep it.
  if (retryAfter !== undefined && !res.hasHeader('Retry-After')) res.setHeader('Retry-After', String(retryAfter));
  res.status(HTTP_STATUS[error.code]).json(body);
}

/** body-parser's failures (bad JSON, too large, bad charset) as platform errors. */
function fromBodyParser(error: { type?: string; status?: number; message?: string; limit?: number }): PlatformError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new PlatformError('VALIDATION_ERROR', `request body is not valid JSON: ${error.message}`);
    case 'entity.too.large':
      return new PlatformError('PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${error.limit} bytes`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new PlatformError('VALIDATION_ERROR', error.message ?? 'unsupported body encoding');
    case 'request.aborted':
      return new PlatformError('VALIDATION_ERROR', 'the request was aborted by the client');
    default:
      if (error.status && error.status >= 400 && error.status < 500) return new PlatformError('VALIDATION_ERROR', error.message ?? 'bad request');
      return undefined;
  }
}

export function errorMiddleware(onUnexpected: (error: unknown, req: Request) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    const platformError =
      error instanceof PlatformError ? error : fromBodyParser(error as Parameters<typeof fromBodyParser>[0]);
    if (platformError) return sendError(res, platformError);
    onUnexpected(error, req);
    sendError(res, new PlatformError('INTERNAL_ERROR', `unexpected error; quote request id ${requestIdOf(res)}`));
  };
}
