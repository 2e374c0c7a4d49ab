/**
 * The feature store through the gateway's API: `POST /features/online` and the read-only
 * definitions (`GET /features/views`, `/features/views/:name`, a version and its lineage), proxied
 * to the feature store's HTTP API (config featureStoreUrl) so clients need one origin, one
 * credential and one rate limit. Bodies are the feature store's, validated here first with the
 * same schema, so a bad request never leaves the gateway and gets the same 400 either way.
 */
import express, { type RequestHandler, type Router } from 'express';
import { OnlineFeaturesRequest, PlatformError, assertValid } from '@mlops/schemas';
import type { GatewayConfig } from './config';
import { forwardToFeatureStore } from './feature-store-proxy';
import { jsonObjectBody } from './prediction-routes';

export interface FeatureRoutesContext {
  config: Pick<GatewayConfig, 'featureStoreUrl' | 'featureStoreTimeoutMs'>;
  /** The `predict` scope check when the gateway is not open. */
  guard: RequestHandler;
}

const VERSION = /^[1-9]\d{0,8}$/;

export function featureRouter(ctx: FeatureRoutesContext): Router {
  const router = express.Router();
  const upstream = { url: ctx.config.featureStoreUrl, timeoutMs: ctx.config.featureStoreTimeoutMs };
  const forward = (res: express.Response, route: string, body?: unknown) => forwardToFeatureStore(upstream, res, route, { purpose: 'online features', body });
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
