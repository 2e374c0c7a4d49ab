/** `mlops_http_requests_total` by route template (never the raw path), method and status code. */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { METRICS, type AppMetrics } from '@mlops/observability';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * Put before a router mounted under a path: remembers the mount path, which Express has already
 * restored (`req.baseUrl`) by the time an async handler's response finishes.
 */
export const rememberMountPath: RequestHandler = (req, res, next) => {
  res.locals.mountPath = req.baseUrl;
  next();
};

/** The matched route template, e.g. `/admin/keys/:keyId`; `unmatched` keeps the label set bounded. */
export function routeLabelOf(req: Request, res: Response): string {
  if (!req.route) return 'unmatched';
  const base = typeof res.locals.mountPath === 'string' ? res.locals.mountPath : '';
  const path = String(req.route.path);
  return path === '/' && base ? base : `${base}${path}`;
}

export function httpMetrics(metrics: AppMetrics) {
  const requests = metrics.metric(METRICS.httpRequests);
  return (req: Request, res: Response, next: NextFunction) => {
    res.once('finish', () => {
      requests.inc({ route: routeLabelOf(req, res), method: METHODS.has(req.method) ? req.method : 'OTHER', status_code: String(res.statusCode) });
    });
    next();
  };
}
