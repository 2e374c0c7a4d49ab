/**
 * Protection in front of every route: CORS, a cap on requests in flight (503 past it, so memory
 * stays bounded under a flood), a response deadline (504), and bodies that must be valid UTF-8.
 */
import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { PlatformError } from '@mlops/schemas';
import { sendError } from './http-errors';

const CORS_ALLOWED_HEADERS = 'Content-Type, Authorization, X-API-Key, X-Request-Id';
const CORS_EXPOSED_HEADERS = 'X-Request-Id, Retry-After, RateLimit, RateLimit-Policy';
/** How long a browser may cache a preflight answer, seconds. */
const CORS_MAX_AGE_SEC = 600;

/** Answers CORS for the configured origins (`*` for any); other origins get no CORS headers. */
export function cors(allowedOrigins: readonly string[]): RequestHandler {
  const anyOrigin = allowedOrigins.includes('*');
  const allowed = new Set(allowedOrigins);
  return (req, res, next) => {
    const origin = req.get('origin');
    const isAllowed = origin !== undefined && (anyOrigin || allowed.has(origin));
    if (isAllowed) {
      res.setHeader('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
      res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
    }
    res.vary('Origin');
    if (req.method !== 'OPTIONS' || !req.get('access-control-request-method')) return next();
    if (isAllowed) {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
      res.setHeader('Access-Control-Allow-Headers', CORS_ALLOWED_HEADERS);
      res.setHeader('Access-Control-Max-Age', String(CORS_MAX_AGE_SEC));
    }
    res.status(204).end();
  };
}

/** Past `max` requests in progress, new ones get 503 + Retry-After at once, before their body is read. */
export function inFlightCap(max: number): RequestHandler & { readonly current: number } {
  let current = 0;
  const middleware = (_req: Request, res: Response, next: NextFunction) => {
    if (current >= max) return sendError(res, new PlatformError('OVERLOADED', `${current} requests are in flight; retry shortly`));
    current += 1;
    // 'close' fires once per response, finished or aborted.
    res.once('close', () => (current -= 1));
    next();
  };
  return Object.defineProperty(middleware, 'current', { get: () => current }) as RequestHandler & { readonly current: number };
}

/** A request still unanswered after `timeoutMs` gets 504; whatever answers later is dropped. */
export function responseDeadline(timeoutMs: number): RequestHandler {
  return (_req, res, next) => {
    const timer = setTimeout(() => {
      if (!res.headersSent) sendError(res, new PlatformError('DEADLINE_EXCEEDED', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

/** body-parser `verify`: a body whose bytes are not UTF-8 is refused instead of decoded to U+FFFD. */
export function verifyUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw new PlatformError('VALIDATION_ERROR', 'request body is not valid UTF-8');
}
