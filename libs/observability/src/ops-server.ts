/**
 * The operations endpoints every app serves on its port: `/health` (alive), `/ready` (can do its
 * work: broker connected, model loaded, ...) and `/metrics`. The gateway mounts the same handlers
 * inside its public API.
 */
import http from 'node:http';
import express, { type Express, type Request, type Response } from 'express';
import type { AppMetrics } from './metrics';

export type ReadinessChecks = () => Record<string, boolean>;

export function healthHandler(details: () => Record<string, unknown> = () => ({})) {
  return (_req: Request, res: Response) => {
    res.json({ status: 'healthy', timestamp: new Date().toISOString(), ...details() });
  };
}

export function readyHandler(checks: ReadinessChecks) {
  return (_req: Request, res: Response) => {
    const results = checks();
    const ready = Object.values(results).every(Boolean);
    res.status(ready ? 200 : 503).json({ ready, checks: results, timestamp: new Date().toISOString() });
  };
}

export function metricsHandler(metrics: AppMetrics) {
  return async (_req: Request, res: Response) => {
    const { contentType, body } = await metrics.render();
    res.type(contentType).send(body);
  };
}

export function buildOpsApp(options: { metrics: AppMetrics; ready: ReadinessChecks; health?: () => Record<string, unknown> }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/health', healthHandler(options.health));
  app.get('/ready', readyHandler(options.ready));
  app.get('/metrics', metricsHandler(options.metrics));
  return app;
}

/** Listens and resolves with the server once bound; `port: 0` picks a free port. */
export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
