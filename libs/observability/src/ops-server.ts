/**
 * The operations endpoints every app serves on its port: `/health` (alive), `/ready` (can do its
 * work: broker connected, model loaded, ...) and `/metrics`. The gateway mounts the same handlers
 * inside its public API.
 */
import http from 'node:http';
import net from 'node:net';
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

/** Responses not yet finished, per server, so a drain can tell them to close their connection. */
const openResponses = new WeakMap<http.Server, Set<http.ServerResponse>>();

function trackOpenResponses(server: http.Server): void {
  const open = new Set<http.ServerResponse>();
  openResponses.set(server, open);
  server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    open.add(res);
    res.once('close', () => open.delete(res));
  });
}

/** Listens and resolves with the server once bound; `port: 0` picks a free port. */
export function listen(app: Express, port: number, host = '0.0.0.0'): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    trackOpenResponses(server);
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

/**
 * Closes an HTTP intake without dropping a request a client has already sent: stops listening (new
 * connections are refused, which a client sees at once), answers whatever still arrives on open
 * keep-alive connections, and those in progress, with `Connection: close`, and lets idle connections end by the server's
 * keep-alive timeout, which clients know of from the `Keep-Alive` header and stop reusing before it.
 * (`server.close()` would close idle connections at once, racing a client that is sending on one at
 * that instant: its request would be reset, unanswered.) After `timeoutMs` every connection is cut.
 */
export function drainServer(server: http.Server, timeoutMs: number): Promise<void> {
  const closeAfter = (res: http.ServerResponse) => {
    if (!res.headersSent) res.setHeader('connection', 'close');
  };
  openResponses.get(server)?.forEach(closeAfter);
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => closeAfter(res));
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
    net.Server.prototype.close.call(server, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
