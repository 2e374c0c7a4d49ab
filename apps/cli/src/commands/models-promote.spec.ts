/** `mlops models promote` against a stand-in gateway: the request it makes, and what it prints. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '../run';
import { captureIo } from '../testing';

const seen: { method?: string; url?: string; apiKey?: string; body: string }[] = [];
let server: http.Server;
let url: string;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, apiKey: req.headers['x-api-key'] as string | undefined, body });
      const version = (JSON.parse(body) as { version: string }).version;
      res.setHeader('content-type', 'application/json');
      if (version === 'v9') {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: 'not_found', message: 'no version v9 of sentiment' }));
      } else {
        res.end(JSON.stringify({ model_name: 'sentiment', alias: 'production', version, previous_version: 'v1', moved: true }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('promote moves the alias through the gateway admin API, as an admin, and says what moved', async () => {
  const t = captureIo({ GATEWAY_URL: url, MLOPS_API_KEY: 'mlk_key' });
  assert.equal(await run(['models', 'promote', 'sentiment', 'v2', '--reason', 'weekly retrain'], t.io), 0, t.err());
  assert.deepEqual(seen.at(-1), { method: 'PUT', url: '/admin/models/sentiment/aliases/production', apiKey: 'mlk_key', body: JSON.stringify({ version: 'v2', reason: 'weekly retrain' }) });
  assert.equal(t.out(), 'sentiment production -> v2 (was v1)\n');
});

test('a refused promotion exits 1 with the gateway\'s reason; a missing version is a usage error', async () => {
  const refused = captureIo({ GATEWAY_URL: url });
  assert.equal(await run(['models', 'promote', 'sentiment', 'v9', '--alias', 'staging'], refused.io), 1);
  assert.equal(seen.at(-1)?.url, '/admin/models/sentiment/aliases/staging');
  assert.match(refused.err(), /404 not_found: no version v9 of sentiment/);
  const usage = captureIo({ GATEWAY_URL: url });
  assert.equal(await run(['models', 'promote', 'sentiment'], usage.io), 2);
  assert.match(usage.err(), /promote needs <model> and <version>/);
});
