/**
 * startServices() stops what it started, even when the caller has since pointed its children at
 * the service through KAFKA_BROKERS / REDIS_URL (as bench:serving does). Shown with Redis, the
 * quicker of the two to start; both go through the same snapshot of the environment.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, portAnswers } from './kafka/daemon';
import { stopRedis } from './redis/redis';
import { startServices } from './services';

test('stop() stops the Redis it started after the caller sets REDIS_URL', { timeout: 60_000 }, async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-services-spec-'));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  const services = await startServices({ kafka: false, redis: true }, { redis: { port, runDir, env, log: () => undefined } });
  try {
    assert.equal(services.redisUrl, `redis://127.0.0.1:${port}`);
    env.REDIS_URL = services.redisUrl;
    await services.stop();
    assert.equal(await portAnswers('127.0.0.1', port), false, 'the Redis this call started is stopped');
  } finally {
    // Whatever the outcome, no redis-server is left behind.
    await stopRedis({ port, runDir, env: { PATH: process.env.PATH }, log: () => undefined });
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});
