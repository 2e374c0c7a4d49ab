/**
 * The janitor's schedule around its sweeps, with a stand-in admin whose connect can hang (the
 * sweeps themselves run against the real broker in reply-topic-janitor.int.spec.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Kafka } from 'kafkajs';
import pino from 'pino';
import { ReplyTopicJanitor } from './reply-topic-janitor';

/** A Kafka whose admin counts connects and answers an empty topic list once `release` is called. */
function stallingKafka() {
  let connects = 0;
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const kafka = {
    admin: () => ({
      connect: () => {
        connects++;
        return released;
      },
      listTopics: () => Promise.resolve([]),
      disconnect: () => Promise.resolve(),
    }),
  } as unknown as Kafka;
  return { kafka, connects: () => connects, release: () => release() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('one sweep at a time: a slow sweep delays the next instead of overlapping it', async () => {
  const broker = stallingKafka();
  const janitor = new ReplyTopicJanitor({ kafka: broker.kafka, logger: pino({ level: 'silent' }), ownTopic: 'inference.replies.me', groupOf: (id) => `gateway-${id}`, intervalMs: 20 });
  janitor.start();
  await sleep(150);
  assert.equal(broker.connects(), 1, 'no second sweep while the first hangs');
  broker.release();
  const until = Date.now() + 5_000;
  while (broker.connects() < 3 && Date.now() < until) await sleep(10);
  assert.ok(broker.connects() >= 3, `sweeps follow every ~20 ms once it returns (${broker.connects()} in 5 s)`);
  await janitor.stop();
});

test('stop does not wait long for a sweep that hangs on Kafka', async () => {
  const broker = stallingKafka();
  const janitor = new ReplyTopicJanitor({ kafka: broker.kafka, logger: pino({ level: 'silent' }), ownTopic: 'inference.replies.me', groupOf: (id) => `gateway-${id}`, intervalMs: 600_000 });
  janitor.start();
  const started = Date.now();
  await janitor.stop();
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 5_000, `stop took ${took} ms: its 1 s wait, not the hanging sweep`);
  broker.release();
});

test('interval 0 never sweeps', async () => {
  const broker = stallingKafka();
  const janitor = new ReplyTopicJanitor({ kafka: broker.kafka, logger: pino({ level: 'silent' }), ownTopic: 'inference.replies.me', groupOf: (id) => `gateway-${id}`, intervalMs: 0 });
  janitor.start();
  await sleep(50);
  assert.equal(broker.connects(), 0);
  await janitor.stop();
});
