import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppMetrics } from './metrics';

test('every app exports the product system gauges with its app label', async () => {
  const metrics = new AppMetrics('unit-test');
  const { body } = await metrics.render();
  assert.match(body, /mlops_cpu_usage_percent\{app="unit-test"\} \d/);
  assert.match(body, /mlops_memory_usage_bytes\{app="unit-test"\} [1-9]\d+/);
  assert.match(body, /process_cpu_user_seconds_total/);
});

test('a metric descriptor creates one metric, and asking again returns it', async () => {
  const metrics = new AppMetrics('unit-test');
  const descriptor = { name: 'mlops_test_total', type: 'counter', help: 'test', labelNames: ['status'] } as const;
  metrics.metric(descriptor).inc({ status: 'success' });
  metrics.metric(descriptor).inc({ status: 'success' });
  assert.match((await metrics.render()).body, /mlops_test_total\{status="success",app="unit-test"\} 2/);
});
