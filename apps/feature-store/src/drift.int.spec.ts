/**
 * Drift against a reference built from SST-2's training split, through the real broker: a stream
 * drawn from the same distribution raises nothing; a shifted one publishes drift events on
 * features.events, a retraining request on training.requests, and the Prometheus figures.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { DriftReportResponse, FeatureDriftEvent, PredictionLog, TrainingRequest } from '@mlops/schemas';
import { buildReferenceProfile, readSst2Sample } from './monitoring/reference-profile';
import { FeatureStoreHarness, SST2_DIR, eventually, predictionLog, profiler } from '../testdata/harness';
import { seededRandom as random } from '@mlops/statistics';

const WINDOW = 400;
const BASELINE = 300;

function logs(texts: string[], labels: string[], confidence: () => number): PredictionLog[] {
  return texts.map((text, i) => predictionLog({ requestId: randomUUID(), modelVersion: 'v1', texts: [text], predictions: [{ label: labels[i], confidence: confidence() }] }));
}

describe('drift monitoring with Kafka', { timeout: 180_000 }, () => {
  let store: FeatureStoreHarness;
  let consumer: Consumer;
  const published: Array<{ topic: string; value: unknown }> = [];

  before(async () => {
    const reference = buildReferenceProfile(readSst2Sample(SST2_DIR, 3000), profiler(), { topK: 50, now: Date.now() });
    store = await FeatureStoreHarness.start({
      reference: { profile: reference },
      env: {
        DRIFT_WINDOW_SIZE: String(WINDOW),
        DRIFT_CONFIDENCE_BASELINE_SIZE: String(BASELINE),
        DRIFT_MIN_WINDOW_SIZE: '50',
        DRIFT_RETRAIN_ON_DRIFT: 'true',
      },
    });
    const groupId = `fs-drift-reader-${randomUUID()}`;
    store.identity.groups.push(groupId);
    consumer = store.kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: [store.identity.topics.featuresEvents, store.identity.topics.trainingRequests], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ topic, message }) => void published.push({ topic, value: JSON.parse(String(message.value)) }) });
  });

  after(async () => {
    await consumer?.disconnect();
    await store?.stop();
  });

  const report = async () => (await store.get<DriftReportResponse>('/drift')).body;

  test('a stream from the training distribution raises no drift', async () => {
    // Other SST-2 sentences than the reference's (offset lines), with their own labels: two windows,
    // the first BASELINE confidences of which become the model version's confidence reference.
    const sample = readSst2Sample(SST2_DIR, 2 * WINDOW, 37);
    const confidence = random(11);
    await store.publishPredictions(logs(sample.texts, sample.labels, () => 0.6 + 0.4 * confidence()));
    const drift = await eventually(async () => {
      const body = await report();
      assert.equal(body.windows_evaluated, 2);
      return body;
    }, 60_000);
    assert.equal(drift.enabled, true);
    assert.deepEqual(drift.features.filter((f) => f.detected).map((f) => f.feature), []);
    assert.equal(drift.features.length, 5);
    assert.equal(drift.prediction_confidence[0]?.detected, false);
    assert.equal(await store.metric('mlops_feature_drift_detected', { feature: 'text_length' }), 0);
    assert.ok((await store.metric('mlops_feature_drift_psi', { feature: 'text_length' })) < 0.1);
    assert.deepEqual(published, []);
  });

  test('a shifted stream publishes drift events, one retraining request, and the figures', async () => {
    // Longer texts (three reviews run together), all predicted NEGATIVE with low confidence.
    const sample = readSst2Sample(SST2_DIR, 3 * WINDOW, 53);
    const texts = Array.from({ length: WINDOW }, (_, i) => sample.texts.slice(3 * i, 3 * i + 3).join(' '));
    const confidence = random(13);
    await store.publishPredictions(logs(texts, texts.map(() => 'NEGATIVE'), () => 0.5 + 0.15 * confidence()));
    await eventually(async () => assert.equal((await report()).windows_evaluated, 3), 60_000);
    const drift = await report();
    const detected = drift.features.filter((f) => f.detected).map((f) => f.feature);
    for (const feature of ['text_length', 'token_count', 'predicted_label']) assert.ok(detected.includes(feature), `${feature} drifted: ${detected}`);
    assert.equal(drift.prediction_confidence[0]?.detected, true);

    const events = await eventually(async () => {
      const found = published.filter((m) => m.topic === store.identity.topics.featuresEvents).map((m) => m.value as FeatureDriftEvent);
      assert.ok(found.length >= 4, `${found.length} drift events`);
      return found;
    });
    const lengthEvent = events.find((e) => e.feature === 'text_length');
    assert.equal(lengthEvent?.type, 'drift-detected');
    assert.ok((lengthEvent?.psi ?? 0) >= 0.1 && (lengthEvent?.pValue ?? 1) < 0.05);
    assert.equal(events.find((e) => e.feature === 'prediction_confidence')?.modelVersion, 'v1');
    // The retraining request is sent after the drift events, so it may arrive in a later fetch.
    const trainings = await eventually(async () => {
      const found = published.filter((m) => m.topic === store.identity.topics.trainingRequests).map((m) => m.value as TrainingRequest);
      assert.ok(found.length >= 1, 'no retraining request yet');
      return found;
    });
    assert.equal(trainings.length, 1);
    assert.equal(trainings[0].reason, 'drift');
    assert.equal(trainings[0].modelName, 'distilbert-sentiment');

    assert.equal(await store.metric('mlops_feature_drift_detected', { feature: 'text_length' }), 1);
    assert.ok((await store.metric('mlops_feature_drift_psi', { feature: 'text_length' })) >= 0.1);
    assert.ok((await store.metric('mlops_prediction_drift_psi', { model_version: 'v1' })) > 0.1);
  });
});
