import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { drainServer, listen } from './ops-server';

/** One request on `agent` (a single keep-alive socket); resolves with the status and Connection header. */
function get(port: number, agent: http.Agent, route: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', path: route, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}

test('draining refuses new connections but answers a request sent on an open keep-alive connection, then closes it', async () => {
  const app = express();
  let release: () => void = () => undefined;
  app.get('/slow', (_req, res) => void new Promise<void>((r) => (release = r)).then(() => res.send('late')));
  app.get('/fast', (_req, res) => res.send('ok'));
  const server = await listen(app, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const idle = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    assert.equal((await get(port, agent, '/fast')).connection, 'keep-alive');
    assert.equal((await get(port, idle, '/fast')).status, 200);
    const inFlight = get(port, agent, '/slow');
    await new Promise((r) => setTimeout(r, 50));

    const drained = drainServer(server, 5_000);
    await assert.rejects(get(port, new http.Agent(), '/fast'), /ECONNREFUSED/, 'a new connection is refused');
    // The idle keep-alive connection is not cut under a client that sends on it now.
    assert.deepEqual(await get(port, idle, '/fast'), { status: 200, connection: 'close' });
    release();
    assert.deepEqual(await inFlight, { status: 200, connection: 'close' }, 'the accepted request is answered');
    const started = Date.now();
    await drained;
    assert.ok(Date.now() - started < 1_000, 'every connection closed after its last answer, so draining ends early');
  } finally {
    agent.destroy();
    idle.destroy();
    server.closeAllConnections();
  }
});

test('draining cuts connections still open when the time is up', async () => {
  const app = express();
  app.get('/hang', () => undefined);
  const server = await listen(app, 0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  const hung = get(port, new http.Agent({ keepAlive: true }), '/hang').catch((error: Error) => error);
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await drainServer(server, 300);
  assert.ok(Date.now() - started >= 250);
  assert.match(String(await hung), /socket hang up|ECONNRESET/);
});
