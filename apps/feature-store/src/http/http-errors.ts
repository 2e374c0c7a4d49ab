/**
 * Errors on the feature store's own port, in the product's error body
 * `{error, message, timestamp, request_id}`. The statuses are the gateway's for the same codes,
 * so a client sees the same answer whether it calls this port or, later, the gateway's proxy.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { PlatformError, type ErrorCode, type ErrorResponse } from '@mlops/schemas';

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION_ERROR: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  NOT_READY: 503,
};

export function sendError(req: Request, res: Response, error: PlatformError): void {
  const body: ErrorResponse = {
    error: error.code.toLowerCase(),
    message: error.message,
    timestamp: new Date().toISOString(),
    request_id: String(req.headers['x-request-id'] ?? randomUUID()),
  };
  if (error.code === 'NOT_READY') res.setHeader('Retry-After', '5');
  res.status(STATUS[error.code] ?? 500).json(body);
}

/** Last middleware: platform errors with their status, body-parser failures as 400/413, the rest as 500. */
export function errorMiddleware(onUnexpected: (error: unknown) => void) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) return;
    if (error instanceof PlatformError) return sendError(req, res, error);
    const parserError = error as { type?: string; message?: string };
    if (parserError?.type === 'entity.parse.failed') return sendError(req, res, new PlatformError('VALIDATION_ERROR', `request body is not valid JSON: ${parserError.message}`));
    if (parserError?.type === 'entity.too.large') return sendError(req, res, new PlatformError('PAYLOAD_TOO_LARGE', 'request body is too large'));
    onUnexpected(error);
    sendError(req, res, new PlatformError('INTERNAL_ERROR', 'unexpected error; see the feature store log'));
  };
}
