/**
 * The ops console: a page at /console (shell, stylesheet, script; no data) and the admin
 * endpoints only it needs: `GET /admin/stats` (per-second request figures from the gateway's own
 * metrics, and live accuracy per model version from the feedback this gateway took) and
 * `GET /admin/drift` (the feature store's drift report, proxied so the browser needs one origin
 * and one credential). Everything with data sits behind `requireAdmin`.
 *
 * Accuracy needs to see both halves of the join: wrap the gateway's predictor with
 * `watchPredictions`, and mount `feedbackObserver` before the feedback route.
 *
 * The page itself is public because a browser cannot send an API key or bearer token when it
 * navigates; it only offers a sign-in form, and every figure it shows comes from the admin API.
 */
import express, { type RequestHandler, type Router } from 'express';
import type { AppMetrics } from '@mlops/observability';
import { CONSOLE_HTML } from './assets/page';
import { CONSOLE_SCRIPT } from './assets/script';
import { CONSOLE_CSS } from './assets/styles';
import { forwardToFeatureStore } from '../feature-store-proxy';
import type { Predictor } from '../prediction-routes';
import { LiveAccuracy } from './live-accuracy';
import { RequestStats } from './request-stats';

export interface OpsConsoleOptions {
  metrics: AppMetrics;
  /** Lets a request through only with the `admin` scope (the gateway's auth middleware). */
  requireAdmin: RequestHandler;
  /** Base URL of the feature store's HTTP API (e.g. http://feature-store:8004); drift is "not available" without it. */
  featureStoreUrl?: string;
  /** Points kept for the charts, one per second; 300 = 5 minutes. */
  windowSeconds?: number;
  /** Time allowed to the feature store per drift request, ms. */
  upstreamTimeoutMs?: number;
  /** Answered requests remembered to join feedback to; 10000 x a few labels is well under 10 MB. */
  maxJoinedRequests?: number;
}

export interface OpsConsole {
  router: Router;
  stats: RequestStats;
  accuracy: LiveAccuracy;
  /** The predictor, remembering each answer for the accuracy join. */
  watchPredictions(predict: Predictor): Predictor;
  /** Scores each accepted `POST /feedback` (202) against the remembered answer; mount before the feedback route. */
  feedbackObserver: RequestHandler;
  /** Stops the once-a-second sampling. */
  stop(): Promise<void>;
}

const ASSETS: Record<string, { type: string; body: string }> = {
  'console.js': { type: 'text/javascript; charset=utf-8', body: CONSOLE_SCRIPT },
  'console.css': { type: 'text/css; charset=utf-8', body: CONSOLE_CSS },
};

export function createOpsConsole(options: OpsConsoleOptions): OpsConsole {
  const windowSeconds = options.windowSeconds ?? 300;
  const stats = new RequestStats(options.metrics, { windowSeconds, intervalMs: 1000 });
  stats.start();
  const accuracy = new LiveAccuracy({ maxRequests: options.maxJoinedRequests ?? 10_000, windowMs: windowSeconds * 1000, resolutionMs: 1000 });
  const router = express.Router();

  router.get('/console', (_req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(CONSOLE_HTML);
  });
  router.get('/console/:asset', (req, res, next) => {
    const asset = ASSETS[req.params.asset];
    if (!asset) return next();
    res.set('Cache-Control', 'no-cache').type(asset.type).send(asset.body);
  });

  router.get('/admin/stats', options.requireAdmin, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ ...stats.snapshot(), accuracy: accuracy.snapshot() });
  });

  router.get('/admin/drift', options.requireAdmin, async (_req, res) => {
    await forwardToFeatureStore({ url: options.featureStoreUrl, timeoutMs: options.upstreamTimeoutMs ?? 2000 }, res, '/drift', { purpose: 'drift status' });
  });

  const watchPredictions =
    (predict: Predictor): Predictor =>
    async (requestId, texts, predictOptions) => {
      const result = await predict(requestId, texts, predictOptions);
      accuracy.recordPrediction(requestId, result.modelVersion, result.predictions.map((p) => p.label));
      return result;
    };

  const feedbackObserver: RequestHandler = (req, res, next) => {
    if (req.method === 'POST' && req.path === '/feedback') {
      // The route has validated the body by the time it answers 202.
      res.once('finish', () => {
        const body = req.body as { request_id: string; label: string; index?: number };
        if (res.statusCode === 202) accuracy.recordLabel(body.request_id, body.index ?? 0, body.label);
      });
    }
    next();
  };

  return { router, stats, accuracy, watchPredictions, feedbackObserver, stop: () => stats.stop() };
}
