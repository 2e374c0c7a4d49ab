/**
 * `PUT /admin/models/:model/aliases/:alias` on a gateway connected to the real broker, with a model
 * store of its own: the move lands in the store and on models.events (read back by a ModelCatalog,
 * the reader every app uses), is audited, and each refusal says why. The console's promote and
 * roll-back buttons, and inference following the move, are in tools/console-e2e.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import { ModelCatalog, MessageProducer, createKafka } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AuditEvent, assertValid, type ModelEvent } from '@mlops/schemas';
import { KAFKA_BROKERS, startInProcessGateway, type InProcessGateway } from './testing/gateway-harness';

const secret = 'a-shared-secret-for-the-alias-admin-spec';
const issuer = 'https://auth.example';
const token = (scope: string) => jwt.sign({ sub: 'alice', scope, iss: issuer, aud: 'mlops-gateway' }, secret, { algorithm: 'HS256', expiresIn: 60 });
const model = `alias-spec-${randomUUID().slice(0, 8)}`;
let storeDir: string;
let store: ModelStore;
let gw: InProcessGateway;

function registerVersion(status: 'registered' | 'rejected'): string {
  return store.registerVersion(model, {
    model: new Uint8Array([0]), // never loaded here: only the store's bookkeeping is under test
    vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'good'],
    config: { architectures: ['DistilBertForSequenceClassification'], id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, label2id: { NEGATIVE: 0, POSITIVE: 1 }, max_length: 16, vocab_size: 5 },
    status,
    ...(status === 'rejected' ? { reasons: ['accuracy 0.51 below the 0.85 gate'] } : {}),
  });
}

before(async () => {
  storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'alias-spec-store-'));
  store = new ModelStore(storeDir);
  registerVersion('registered'); // v1
  registerVersion('registered'); // v2
  registerVersion('rejected'); // v3
  store.setAlias(model, 'production', 'v1');
  gw = await startInProcessGateway({ RATE_LIMIT_ENABLED: 'false', AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: issuer, MODEL_STORE_DIR: storeDir }, { connectKafka: true });
});

after(async () => {
  await gw?.stop();
  if (storeDir) fs.rmSync(storeDir, { recursive: true, force: true });
});

async function move(route: string, body: unknown, scope = 'admin') {
  const response = await fetch(`${gw.url}/admin/models/${route}`, { method: 'PUT', headers: { authorization: `Bearer ${token(scope)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

test('only the admin scope moves an alias', async () => {
  const forbidden = await move(`${model}/aliases/production`, { version: 'v2' }, 'predict');
  assert.equal(forbidden.status, 403);
  assert.equal(store.aliases(model).production, 'v1');
});

test('promoting moves the alias in the store, announces it on models.events and audits who did it', async () => {
  const kafka = createKafka({ brokers: [KAFKA_BROKERS], clientId: `alias-spec-${model}`, logger: pino({ level: 'silent' }) });
  const producer = new MessageProducer(kafka);
  const reader = new ModelCatalog({ kafka, producer, logger: pino({ level: 'silent' }), groupPrefix: `alias-spec-${model}` });
  const announced = new Promise<ModelEvent>((resolve) => reader.onEvent((event) => event.type === 'alias-moved' && event.modelName === model && resolve(event)));
  await reader.start();
  try {
    const promoted = await move(`${model}/aliases/production`, { version: 'v2', reason: 'spec: v2 won' });
    assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
    assert.deepEqual(promoted.body, { model_name: model, alias: 'production', version: 'v2', previous_version: 'v1', moved: true });
    assert.equal(store.aliases(model).production, 'v2');
    const event = await Promise.race([announced, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no alias-moved on models.events within 15 s')), 15_000))]);
    assert.deepEqual(event.type === 'alias-moved' && [event.alias, event.modelVersion, event.previousVersion, event.reason], ['production', 'v2', 'v1', 'spec: v2 won']);
  } finally {
    await reader.stop();
  }
  const audit = gw.logLines.filter((l) => l.audit).map((l) => assertValid(AuditEvent, l.audit)).find((e) => e.target === `/admin/models/${model}/aliases/production` && e.status === 200);
  assert.ok(audit, 'the move is in the audit trail');
  assert.equal(audit.actor.id, 'alice');
  assert.deepEqual(audit.details, { modelName: model, alias: 'production', modelVersion: 'v2', previousVersion: 'v1', moved: true });
});

test('rolling back is the same move to the older version; repeating it changes nothing', async () => {
  const rolledBack = await move(`${model}/aliases/production`, { version: 'v1' });
  assert.deepEqual([rolledBack.status, rolledBack.body.previous_version, rolledBack.body.moved], [200, 'v2', true]);
  const again = await move(`${model}/aliases/production`, { version: 'v1' });
  assert.deepEqual([again.status, again.body.moved], [200, false]);
  assert.equal(store.aliases(model).production, 'v1');
});

test('unknown models and versions are 404s naming them; a rejected version and bad input are 400s saying why', async () => {
  const noModel = await move('no-such-model/aliases/production', { version: 'v1' });
  assert.deepEqual([noModel.status, noModel.body.message], [404, "the model store has no model 'no-such-model'"]);
  const noVersion = await move(`${model}/aliases/production`, { version: 'v9' });
  assert.deepEqual([noVersion.status, noVersion.body.message], [404, `model ${model} has no version 'v9'`]);
  const rejected = await move(`${model}/aliases/production`, { version: 'v3' });
  assert.equal(rejected.status, 400);
  assert.match(String(rejected.body.message), /v3 is rejected; only registered versions can take an alias/);
  const badAlias = await move(`${model}/aliases/${encodeURIComponent('prod uction')}`, { version: 'v2' });
  assert.equal(badAlias.status, 400);
  assert.match(String(badAlias.body.message), /alias 'prod uction' must be/);
  const noBody = await move(`${model}/aliases/production`, { versio: 'v2' });
  assert.equal(noBody.status, 400);
  assert.equal(store.aliases(model).production, 'v1', 'no refused move touched the store');
});

test('a gateway without MODEL_STORE_DIR answers 503 naming the setting', async () => {
  const bare = await startInProcessGateway({ RATE_LIMIT_ENABLED: 'false', AUTH_JWT_SECRET: secret, AUTH_JWT_ISSUER: issuer });
  try {
    const response = await fetch(`${bare.url}/admin/models/${model}/aliases/production`, { method: 'PUT', headers: { authorization: `Bearer ${token('admin')}`, 'content-type': 'application/json' }, body: JSON.stringify({ version: 'v2' }) });
    assert.equal(response.status, 503);
    assert.match(((await response.json()) as { message: string }).message, /set MODEL_STORE_DIR on the gateway/);
  } finally {
    await bare.stop();
  }
});
