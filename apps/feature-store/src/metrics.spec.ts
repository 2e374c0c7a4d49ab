/**
 * The feature store's /metrics page against the platform catalogue: every mlops_ series it can
 * show is catalogued for the feature store, and every catalogued one it should show is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { exportConsumerLag, reportConsumerLag } from '@mlops/messaging';
import { AppMetrics, exportedSeriesNames, metricsOfApp } from '@mlops/observability';
import { featureStoreMetrics } from './metrics';

test('every mlops_ series of the feature store is in the catalogue under feature-store, and none is missing', async () => {
  const metrics = new AppMetrics('feature-store');
  const created = featureStoreMetrics(metrics);
  const stopLag = exportConsumerLag(metrics);
  try {
    // Labelled metrics show only once used: touch each with a plausible label set.
    for (const metric of Object.values(created)) {
      const labels = Object.fromEntries(((metric as unknown as { labelNames: string[] }).labelNames ?? []).map((l) => [l, `${l}-1`]));
      if ('observe' in metric) (metric as Histogram).observe(labels, 0.001);
      else (metric as Counter | Gauge).inc(labels, 1);
    }
    reportConsumerLag({ group: 'feature-store', topic: 'predictions.log', partition: 0, lag: 3 });
    const shown = new Set(
      (await metrics.render()).body
        .split('\n')
        .filter((line) => line.startsWith('mlops_'))
        .map((line) => line.split(/[{ ]/)[0]),
    );
    const catalogued = exportedSeriesNames(metricsOfApp('feature-store'));
    assert.deepEqual([...shown].filter((name) => !catalogued.has(name)), [], 'shown but not catalogued for feature-store');
    assert.deepEqual([...catalogued].filter((name) => !shown.has(name)), [], 'catalogued for feature-store but never shown');
  } finally {
    stopLag();
  }
});
