import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppMetrics } from '@mlops/observability';
import type { PredictionLog } from '@mlops/schemas';
import { featureStoreMetrics } from '../metrics';
import { DataQualityMonitor, textIssues } from './data-quality';

test('texts an English sentiment model should not see are flagged, ordinary ones are not', () => {
  assert.deepEqual(textIssues('A gripping, well-acted film!'), []);
  assert.deepEqual(textIssues('Très bien, ça déchire'), [], 'accented Latin is Latin');
  assert.deepEqual(textIssues('   \n'), ['empty_text']);
  assert.deepEqual(textIssues('caf\uFFFD au lait'), ['replacement_character']);
  assert.deepEqual(textIssues('bad\u0007bell'), ['control_characters']);
  assert.deepEqual(textIssues('tab\tand\nnewline'), [], 'tab and newline are ordinary whitespace');
  assert.deepEqual(textIssues('12345 !!! :-)'), ['no_letters']);
  assert.deepEqual(textIssues('这部电影非常好看'), ['non_latin_script']);
});

function harness(bucketMs = 1000) {
  let now = Date.UTC(2024, 0, 15, 10, 0, 0, 500);
  const metrics = featureStoreMetrics(new AppMetrics('feature-store'));
  const monitor = new DataQualityMonitor({
    clock: () => now,
    limits: { maxLatenessMs: 3_600_000, maxClockSkewMs: 60_000 },
    volume: { volumeBucketMs: bucketMs, volumeChangeFactor: 3, minVolumeBaseline: 5 },
    issues: metrics.qualityIssues,
  });
  const log = (texts: string[] = ['fine'], timestamp = now): PredictionLog => ({
    schemaVersion: 1,
    requestId: 'r',
    modelName: 'm',
    modelVersion: 'v1',
    texts,
    predictions: texts.map(() => ({ label: 'POSITIVE', confidence: 0.9 })),
    routing: { reason: 'alias', shadow: false },
    latencyMs: 1,
    timestamp,
  });
  /** `events` messages spread over the next bucket. */
  const bucket = (events: number) => {
    for (let i = 0; i < events; i++) monitor.observe(log());
    now += bucketMs;
    monitor.tick();
  };
  return { monitor, log, bucket, advance: (ms: number) => (now += ms), now: () => now };
}

test('every finding is counted per check, with late and future event times', () => {
  const h = harness();
  h.monitor.observe(h.log(['', 'ok', '这部电影非常好看']));
  h.monitor.observe(h.log(['ok'], h.now() - 2 * 3_600_000));
  h.monitor.observe(h.log(['ok'], h.now() + 5 * 60_000));
  h.monitor.observe({ ...h.log(['one', 'two']), predictions: [{ label: 'POSITIVE', confidence: 0.9 }] });
  const report = h.monitor.report();
  assert.deepEqual(report.issues, { empty_text: 1, non_latin_script: 1, late_event: 1, future_event: 1, prediction_count_mismatch: 1 });
  assert.equal(report.events, 4);
  assert.equal(report.texts, 7);
});

test('a burst several times the moving average is a volume spike; steady traffic is not', () => {
  const h = harness();
  h.bucket(10); // the bucket the monitor started in is partial: not judged
  for (let i = 0; i < 5; i++) h.bucket(10);
  assert.equal(h.monitor.report().issues.volume_spike, undefined);
  h.bucket(40);
  assert.equal(h.monitor.report().issues.volume_spike, 1, 'counted once, as soon as it crossed');
  assert.equal(h.monitor.report().issues.volume_drop, undefined);
});

test('a stream that stops is seen dropping even with no events to trigger a check', () => {
  const h = harness();
  for (let i = 0; i < 6; i++) h.bucket(12);
  h.advance(1000);
  h.monitor.tick();
  assert.equal(h.monitor.report().issues.volume_drop, 1);
  assert.equal(h.monitor.report().volume.last_bucket_events, 0);
});

test('below the minimum baseline, swings are not judged', () => {
  const h = harness();
  for (let i = 0; i < 5; i++) h.bucket(1);
  h.bucket(4);
  h.bucket(0);
  assert.deepEqual(h.monitor.report().issues, {});
});
