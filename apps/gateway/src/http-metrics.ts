/** `mlops_http_requests_total` by route template (never the raw path), method and status code. */
import type { NextFunction, Request, Response } from 'express';
import { METRICS, type AppMetrics } from '@mlops/observability';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

/** The matched route template, e.g. `/admin/keys/:keyId`; `unmatched` keeps the label set bounded. */
export function routeLabelOf(req: Request): string {
  return req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
}

export function httpMetrics(metrics: AppMetrics) {
  const requests = metrics.metric(METRICS.httpRequests);
  return (req: Request, res: Response, next: NextFunction) => {
    res.once('finish', () => {
      requests.inc({ route: routeLabelOf(req), method: METHODS.has(req.method) ? req.method : 'OTHER', status_code: String(res.statusCode) });
    });
    next();
  };
}
