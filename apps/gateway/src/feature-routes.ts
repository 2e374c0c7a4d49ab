/**
 * The feature store through the gateway's API: `POST /features/online` and the read-only
 * definitions (`GET /features/views`, `/features/views/:name`, a version and its lineage), proxied
 * to the feature store's HTTP API (config featureStoreUrl) so clients need one origin, one
 * credential and one rate limit. Bodies are the feature store's, validated here first with the
 * same schema, so a bad request never leaves the gateway and gets the same 400 either way.
 *
 * Upstream answers map back onto the platform's error codes: its 4xx keep their code and message;
 * no URL configured, no answer within featureStoreTimeoutMs, or a 5xx is NOT_READY (503) with the
 * reason.
 */
import express, { type RequestHandler, type Router } from 'express';
import { OnlineFeaturesRequest, PlatformError, assertValid, isErrorCode, type ErrorCode } from '@mlops/schemas';
import type { GatewayConfig } from './config';
import { requestIdOf } from './http-errors';
import { jsonObjectBody } from './prediction-routes';

export interface FeatureRoutesContext {
  config: Pick<GatewayConfig, 'featureStoreUrl' | 'featureStoreTimeoutMs'>;
  /** The `predict` scope check when the gateway is not open. */
  guard: RequestHandler;
}

/** Codes the feature store answers with that mean the same through the gateway. */
const PASSED_THROUGH = new Set<ErrorCode>(['VALIDATION_ERROR', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE']);

const VERSION = /^[1-9]\d{0,8}$/;

function upstreamError(status: number, body: unknown, what: string): PlatformError {
  const reported = body as { error?: unknown; message?: unknown } | undefined;
  const code = typeof reported?.error === 'string' ? reported.error.toUpperCase() : '';
  const message = typeof reported?.message === 'string' ? reported.message : `status ${status}`;
  if (isErrorCode(code) && PASSED_THROUGH.has(code)) return new PlatformError(code, message);
  return new PlatformError('NOT_READY', `the feature store could not answer ${what}: ${message}`);
}

export function featureRouter(ctx: FeatureRoutesContext): Router {
  const router = express.Router();
  const { featureStoreUrl, featureStoreTimeoutMs } = ctx.config;

  /** Calls the feature store and answers with its body, or throws the platform error it means. */
  const forward = async (res: express.Response, route: string, body?: unknown): Promise<void> => {
    if (!featureStoreUrl) throw new PlatformError('NOT_READY', 'online features need the feature store, and the gateway has no feature-store URL configured (FEATURE_STORE_URL)');
    const url = new URL(route, featureStoreUrl);
    let response: Response;
    let answer: unknown;
    try {
      response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'x-request-id': requestIdOf(res), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(featureStoreTimeoutMs),
      });
      answer = await response.json();
    } catch (error) {
      throw new PlatformError('NOT_READY', `the feature store at ${url.origin} did not answer ${route} within ${featureStoreTimeoutMs} ms: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ok) throw upstreamError(response.status, answer, route);
    res.set('Cache-Control', 'no-store').json(answer);
  };
  const viewPath = (name: unknown) => `/feature-views/${encodeURIComponent(String(name))}`;
  const versionOf = (raw: unknown): string => {
    if (!VERSION.test(String(raw))) throw new PlatformError('VALIDATION_ERROR', `version: '${String(raw)}' is not a version number`);
    return String(raw);
  };

  router.post('/features/online', ctx.guard, async (req, res) => {
    const request = assertValid(OnlineFeaturesRequest, jsonObjectBody(req), 'request body');
    await forward(res, '/features/online', request);
  });
  router.get('/features/views', ctx.guard, async (_req, res) => {
    await forward(res, '/feature-views');
  });
  router.get('/features/views/:name', ctx.guard, async (req, res) => {
    await forward(res, viewPath(req.params.name));
  });
  router.get('/features/views/:name/versions/:version', ctx.guard, async (req, res) => {
    await forward(res, `${viewPath(req.params.name)}/versions/${versionOf(req.params.version)}`);
  });
  router.get('/features/views/:name/versions/:version/lineage', ctx.guard, async (req, res) => {
    await forward(res, `${viewPath(req.params.name)}/versions/${versionOf(req.params.version)}/lineage`);
  });
  return router;
}
