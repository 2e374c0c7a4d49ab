/**
 * startServices() stops what it started, even when the caller has since pointed its children at
 * the service through KAFKA_BROKERS / REDIS_URL (as bench:serving does), and `fresh` services
 * (npm test's) start on empty storage. Shown with Redis, the quicker of the two to start; both go
 * through the same snapshot of the environment and the same run-folder rule.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, portAnswers } from './kafka/daemon';
import { stopRedis } from './redis/redis';
import Redis from 'ioredis';
import { startServices, testServicesOptions } from './services';

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

test('fresh services start on empty storage; others keep what an earlier run left', { timeout: 90_000 }, async () => {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-services-spec-'));
  const port = await freePort();
  const redis = { port, runDir, env: { PATH: process.env.PATH }, log: () => undefined };
  // One run: start, write a key, stop (Redis saves its snapshot on SIGTERM); returns what it read first.
  const run = async (fresh: boolean) => {
    const services = await startServices({ kafka: false, redis: true }, { redis, fresh });
    const client = new Redis(services.redisUrl, { maxRetriesPerRequest: 1 });
    try {
      const before = await client.get('left-by-an-earlier-run');
      await client.set('left-by-an-earlier-run', 'yes');
      return before;
    } finally {
      client.disconnect();
      await services.stop();
    }
  };
  try {
    assert.equal(await run(false), null, 'a new run folder starts empty');
    assert.equal(await run(false), 'yes', "a shared service keeps an earlier run's data");
    assert.equal(await run(true), null, "a fresh service does not see an earlier run's data");
  } finally {
    await stopRedis(redis);
    fs.rmSync(runDir, { recursive: true, force: true });
  }
});

test('fresh services need a run folder of their own, never the shared default one', async () => {
  await assert.rejects(startServices({ kafka: false, redis: true }, { fresh: true }), /fresh services need a runDir of their own/);
});

test("npm test's services share no port or run folder with npm start's", () => {
  const { kafka, redis, fresh } = testServicesOptions({});
  assert.equal(fresh, true);
  assert.deepEqual([kafka.port, kafka.controllerPort, redis.port], [19092, 19093, 16479]);
  for (const runDir of [kafka.runDir, redis.runDir]) assert.match(runDir ?? '', /[/\\]\.run[/\\]test[/\\]/);
  const moved = testServicesOptions({ TEST_KAFKA_PORT: '29092', TEST_REDIS_PORT: '26479' });
  assert.deepEqual([moved.kafka.port, moved.redis.port], [29092, 26479]);
});
