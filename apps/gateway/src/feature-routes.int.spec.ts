/**
 * Online features through the gateway: a real feature store (built in this process on the real
 * Kafka and Redis, materializing its own topics) behind a real gateway with API-key auth. What a
 * client sees: values with freshness for a materialized entity, missing entities reported as
 * missing, a bad body refused with its reason, the `predict` scope required, the read-only
 * definitions and lineage, /docs listing the routes, and a 503 with the reason when the feature
 * store is down or not configured.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Redis } from 'ioredis';
import { ApiKeyStore } from '@mlops/auth';
import { closeServer, listen } from '@mlops/observability';
import type { FeatureViewListResponse, LineageResponse, OnlineFeaturesResponse } from '@mlops/schemas';
// The feature store's spec harness (a spec, not shipped code: no app imports another at run time).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { FeatureStoreHarness, eventually, predictionLog } from '../../feature-store/testdata/harness';
import { REDIS_URL, cleanRedis, isolatedEnv, startInProcessGateway, type InProcessGateway } from './testing/gateway-harness';

const MINUTE = 60_000;

describe('feature store through the gateway', { timeout: 120_000 }, () => {
  const env = { ...isolatedEnv(), AUTH_MODE: 'api-key', RATE_LIMIT_ENABLED: 'false' };
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let store: FeatureStoreHarness;
  let gateway: InProcessGateway;
  let predictKey: string;
  let feedbackOnlyKey: string;

  before(async () => {
    store = await FeatureStoreHarness.start();
    gateway = await startInProcessGateway({ ...env, FEATURE_STORE_URL: store.url, FEATURE_STORE_TIMEOUT_MS: '3000' });
    const keys = new ApiKeyStore(redis, env.AUTH_API_KEY_PREFIX);
    predictKey = (await keys.create('app', ['predict'])).apiKey;
    feedbackOnlyKey = (await keys.create('labeller', ['feedback'])).apiKey;
  });

  after(async () => {
    await gateway?.stop();
    await store?.stop();
    await cleanRedis(redis, env);
    redis.disconnect();
  });

  const call = async <T = Record<string, unknown>>(method: string, path: string, options: { key?: string; body?: unknown; url?: string } = {}) => {
    const response = await fetch(`${options.url ?? gateway.url}${path}`, {
      method,
      headers: { ...(options.key ? { 'x-api-key': options.key } : {}), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
  };
  const online = (body: unknown, key = predictKey) => call<OnlineFeaturesResponse & { error?: string; message?: string }>('POST', '/features/online', { key, body });

  test('a materialized entity comes back with its values and freshness; an unknown one as missing', async () => {
    const subject = `s-${randomUUID()}`;
    const newest = Date.now() - 2 * MINUTE;
    await store.publishPredictions([
      predictionLog({ requestId: randomUUID(), subjectId: subject, predictions: [{ label: 'POSITIVE', confidence: 0.9 }], timestamp: newest - 10 * MINUTE }),
      predictionLog({ requestId: randomUUID(), subjectId: subject, predictions: [{ label: 'NEGATIVE', confidence: 0.7 }], timestamp: newest }),
    ]);
    const answer = await eventually(async () => {
      const { status, body } = await online({ feature_view: 'subject_activity', entities: [subject, 'nobody-at-all'] });
      assert.equal(status, 200, JSON.stringify(body));
      assert.equal(body.results[0].features?.request_count_1h, 2);
      return body;
    });
    assert.equal(answer.feature_view, 'subject_activity');
    assert.equal(answer.entity_key, 'subject_id');
    assert.equal(answer.results[0].status, 'found');
    assert.equal(answer.results[0].event_timestamp, new Date(newest).toISOString());
    const freshness = answer.results[0].freshness_seconds ?? -1;
    assert.ok(freshness >= 120 && freshness < 180, `freshness ${freshness} s`);
    assert.deepEqual(answer.results[1], { entity: 'nobody-at-all', status: 'missing' });
    assert.deepEqual(answer.missing, ['nobody-at-all']);
    // The same answer as the feature store's own port gives.
    const direct = await store.post<OnlineFeaturesResponse>('/features/online', { feature_view: 'subject_activity', entities: [subject, 'nobody-at-all'] });
    const withoutFreshness = (results: OnlineFeaturesResponse['results']) => results.map(({ freshness_seconds: _age, ...rest }) => rest);
    assert.deepEqual(withoutFreshness(answer.results), withoutFreshness(direct.body.results));
  });

  test('a bad body is a 400 with the reason, from the gateway or from the feature store', async () => {
    const noEntities = await online({ feature_view: 'subject_activity', entities: [] });
    assert.equal(noEntities.status, 400);
    assert.equal(noEntities.body.error, 'validation_error');
    assert.match(String(noEntities.body.message), /entities/);
    const unknownFeature = await online({ feature_view: 'subject_activity', entities: ['x'], features: ['no_such_feature'] });
    assert.equal(unknownFeature.status, 400);
    assert.match(String(unknownFeature.body.message), /no_such_feature not in subject_activity/);
    const unknownView = await online({ feature_view: 'no_such_view', entities: ['x'] });
    assert.equal(unknownView.status, 404);
    assert.equal(unknownView.body.error, 'not_found');
  });

  test('online features need the predict scope when auth is on', async () => {
    const anonymous = await call('POST', '/features/online', { body: { feature_view: 'subject_activity', entities: ['x'] } });
    assert.equal(anonymous.status, 401);
    const wrongScope = await online({ feature_view: 'subject_activity', entities: ['x'] }, feedbackOnlyKey);
    assert.equal(wrongScope.status, 403);
    assert.match(String(wrongScope.body.message), /lacks the 'predict' scope/);
  });

  test('feature views, a version and its lineage are readable through the gateway', async () => {
    const list = await call<FeatureViewListResponse>('GET', '/features/views', { key: predictKey });
    assert.equal(list.status, 200);
    assert.ok(list.body.feature_views.some((v) => v.name === 'subject_activity' && v.entity_key === 'subject_id'));
    const view = await call<{ name: string; latest_version: number }>('GET', '/features/views/subject_activity', { key: predictKey });
    assert.equal(view.status, 200);
    assert.equal(view.body.name, 'subject_activity');
    const lineage = await call<LineageResponse>('GET', `/features/views/subject_activity/versions/${view.body.latest_version}/lineage`, { key: predictKey });
    assert.equal(lineage.status, 200);
    assert.equal(lineage.body.feature_view, 'subject_activity');
    assert.ok(lineage.body.sources.length > 0);
    const badVersion = await call('GET', '/features/views/subject_activity/versions/latest/lineage', { key: predictKey });
    assert.equal(badVersion.status, 400);
    const traversal = await call('GET', `/features/views/${encodeURIComponent('../drift')}`, { key: predictKey });
    assert.equal(traversal.status, 404, 'a view name never reaches another feature-store route');
  });

  test('/openapi.json documents the feature routes with their bodies', async () => {
    const doc = await call<{ paths: Record<string, Record<string, { requestBody?: unknown; security?: unknown }>> }>('GET', '/openapi.json');
    for (const path of ['/features/online', '/features/views', '/features/views/{name}', '/features/views/{name}/versions/{version}/lineage']) assert.ok(doc.body.paths[path], path);
    assert.ok(doc.body.paths['/features/online'].post.requestBody);
    assert.ok(doc.body.paths['/features/online'].post.security, 'credentials are documented when auth is on');
  });

  test('every proxied call is counted by route template', async () => {
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    assert.match(metrics, /mlops_http_requests_total\{[^}]*route="\/features\/online"[^}]*status_code="200"/);
    assert.match(metrics, /mlops_http_requests_total\{[^}]*route="\/features\/views\/:name\/versions\/:version\/lineage"/);
  });

  test('without a feature-store URL, with the feature store down or hanging, the answer is 503 with the reason', async () => {
    const hanging = await listen(express().use(() => undefined), 0, '127.0.0.1');
    const unconfigured = await startInProcessGateway({ ...env });
    const down = await startInProcessGateway({ ...env, FEATURE_STORE_URL: 'http://127.0.0.1:1', FEATURE_STORE_TIMEOUT_MS: '1000' });
    const slow = await startInProcessGateway({ ...env, FEATURE_STORE_URL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, FEATURE_STORE_TIMEOUT_MS: '500' });
    try {
      const request = { feature_view: 'subject_activity', entities: ['x'] };
      const a = await call('POST', '/features/online', { key: predictKey, body: request, url: unconfigured.url });
      assert.equal(a.status, 503);
      assert.equal(a.body.error, 'not_ready');
      assert.match(String(a.body.message), /no feature-store URL configured/);
      assert.equal(a.headers.get('retry-after'), '5');
      const b = await call('POST', '/features/online', { key: predictKey, body: request, url: down.url });
      assert.equal(b.status, 503);
      assert.match(String(b.body.message), /the feature store at http:\/\/127\.0\.0\.1:1 did not answer \/features\/online/);
      const views = await call('GET', '/features/views', { key: predictKey, url: down.url });
      assert.equal(views.status, 503);
      const started = Date.now();
      const c = await call('POST', '/features/online', { key: predictKey, body: request, url: slow.url });
      assert.equal(c.status, 503);
      assert.match(String(c.body.message), /did not answer \/features\/online within 500 ms/);
      assert.ok(Date.now() - started < 2000, `answered after ${Date.now() - started} ms`);
    } finally {
      await unconfigured.stop();
      await down.stop();
      await slow.stop();
      hanging.closeAllConnections();
      await closeServer(hanging);
    }
  });
});
