/**
 * Authentication and authorization against the running gateway (real Redis; Kafka not connected,
 * so a request that passes auth ends in 503 not_ready — never in 401/403). Includes the attacks:
 * alg none, HS/RS confusion, expired and not-yet-valid tokens, wrong audience, tampered signature,
 * unknown and retired keys, revoked API keys. Every denial and admin action is audited, and no
 * secret reaches the log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { ApiKeyStore } from '@mlops/auth';
import { AuditEvent, assertValid } from '@mlops/schemas';
import { REDIS_URL, cleanRedis, isolatedEnv, startInProcessGateway, type InProcessGateway } from './testing/gateway-harness';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
after(() => redis.disconnect());

async function call(gw: InProcessGateway, method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  const response = await fetch(`${gw.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const auditEvents = (gw: InProcessGateway) => gw.logLines.filter((l) => l.audit).map((l) => assertValid(AuditEvent, l.audit));

describe('API keys (AUTH_MODE=api-key)', () => {
  const env = { ...isolatedEnv(), AUTH_MODE: 'api-key', RATE_LIMIT_ENABLED: 'false' };
  let gw: InProcessGateway;
  let keys: ApiKeyStore;
  let adminKey: string;
  let predictKey: string;
  let feedbackKey: string;

  before(async () => {
    gw = await startInProcessGateway(env);
    keys = new ApiKeyStore(redis, env.AUTH_API_KEY_PREFIX);
    adminKey = (await keys.create('ops', ['admin'])).apiKey;
    predictKey = (await keys.create('app', ['predict'])).apiKey;
    feedbackKey = (await keys.create('labeller', ['feedback'])).apiKey;
  });
  after(async () => {
    await gw.stop();
    await cleanRedis(redis, env);
  });

  test('no credential on /predict is a 401 in the error shape, with WWW-Authenticate, and audited', async () => {
    const { status, body, headers } = await call(gw, 'POST', '/predict', {}, { text: 'hello' });
    assert.equal(status, 401);
    assert.equal(body.error, 'unauthorized');
    assert.match(String(body.message), /'predict' scope/);
    assert.equal(typeof body.request_id, 'string');
    assert.match(headers.get('www-authenticate') ?? '', /^Bearer/);
    const event = auditEvents(gw).find((e) => e.requestId === body.request_id);
    assert.deepEqual([event?.outcome, event?.status, event?.actor.kind, event?.action], ['denied', 401, 'anonymous', 'POST /predict']);
    assert.equal(event?.source.ip, '127.0.0.1');
  });

  test('a predict key passes (503 only because Kafka is not connected); a feedback key is 403', async () => {
    const passed = await call(gw, 'POST', '/predict', { 'x-api-key': predictKey }, { text: 'hello' });
    assert.equal(passed.status, 503, JSON.stringify(passed.body));
    const forbidden = await call(gw, 'POST', '/predict', { 'x-api-key': feedbackKey }, { text: 'hello' });
    assert.equal(forbidden.status, 403);
    assert.match(String(forbidden.body.message), /lacks the 'predict' scope/);
  });

  test('a wrong secret, a malformed key and two credentials at once are 401s; the claimed key id is audited', async () => {
    const wrong = predictKey.slice(0, -4) + (predictKey.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const bad = await call(gw, 'POST', '/predict', { 'x-api-key': wrong }, { text: 'hello' });
    assert.equal(bad.status, 401);
    assert.match(String(bad.body.message), /invalid or revoked API key/);
    const event = auditEvents(gw).find((e) => e.requestId === bad.body.request_id);
    assert.equal(event?.actor.claimed, `api-key:${predictKey.split('_')[1]}`);
    assert.equal((await call(gw, 'GET', '/model/info', { 'x-api-key': 'nope' })).status, 401);
    assert.equal((await call(gw, 'GET', '/model/info', { 'x-api-key': predictKey, authorization: 'Bearer a.b.c' })).status, 401);
  });

  test('admin endpoints need the admin scope: none → 401, predict → 403, admin → 200', async () => {
    assert.equal((await call(gw, 'GET', '/admin/keys')).status, 401);
    assert.equal((await call(gw, 'GET', '/admin/models', { 'x-api-key': predictKey })).status, 403);
    const listed = await call(gw, 'GET', '/admin/keys', { 'x-api-key': adminKey });
    assert.equal(listed.status, 200);
    const names = (listed.body.keys as { name: string }[]).map((k) => k.name).sort();
    assert.deepEqual(names, ['app', 'labeller', 'ops']);
    assert.ok(!JSON.stringify(listed.body).includes(adminKey.split('_').slice(2).join('_')), 'no secret in the listing');
    const models = await call(gw, 'GET', '/admin/models', { 'x-api-key': adminKey });
    assert.deepEqual(models.body, { default_model: 'distilbert-sentiment', models: [{ name: 'distilbert-sentiment', aliases: {}, versions: [] }] });
  });

  test('a key created through the admin API works at once and stops working when revoked', async () => {
    const created = await call(gw, 'POST', '/admin/keys', { 'x-api-key': adminKey }, { name: 'mobile app', scopes: ['predict'] });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('cache-control'), 'no-store');
    const apiKey = created.body.api_key as string;
    assert.equal((await call(gw, 'POST', '/predict', { 'x-api-key': apiKey }, { text: 'hi' })).status, 503);
    const revoked = await call(gw, 'DELETE', `/admin/keys/${created.body.key_id}`, { 'x-api-key': adminKey });
    assert.deepEqual(revoked.body, { key_id: created.body.key_id, revoked: true });
    const after = await call(gw, 'POST', '/predict', { 'x-api-key': apiKey }, { text: 'hi' });
    assert.equal(after.status, 401);
    assert.equal((await call(gw, 'DELETE', `/admin/keys/${created.body.key_id}`, { 'x-api-key': adminKey })).status, 404);
    assert.equal((await call(gw, 'POST', '/admin/keys', { 'x-api-key': adminKey }, { name: 'x', scopes: ['root'] })).status, 400);

    const events = auditEvents(gw).filter((e) => e.action.startsWith('POST /admin/keys') || e.action.startsWith('DELETE /admin/keys'));
    const creation = events.find((e) => e.requestId === created.body.request_id || e.details?.keyId === created.body.key_id);
    assert.equal(creation?.outcome, 'allowed');
    assert.deepEqual(creation?.details, { keyId: created.body.key_id, name: 'mobile app', scopes: ['predict'] });
    assert.ok(events.some((e) => e.action === 'DELETE /admin/keys/:keyId' && e.status === 404 && e.outcome === 'failed'));
    const secret = apiKey.split('_').slice(2).join('_');
    assert.ok(!gw.logLines.some((l) => JSON.stringify(l).includes(secret)), 'the new secret is never logged');
    assert.ok(!gw.logLines.some((l) => JSON.stringify(l).includes(adminKey.split('_').slice(2).join('_'))), 'the admin secret is never logged');
  });
});

describe('JWT bearer tokens (AUTH_MODE=jwt)', () => {
  const hsSecret = 'a-shared-secret-that-is-long-enough-for-hs256';
  const nextSecret = 'the-next-shared-secret-during-a-key-rotation!';
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const issuer = 'https://auth.example';
  const env = {
    ...isolatedEnv(),
    AUTH_MODE: 'jwt',
    RATE_LIMIT_ENABLED: 'false',
    AUTH_JWT_SECRET: hsSecret,
    AUTH_JWT_KEYS: JSON.stringify([
      { kid: 'rs-1', algorithm: 'RS256', key: rsa.publicKey },
      { kid: 'hs-next', algorithm: 'HS256', key: nextSecret },
    ]),
    AUTH_JWT_ISSUER: issuer,
  };
  const claims = { sub: 'alice', scope: 'predict', iss: issuer, aud: 'mlops-gateway' };
  const now = () => Math.floor(Date.now() / 1000);
  /** Signed with the AUTH_JWT_SECRET key; valid for 60 s unless the payload sets its own exp. */
  const hs = (payload: { exp?: number; [claim: string]: unknown }) => jwt.sign(payload, hsSecret, { algorithm: 'HS256', keyid: 'default', ...(payload.exp ? {} : { expiresIn: 60 }) });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  let gw: InProcessGateway;

  before(async () => {
    gw = await startInProcessGateway(env);
  });
  after(async () => {
    await gw.stop();
    await cleanRedis(redis, env);
  });

  const predictStatus = async (token: string) => (await call(gw, 'POST', '/predict', bearer(token), { text: 'hello' })).status;
  const rejects = async (token: string, message: RegExp) => {
    const { status, body } = await call(gw, 'POST', '/predict', bearer(token), { text: 'hello' });
    assert.equal(status, 401, JSON.stringify(body));
    assert.match(String(body.message), message);
    return body;
  };

  test('valid HS256 and RS256 tokens pass; an admin-scoped RS256 token reaches the admin API', async () => {
    assert.equal(await predictStatus(hs(claims)), 503);
    const rsAdmin = jwt.sign({ ...claims, scope: 'admin' }, rsa.privateKey, { algorithm: 'RS256', keyid: 'rs-1', expiresIn: 60 });
    assert.equal((await call(gw, 'GET', '/admin/models', bearer(rsAdmin))).status, 200);
    assert.equal((await call(gw, 'GET', '/admin/models', bearer(hs(claims)))).status, 403);
  });

  test('rotation: tokens under the current and the next key both pass; a retired kid does not', async () => {
    assert.equal(await predictStatus(jwt.sign(claims, nextSecret, { algorithm: 'HS256', keyid: 'hs-next', expiresIn: 60 })), 503);
    await rejects(jwt.sign(claims, 'a-retired-secret-nobody-should-accept-any-more', { algorithm: 'HS256', keyid: 'hs-old', expiresIn: 60 }), /unknown key id 'hs-old'/);
  });

  test('alg none is refused', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'default' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ ...claims, exp: now() + 60 })).toString('base64url');
    await rejects(`${header}.${payload}.`, /algorithm none is not allowed/);
  });

  test('HS/RS confusion: an HS256 token keyed with the RSA public key is refused', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: 'rs-1' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ ...claims, exp: now() + 60 })).toString('base64url');
    const signature = createHmac('sha256', rsa.publicKey).update(`${header}.${payload}`).digest('base64url');
    await rejects(`${header}.${payload}.${signature}`, /algorithm HS256 is not allowed for key 'rs-1'/);
  });

  test('expired and not-yet-valid tokens are refused past the 30 s allowance, accepted within it', async () => {
    await rejects(hs({ ...claims, exp: now() - 120 }), /jwt expired/);
    await rejects(hs({ ...claims, nbf: now() + 120 }), /jwt not active/);
    assert.equal(await predictStatus(hs({ ...claims, exp: now() - 5 })), 503);
  });

  test('wrong audience, wrong issuer and a tampered signature or payload are refused; the claimed subject is audited', async () => {
    await rejects(hs({ ...claims, aud: 'another-service' }), /audience invalid/);
    await rejects(hs({ ...claims, iss: 'https://evil.example' }), /issuer invalid/);
    const [h, p, s] = hs(claims).split('.');
    await rejects(`${h}.${p}.${s.slice(0, -3)}${s.endsWith('AAA') ? 'BBB' : 'AAA'}`, /invalid signature/);
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'mallory', scope: 'admin', exp: now() + 60 })).toString('base64url');
    const body = await rejects(`${h}.${forged}.${s}`, /invalid signature/);
    const event = auditEvents(gw).find((e) => e.requestId === body.request_id);
    assert.deepEqual(event?.actor, { kind: 'anonymous', id: 'anonymous', claimed: 'jwt:mallory' });
    assert.ok(!gw.logLines.some((l) => JSON.stringify(l).includes(s)), 'no token signature in the log');
  });

  test('a malformed Authorization header and an API key without Redis-backed keys are 401s', async () => {
    assert.equal((await call(gw, 'GET', '/model/info', { authorization: 'Basic dXNlcjpwYXNz' })).status, 401);
    assert.equal((await call(gw, 'POST', '/predict', {}, { text: 'x' })).status, 401);
  });
});

describe('open mode (AUTH_MODE=open)', () => {
  const env = { ...isolatedEnv(), RATE_LIMIT_ENABLED: 'false' };
  let gw: InProcessGateway;
  before(async () => {
    gw = await startInProcessGateway(env);
  });
  after(async () => {
    await gw.stop();
    await cleanRedis(redis, env);
  });

  test('predictions need no credential, but a bad one is still refused; admin still needs the admin scope', async () => {
    assert.equal((await call(gw, 'POST', '/predict', {}, { text: 'hello' })).status, 503);
    assert.equal((await call(gw, 'POST', '/predict', { 'x-api-key': 'mlk_0000000000000000_' + 'A'.repeat(43) }, { text: 'hello' })).status, 401);
    assert.equal((await call(gw, 'GET', '/admin/models')).status, 401);
    const admin = (await new ApiKeyStore(redis, env.AUTH_API_KEY_PREFIX).create('ops', ['admin'])).apiKey;
    assert.equal((await call(gw, 'GET', '/admin/models', { 'x-api-key': admin })).status, 200);
  });
});
