/**
 * The feature store against the real broker and the real Redis: events in, features out over
 * HTTP; replays and redeliveries not double-counted; TTL expiry; late events; the feedback join;
 * point-in-time exports; versions and lineage.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { textHash, type ExportResponse, type LineageResponse, type OnlineFeaturesResponse, type SnapshotRow } from '@mlops/schemas';
import { FeatureStoreHarness, eventually, newIdentity, predictionLog } from '../testdata/harness';

const MINUTE = 60_000;

type Online = OnlineFeaturesResponse;

describe('feature store with Kafka and Redis', { timeout: 180_000 }, () => {
  let store: FeatureStoreHarness;
  const modelVersion = `v-${randomUUID().slice(0, 8)}`;

  before(async () => {
    const identity = newIdentity();
    // A second text view with a TTL short enough to watch expire.
    store = await FeatureStoreHarness.start({
      identity,
      featureViewsYaml: `feature_views:
  - name: recent_texts
    entity_key: text_hash
    owner: spec
    sources: [{ topic: ${identity.topics.predictionsLog}, schema: PredictionLog, schema_version: 1 }]
    transformation: { name: text_stats }
    features: [{ name: length, type: int64 }, { name: seen_count, type: int64 }]
    ttl: 5s
`,
    });
  });

  after(async () => {
    await store?.stop();
  });

  const online = (feature_view: string, entities: string[], extra: Record<string, unknown> = {}) => store.post<Online>('/features/online', { feature_view, entities, ...extra });

  test('events in, features out: per-subject windows, freshness, and unknown entities reported as missing', async () => {
    const subject = `s-${randomUUID()}`;
    const now = Date.now();
    await store.publishPredictions([
      predictionLog({ requestId: randomUUID(), subjectId: subject, modelVersion, predictions: [{ label: 'POSITIVE', confidence: 0.9 }], timestamp: now - 20 * MINUTE }),
      predictionLog({ requestId: randomUUID(), subjectId: subject, modelVersion, predictions: [{ label: 'NEGATIVE', confidence: 0.7 }, { label: 'POSITIVE', confidence: 0.8 }], timestamp: now - 2 * MINUTE }),
    ]);
    const answer = await eventually(async () => {
      const { status, body } = await online('subject_activity', [subject, 'nobody-at-all']);
      assert.equal(status, 200);
      assert.equal(body.results[0].features?.request_count_1h, 2);
      return body;
    });
    const [found, unknown] = answer.results;
    assert.equal(found.status, 'found');
    assert.equal(found.features?.request_count_5m, 1);
    assert.ok(Math.abs((found.features?.mean_confidence_1h as number) - 0.8) < 1e-9);
    assert.ok(Math.abs((found.features?.negative_share_1h as number) - 1 / 3) < 1e-9);
    assert.ok(found.freshness_seconds !== undefined && found.freshness_seconds >= 120 && found.freshness_seconds < 200);
    assert.deepEqual(unknown, { entity: 'nobody-at-all', status: 'missing' });
    assert.deepEqual(answer.missing, ['nobody-at-all']);
    assert.equal(answer.version, 1);
  });

  test('feedback joins its prediction in either order and gives the model version a live accuracy', async () => {
    const modelVersion = `v-${randomUUID().slice(0, 8)}`;
    const early = randomUUID();
    const late = randomUUID();
    const now = Date.now();
    // Feedback for `early` arrives before its prediction; for `late`, after.
    await store.publishFeedback([{ schemaVersion: 1, requestId: early, label: 'POSITIVE', timestamp: now }]);
    await store.publishPredictions([
      predictionLog({ requestId: early, modelVersion, predictions: [{ label: 'POSITIVE', confidence: 0.95 }], texts: ['a wonderful, moving film'] }),
      predictionLog({ requestId: late, modelVersion, predictions: [{ label: 'POSITIVE', confidence: 0.6 }], texts: ['a dull film'] }),
    ]);
    await eventually(async () => {
      const { body } = await online('model_quality', [modelVersion]);
      assert.equal(body.results[0].features?.prediction_count, 2);
    });
    await store.publishFeedback([{ schemaVersion: 1, requestId: late, label: 'NEGATIVE', timestamp: Date.now() }]);
    const features = await eventually(async () => {
      const { body } = await online('model_quality', [modelVersion]);
      assert.equal(body.results[0].features?.feedback_count, 2);
      return body.results[0].features ?? {};
    });
    assert.equal(features.live_accuracy, 0.5);
    assert.equal(features.live_accuracy_1h, 0.5);
  });

  test('a redelivered message and a replay from the beginning by a new consumer group do not count twice', async () => {
    const subject = `s-${randomUUID()}`;
    const logs = [1, 2, 3].map((i) => predictionLog({ requestId: randomUUID(), subjectId: subject, modelVersion, predictions: [{ label: 'POSITIVE', confidence: 0.5 + i / 10 }] }));
    await store.publishPredictions(logs);
    await eventually(async () => assert.equal((await online('subject_activity', [subject])).body.results[0].features?.request_count_5m, 3));
    const duplicatesBefore = await store.metric('mlops_feature_events_total', { feature_view: 'subject_activity', outcome: 'duplicate' });
    await store.publishPredictions(logs); // the producer's retry after a lost ack looks exactly like this
    await eventually(async () => {
      const duplicates = await store.metric('mlops_feature_events_total', { feature_view: 'subject_activity', outcome: 'duplicate' });
      assert.ok(duplicates >= duplicatesBefore + 3, `duplicates ${duplicates}`);
    });
    // A second instance of the same store (same topics, same Redis), new group: reads every message again.
    const replay = await FeatureStoreHarness.start({ identity: store.identity });
    try {
      await eventually(async () => {
        const duplicates = await replay.metric('mlops_feature_events_total', { feature_view: 'subject_activity', outcome: 'duplicate' });
        assert.ok(duplicates >= 6, `replayed duplicates ${duplicates}`);
      });
    } finally {
      await replay.stop(false);
    }
    const { body } = await online('subject_activity', [subject]);
    assert.equal(body.results[0].features?.request_count_5m, 3);
    assert.equal(body.results[0].features?.request_count_total, 3);
  });

  test('values expire with their TTL, in Redis itself', async () => {
    const text = `short-lived ${randomUUID()}`;
    await store.publishPredictions([predictionLog({ requestId: randomUUID(), texts: [text], predictions: [{ label: 'POSITIVE', confidence: 0.9 }] })]);
    const hash = textHash(text);
    await eventually(async () => assert.equal((await online('recent_texts', [hash])).body.results[0].features?.seen_count, 1));
    assert.equal((await online('text_stats', [hash])).body.results[0].features?.length, text.length);
    await eventually(async () => {
      const { body } = await online('recent_texts', [hash]);
      assert.deepEqual(body.missing, [hash]);
    }, 15_000);
    assert.equal(await store.redis.exists(`${store.identity.keyPrefix}fv:recent_texts:1:e:${hash}`), 0, 'Redis dropped the key');
    assert.equal((await online('text_stats', [hash])).body.results[0].status, 'found', 'a view with a longer TTL still has it');
  });

  test('a late event is counted, not applied; a malformed message is dead-lettered and counted', async () => {
    const subject = `s-${randomUUID()}`;
    const lateBefore = await store.metric('mlops_feature_events_total', { feature_view: 'subject_activity', outcome: 'late' });
    await store.publishPredictions([predictionLog({ requestId: randomUUID(), subjectId: subject, predictions: [{ label: 'POSITIVE', confidence: 0.9 }], timestamp: Date.now() - 2 * 60 * MINUTE })]);
    await store.producer.send(store.identity.topics.predictionsLog, { key: 'x', value: { schemaVersion: 1, requestId: 'broken' } });
    await eventually(async () => {
      assert.equal(await store.metric('mlops_feature_events_total', { feature_view: 'subject_activity', outcome: 'late' }), lateBefore + 1);
      const { body } = await store.get<{ issues: Record<string, number> }>('/quality');
      assert.ok((body.issues.late_event ?? 0) >= 1);
      assert.equal(body.issues.schema_violation, 1);
    });
    assert.equal((await online('subject_activity', [subject])).body.results[0].status, 'missing');
  });

  test('an export gives each row the values as they were at its timestamp, never later ones', async () => {
    const subject = `s-${randomUUID()}`;
    const now = Date.now();
    const at = (minutesAgo: number) => now - minutesAgo * MINUTE;
    await store.publishPredictions(
      [30, 20, 10].map((ago) => predictionLog({ requestId: randomUUID(), subjectId: subject, modelVersion, predictions: [{ label: 'NEGATIVE', confidence: 0.9 }], timestamp: at(ago) })),
    );
    await eventually(async () => assert.equal((await online('subject_activity', [subject])).body.results[0].features?.request_count_1h, 3));
    const rows = [40, 25, 15, 5].map((ago) => ({ entities: { subject_id: subject }, event_timestamp: new Date(at(ago)).toISOString(), label: 'NEGATIVE' }));
    const { status, body } = await store.post<ExportResponse>('/exports', {
      feature_views: [{ name: 'subject_activity' }],
      spine: { rows },
      model_name: 'distilbert-sentiment',
      model_version: 'v-trained',
    });
    assert.equal(status, 201);
    const lines = fs.readFileSync(path.join(body.directory, 'rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SnapshotRow);
    const counts = lines.map((row) => row.features.subject_activity?.request_count_1h ?? null);
    assert.deepEqual(counts, [null, 1, 2, 3]);
    assert.equal(body.manifest.rows_without_features.subject_activity, 1);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(body.directory, 'manifest.json'), 'utf8')), body.manifest);

    const lineage = (await store.get<LineageResponse>('/feature-views/subject_activity/versions/1/lineage')).body;
    assert.ok(lineage.computed_from_model_versions.includes(modelVersion));
    assert.deepEqual(lineage.trained_model_versions, ['v-trained']);
    assert.ok(lineage.exports.includes(body.export_id));
    assert.deepEqual(lineage.sources, [{ topic: store.identity.topics.predictionsLog, schema: 'PredictionLog', schema_version: 1 }]);
  });

  test('a feedback export labels each scored text with the features known when the label came', async () => {
    const subject = `s-${randomUUID()}`;
    const requestId = randomUUID();
    const text = `export me ${randomUUID()}`;
    await store.publishPredictions([predictionLog({ requestId, subjectId: subject, modelVersion, texts: [text], predictions: [{ label: 'POSITIVE', confidence: 0.9 }] })]);
    await store.publishFeedback([{ schemaVersion: 1, requestId, label: 'NEGATIVE', timestamp: Date.now() + 1000 }]);
    const row = await eventually(async () => {
      const { body } = await store.post<ExportResponse>('/exports', { feature_views: [{ name: 'subject_activity' }, { name: 'text_stats' }], spine: { source: 'feedback' } });
      const lines = fs.readFileSync(path.join(body.directory, 'rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SnapshotRow);
      const mine = lines.find((r) => r.request_id === requestId);
      assert.ok(mine, 'the labelled text is in the export');
      return mine;
    });
    assert.equal(row.text, text);
    assert.equal(row.label, 'NEGATIVE');
    assert.deepEqual(row.entities, { text_hash: textHash(text), model_version: modelVersion, subject_id: subject });
    assert.equal(row.features.subject_activity?.request_count_5m, 1);
    assert.equal(row.features.text_stats?.length, text.length);
  });

  test('a changed definition is a new version; metadata-only changes keep the stored values, and old versions stay readable', async () => {
    const subject = `s-${randomUUID()}`;
    await store.publishPredictions([predictionLog({ requestId: randomUUID(), subjectId: subject, predictions: [{ label: 'POSITIVE', confidence: 0.9 }] })]);
    await eventually(async () => assert.equal((await online('subject_activity', [subject])).body.results[0].status, 'found'));
    const yaml = (description: string, windows: string) => `feature_views:
  - name: subject_activity
    entity_key: subject_id
    description: ${description}
    owner: spec
    sources: [{ topic: ${store.identity.topics.predictionsLog}, schema: PredictionLog, schema_version: 1 }]
    transformation: { name: subject_activity, windows: [${windows}] }
    features: [{ name: request_count_5m, type: int64 }]
    ttl: 1d
`;
    // New groups that start at the end of the topics: they register their definitions and read nothing old.
    const latest = { FROM_BEGINNING: 'false' };
    const described = await FeatureStoreHarness.start({ identity: store.identity, env: latest, featureViewsYaml: yaml('only the words changed', '5m, 1h, 24h') });
    await described.stop(false);
    const rewindowed = await FeatureStoreHarness.start({ identity: store.identity, env: latest, featureViewsYaml: yaml('five minutes only', '5m') });
    await rewindowed.stop(false);
    const { body } = await store.get<{ latest_version: number; versions: Array<{ version: number; storage_version: number }> }>('/feature-views/subject_activity');
    assert.deepEqual(body.versions.map((v) => [v.version, v.storage_version]), [[1, 1], [2, 1], [3, 3]]);
    assert.equal((await online('subject_activity', [subject], { version: 2 })).body.results[0].features?.request_count_5m, 1, 'v2 reads v1 values');
    assert.deepEqual((await online('subject_activity', [subject], { version: 3 })).body.missing, [subject], 'v3 starts empty');
    assert.equal((await online('subject_activity', [subject], { version: 1 })).body.results[0].features?.request_count_total, 1);
    const v1 = await store.get<{ definition: { transformation: { windows: string[] } } }>('/feature-views/subject_activity/versions/1');
    assert.deepEqual(v1.body.definition.transformation.windows, ['5m', '1h', '24h']);
  });

  test('bad requests are answered 400/404 with the product error body', async () => {
    const unknownView = await online('no_such_view', ['x']);
    assert.equal(unknownView.status, 404);
    assert.match(String((unknownView.body as unknown as { message: string }).message), /feature view 'no_such_view' does not exist/);
    const badFeature = await online('subject_activity', ['x'], { features: ['shoe_size'] });
    assert.equal(badFeature.status, 400);
    assert.match(String((badFeature.body as unknown as { message: string }).message), /shoe_size not in subject_activity/);
    const empty = await online('subject_activity', []);
    assert.equal(empty.status, 400);
    assert.equal((empty.body as unknown as { error: string }).error, 'validation_error');
    assert.equal((await store.get('/feature-views/subject_activity/versions/99')).status, 404);
  });
});
