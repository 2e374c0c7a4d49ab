import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppMetrics, METRICS } from '@mlops/observability';
import { RequestStats, quantileFromBuckets } from './request-stats';

function gatewayMetrics() {
  const metrics = new AppMetrics('gateway');
  return { metrics, requests: metrics.metric(METRICS.predictionRequests), latency: metrics.metric(METRICS.predictionLatency) };
}

test('each point holds the requests of its own second, not a running total', async () => {
  const { metrics, requests, latency } = gatewayMetrics();
  const stats = new RequestStats(metrics, { windowSeconds: 10, intervalMs: 1000 });
  for (let i = 0; i < 3; i++) {
    requests.inc({ model_version: 'v1', status: 'success' });
    latency.observe({ model_version: 'v1' }, 0.02);
  }
  requests.inc({ model_version: 'default', status: 'error' });
  const first = await stats.sample();
  assert.equal(first.requests, 4);
  assert.equal(first.errors, 1);
  assert.deepEqual(first.byVersion, { v1: 3 });
  assert.ok(Math.abs((first.latencyMeanMs ?? NaN) - 20) < 1e-9);

  requests.inc({ model_version: 'v2', status: 'success' });
  latency.observe({ model_version: 'v2' }, 0.2);
  const second = await stats.sample();
  assert.equal(second.requests, 1);
  assert.equal(second.errors, 0);
  assert.deepEqual(second.byVersion, { v2: 1 });
  assert.ok(Math.abs((second.latencyMeanMs ?? NaN) - 200) < 1e-9);

  const idle = await stats.sample();
  assert.deepEqual([idle.requests, idle.latencyMeanMs, idle.latencyP95Ms], [0, null, null], 'a quiet second has no latency, not a zero one');
  assert.deepEqual(stats.snapshot().totals, { requests: 5, errors: 1 });
});

test('the ring buffer keeps only the last windowSeconds points', async () => {
  const { metrics, requests } = gatewayMetrics();
  let now = 0;
  const stats = new RequestStats(metrics, { windowSeconds: 5, intervalMs: 1000, now: () => (now += 1000) });
  for (let i = 0; i < 12; i++) {
    requests.inc({ model_version: 'v1', status: 'success' }, i);
    await stats.sample();
  }
  const { points } = stats.snapshot();
  assert.equal(points.length, 5);
  assert.deepEqual(points.map((p) => p.requests), [7, 8, 9, 10, 11]);
  assert.deepEqual(points.map((p) => p.at), [8000, 9000, 10000, 11000, 12000]);
});

test('p95 is interpolated inside its bucket, as histogram_quantile does', () => {
  // 100 requests: 90 under 10 ms, 10 between 10 and 50 ms -> p95 half-way into (0.01, 0.05].
  const buckets = new Map([[0.01, 90], [0.05, 100], [Infinity, 100]]);
  assert.ok(Math.abs((quantileFromBuckets(0.95, buckets) ?? NaN) - 0.03) < 1e-12);
  assert.equal(quantileFromBuckets(0.95, new Map([[0.01, 0], [Infinity, 0]])), null);
  // Everything above the largest finite bound: the best estimate is that bound.
  assert.equal(quantileFromBuckets(0.95, new Map([[0.01, 0], [Infinity, 4]])), 0.01);
});

test('a p95 from real latencies lands in the right bucket', async () => {
  const { metrics, requests, latency } = gatewayMetrics();
  const stats = new RequestStats(metrics, { windowSeconds: 10, intervalMs: 1000 });
  for (let i = 0; i < 100; i++) {
    requests.inc({ model_version: 'v1', status: 'success' });
    latency.observe({ model_version: 'v1' }, i < 90 ? 0.003 : 0.4);
  }
  const point = await stats.sample();
  assert.ok((point.latencyP95Ms ?? NaN) > 250 && (point.latencyP95Ms ?? NaN) <= 500, `p95 ${point.latencyP95Ms} ms`);
});
