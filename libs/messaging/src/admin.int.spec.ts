/**
 * ensureTopics on the real broker (KAFKA_BROKERS, default 127.0.0.1:9092): KAFKA_PARTITIONS sets
 * the count of the topics that scale out and of no other, and raises existing ones that have fewer.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { TopicSpec } from '@mlops/schemas';
import { createKafka } from './kafka-client';
import { deleteTopics, ensureTopics, wantedPartitions } from './admin';
import { testBrokers, testTopic } from './testing';

const kafka = createKafka({ brokers: testBrokers(), clientId: 'test-admin', logger: pino({ level: 'silent' }) });
const made: string[] = [];

/** A scale-out topic and a fixed one, named for this test alone. */
function specs(): { scaling: TopicSpec; fixed: TopicSpec } {
  const scaling = { name: testTopic('test-admin-scaling'), key: 'request id', partitions: 2, scalesOut: true };
  const fixed = { name: testTopic('test-admin-fixed'), key: 'experiment id', partitions: 1 };
  made.push(scaling.name, fixed.name);
  return { scaling, fixed };
}

async function partitions(...names: string[]): Promise<number[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    return names.map((name) => topics.find((t) => t.name === name)?.partitions.length ?? 0);
  } finally {
    await admin.disconnect();
  }
}

after(() => deleteTopics(kafka, made));

test('KAFKA_PARTITIONS sets the partitions of topics that scale out; the others keep their own', async () => {
  const { scaling, fixed } = specs();
  assert.deepEqual(await ensureTopics(kafka, [scaling, fixed], { partitions: 6 }), [scaling.name, fixed.name]);
  assert.deepEqual(await partitions(scaling.name, fixed.name), [6, 1]);
  assert.deepEqual([wantedPartitions(scaling, {}), wantedPartitions(scaling, { partitions: 0 })], [2, 2], '0 or unset keeps the table count');
});

test('an existing scale-out topic with fewer partitions is raised, and told; nothing is ever lowered', async () => {
  const { scaling, fixed } = specs();
  await ensureTopics(kafka, [scaling, fixed]);
  assert.deepEqual(await partitions(scaling.name, fixed.name), [2, 1]);

  const told: object[] = [];
  const logger = { info: (details: object) => void told.push(details) };
  assert.deepEqual(await ensureTopics(kafka, [scaling, fixed], { partitions: 5, logger }), [], 'nothing created');
  assert.deepEqual(await partitions(scaling.name, fixed.name), [5, 1]);
  assert.deepEqual(told, [{ topic: scaling.name, from: 2, to: 5 }]);

  await ensureTopics(kafka, [scaling, fixed], { partitions: 3, logger });
  assert.deepEqual(await partitions(scaling.name, fixed.name), [5, 1], 'Kafka cannot remove partitions, so a lower count leaves them');
  assert.equal(told.length, 1);
});

test('apps raising the same topic at once all succeed', async () => {
  const { scaling } = specs();
  await ensureTopics(kafka, [scaling]);
  const results = await Promise.allSettled([1, 2, 3].map(() => ensureTopics(kafka, [scaling], { partitions: 8 })));
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled'], JSON.stringify(results.filter((r) => r.status === 'rejected')));
  assert.deepEqual(await partitions(scaling.name), [8]);
});
