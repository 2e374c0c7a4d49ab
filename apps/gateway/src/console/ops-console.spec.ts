import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { AppMetrics, METRICS, closeServer, listen } from '@mlops/observability';
import { PlatformError } from '@mlops/schemas';
import { errorMiddleware } from '../http-errors';
import { createOpsConsole, type OpsConsole } from './ops-console';

const ADMIN_TOKEN = 'spec-admin-token';
// Stands in for the gateway's auth middleware: what is under test is that the console puts its data behind it.
const requireAdmin: RequestHandler = (req, _res, next) => {
  if (req.get('authorization') !== `Bearer ${ADMIN_TOKEN}`) return next(new PlatformError('UNAUTHORIZED', 'admin credential required'));
  next();
};

let server: http.Server;
let opsConsole: OpsConsole;
let baseUrl: string;
let metrics: AppMetrics;

async function serve(options: Partial<Parameters<typeof createOpsConsole>[0]> = {}) {
  const app = express();
  app.use(helmet());
  const built = createOpsConsole({ metrics, requireAdmin, ...options });
  app.use(built.router);
  app.use(errorMiddleware(() => undefined));
  const bound = await listen(app, 0, '127.0.0.1');
  const { port } = bound.address() as { port: number };
  return { server: bound, console: built, url: `http://127.0.0.1:${port}` };
}

before(async () => {
  metrics = new AppMetrics('gateway');
  ({ server, console: opsConsole, url: baseUrl } = await serve());
});

after(async () => {
  await opsConsole.stop();
  await closeServer(server);
});

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

test('/console is a page whose only script is a same-origin file, so the default CSP lets it run', async () => {
  const response = await fetch(`${baseUrl}/console`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/html/);
  assert.match(response.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  const html = await response.text();
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], /src="\/console\/console\.js"/);
  assert.equal(scripts[0][2].trim(), '', 'no inline script');
  assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  assert.doesNotMatch(html, /https?:\/\//, 'no CDN');
});

test('the script and stylesheet are served with their types, and the script parses', async () => {
  const script = await fetch(`${baseUrl}/console/console.js`);
  assert.equal(script.status, 200);
  assert.match(script.headers.get('content-type') ?? '', /javascript/);
  const source = await script.text();
  assert.doesNotThrow(() => new Function(source), 'console.js is valid JavaScript');
  const css = await fetch(`${baseUrl}/console/console.css`);
  assert.match(css.headers.get('content-type') ?? '', /text\/css/);
  assert.equal((await fetch(`${baseUrl}/console/missing.js`)).status, 404);
});

test('request figures are refused without the admin credential', async () => {
  const anonymous = await fetch(`${baseUrl}/admin/stats`);
  assert.equal(anonymous.status, 401);
  const drift = await fetch(`${baseUrl}/admin/drift`);
  assert.equal(drift.status, 401);
});

test('/admin/stats shows a prediction in the newest second', async () => {
  metrics.metric(METRICS.predictionRequests).inc({ model_version: 'v1', status: 'success' });
  metrics.metric(METRICS.predictionLatency).observe({ model_version: 'v1' }, 0.012);
  await opsConsole.stats.sample();
  const body = (await (await fetch(`${baseUrl}/admin/stats`, { headers: admin })).json()) as { points: { requests: number; byVersion: Record<string, number> }[]; windowSeconds: number };
  assert.equal(body.windowSeconds, 300);
  assert.deepEqual(body.points.at(-1)?.byVersion, { v1: 1 });
});

test('drift without a feature-store URL is a 503 that says why', async () => {
  const response = await fetch(`${baseUrl}/admin/drift`, { headers: admin });
  assert.equal(response.status, 503);
  assert.match(((await response.json()) as { message: string }).message, /no feature-store URL/);
});

test('drift is the feature store report, proxied; an unreachable feature store is a 503 naming it', async () => {
  const report = { enabled: true, thresholds: { psi: 0.2, p_value: 0.01 }, windows_evaluated: 3, features: [], prediction_confidence: [] };
  const featureStore = express().get('/drift', (_req, res) => res.json(report));
  const upstream = await listen(featureStore, 0, '127.0.0.1');
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  const proxied = await serve({ featureStoreUrl: upstreamUrl });
  try {
    const response = await fetch(`${proxied.url}/admin/drift`, { headers: admin });
    assert.deepEqual(await response.json(), report);
    await closeServer(upstream);
    const down = await fetch(`${proxied.url}/admin/drift`, { headers: admin });
    assert.equal(down.status, 503);
    assert.match(((await down.json()) as { message: string }).message, new RegExp(upstreamUrl.replace(/\./g, '\\.')));
  } finally {
    await proxied.console.stop();
    await closeServer(proxied.server);
  }
});

test('/admin/stats charts accuracy from feedback on predictions the gateway answered', async () => {
  const predict = opsConsole.watchPredictions(async () => ({ modelVersion: 'v7', predictions: [{ label: 'POSITIVE', confidence: 0.9 }], seconds: 0.01 }));
  await predict('req-accuracy-1', ['great'], {});
  await predict('req-accuracy-2', ['awful'], {});
  // Stands in for the feedback route, which answers 202 for a label it accepted.
  const app = express();
  app.use(express.json());
  app.use(opsConsole.feedbackObserver);
  app.post('/feedback', (req, res) => res.status((req.body as { label: string }).label === 'BAD' ? 400 : 202).json({}));
  const feedback = await listen(app, 0, '127.0.0.1');
  const feedbackUrl = `http://127.0.0.1:${(feedback.address() as { port: number }).port}/feedback`;
  try {
    for (const [requestId, label] of [['req-accuracy-1', 'POSITIVE'], ['req-accuracy-2', 'NEGATIVE'], ['req-accuracy-2', 'BAD']]) {
      await fetch(feedbackUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: requestId, label }) });
    }
  } finally {
    await closeServer(feedback);
  }
  const body = (await (await fetch(`${baseUrl}/admin/stats`, { headers: admin })).json()) as { accuracy: { points: { modelVersion: string; accuracy: number }[]; totals: Record<string, unknown> } };
  assert.deepEqual(body.accuracy.totals.v7, { labelled: 2, correct: 1 }, 'the refused (400) label is not counted');
  const newest = body.accuracy.points.at(-1);
  assert.deepEqual([newest?.modelVersion, newest?.accuracy], ['v7', 0.5]);
});
