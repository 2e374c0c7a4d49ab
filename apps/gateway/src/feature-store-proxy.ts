/**
 * Calls to the feature store's HTTP API on a client's behalf (`/features/*`, `/admin/drift`): the
 * answer is passed back as it is, and upstream failures map onto the platform's error codes. Its
 * 4xx keep their code and message; no URL configured, no answer within the timeout, or a 5xx is
 * NOT_READY (503) with the reason.
 */
import type { Response as ExpressResponse } from 'express';
import { PlatformError, isErrorCode, type ErrorCode } from '@mlops/schemas';
import { requestIdOf } from './http-errors';

export interface FeatureStoreUpstream {
  /** Base URL of the feature store (config featureStoreUrl); undefined or '' when not configured. */
  url: string | undefined;
  timeoutMs: number;
}

/** Codes the feature store answers with that mean the same through the gateway. */
const PASSED_THROUGH = new Set<ErrorCode>(['VALIDATION_ERROR', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE']);

function upstreamError(status: number, body: unknown, what: string): PlatformError {
  const reported = body as { error?: unknown; message?: unknown } | undefined;
  const code = typeof reported?.error === 'string' ? reported.error.toUpperCase() : '';
  const message = typeof reported?.message === 'string' ? reported.message : `status ${status}`;
  if (isErrorCode(code) && PASSED_THROUGH.has(code)) return new PlatformError(code, message);
  return new PlatformError('NOT_READY', `the feature store could not answer ${what}: ${message}`);
}

/**
 * Sends `route` (GET, or POST with `body`) to the feature store and answers `res` with its body,
 * or throws the platform error it means. `purpose` names the feature in the "not configured" error.
 */
export async function forwardToFeatureStore(upstream: FeatureStoreUpstream, res: ExpressResponse, route: string, options: { purpose: string; body?: unknown }): Promise<void> {
  const { body } = options;
  if (!upstream.url) throw new PlatformError('NOT_READY', `${options.purpose} need the feature store, and the gateway has no feature-store URL configured (FEATURE_STORE_URL)`);
  const url = new URL(route, upstream.url);
  let response: Response;
  let answer: unknown;
  try {
    response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-request-id': requestIdOf(res), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(upstream.timeoutMs),
    });
    answer = await response.json();
  } catch (error) {
    throw new PlatformError('NOT_READY', `the feature store at ${url.origin} did not answer ${route} within ${upstream.timeoutMs} ms: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw upstreamError(response.status, answer, route);
  res.set('Cache-Control', 'no-store').json(answer);
}
