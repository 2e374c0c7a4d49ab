/**
 * The local Redis as the platform uses it: ioredis sets and gets, data survives a stop and start,
 * stop frees the port. A private instance (own port, own run folder) leaves the shared one alone.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Redis from 'ioredis';
import { freePort, portAnswers } from '../kafka/daemon';
import { type RedisOptions, redisStatus, startRedis, stopRedis } from './redis';

async function withClient<T>(redisUrl: string, use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    return await use(client);
  } finally {
    client.disconnect();
  }
}

describe('local Redis (tools/redis)', { timeout: 120_000 }, () => {
  const key = `test-${randomUUID()}`;
  let runDir: string;
  let port: number;
  let options: RedisOptions;
  let redisUrl: string;

  before(async () => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-redis-spec-'));
    port = await freePort();
    // Only PATH from the environment: REDIS_URL must not redirect a test of the tooling itself.
    options = { port, runDir, env: { PATH: process.env.PATH }, log: () => undefined };
  });

  after(async () => {
    await stopRedis(options);
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  test('start launches redis-server that answers PING at the printed address', async () => {
    const lines: string[] = [];
    const handle = await startRedis({ ...options, log: (line) => lines.push(line) });
    assert.equal(handle.started, true);
    redisUrl = handle.redisUrl;
    assert.equal(redisUrl, `redis://127.0.0.1:${port}`);
    assert.match(lines.join('\n'), new RegExp(`ready at redis://127\\.0\\.0\\.1:${port}`));
    assert.equal(await withClient(redisUrl, (client) => client.ping()), 'PONG');
    assert.equal((await startRedis(options)).started, false, 'a second start is a no-op');
    await assert.rejects(startRedis({ ...options, port: port + 1 }), new RegExp(`already running on port ${port}, not ${port + 1}`));
    assert.equal((await redisStatus({ ...options, port: port + 1 })).redisUrl, redisUrl, 'status reports where it really runs');
  });

  test('a value set is read back, and survives a stop and start', async () => {
    await withClient(redisUrl, (client) => client.set(key, 'POSITIVE'));
    assert.equal(await withClient(redisUrl, (client) => client.get(key)), 'POSITIVE');
    assert.equal(await stopRedis(options), true);
    assert.equal((await startRedis(options)).started, true);
    assert.equal(await withClient(redisUrl, (client) => client.get(key)), 'POSITIVE');
    await withClient(redisUrl, (client) => client.del(key));
  });

  test('stop ends redis-server and frees its port; a second stop finds nothing', async () => {
    assert.equal(await stopRedis(options), true);
    const status = await redisStatus(options);
    assert.deepEqual([status.running, status.ready], [false, false]);
    assert.equal(await portAnswers('127.0.0.1', port), false);
    assert.equal(await stopRedis(options), false);
  });

  test('with REDIS_URL set, start uses that server and starts nothing', async () => {
    const handle = await startRedis({ ...options, env: { REDIS_URL: 'redis://127.0.0.1:16379' } });
    assert.deepEqual(handle, { redisUrl: 'redis://127.0.0.1:16379', started: false, external: true });
    assert.equal(fs.existsSync(path.join(runDir, 'redis.pid')), false);
  });

  test('without redis-server on PATH, start names the package to install', async () => {
    await assert.rejects(startRedis({ ...options, env: { PATH: runDir } }), /apt-get install -y redis-server/);
  });
});
