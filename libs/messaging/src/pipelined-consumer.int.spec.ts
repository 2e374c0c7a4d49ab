/**
 * The consumer's pipelined mode on the real broker (KAFKA_BROKERS, default 127.0.0.1:9092): it
 * fetches on while earlier batches are still being handled, commits only behind finished work, and
 * a stop finishes and commits what is in hand, so the next member of the group starts after it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Type } from '@sinclair/typebox';
import { createKafka } from './kafka-client';
import { deleteTopics, ensureTopics } from './admin';
import { MessageProducer } from './producer';
import { ValidatingConsumer, type ConsumedMessage } from './consumer';
import { testBrokers, testTopic } from './testing';

const kafka = createKafka({ brokers: testBrokers(), clientId: 'test-pipelined', logger: pino({ level: 'silent' }) });
const topic = testTopic('test-pipelined');
const Numbered = Type.Object({ n: Type.Integer() });
const producer = new MessageProducer(kafka);

before(async () => {
  await ensureTopics(kafka, [{ name: topic, key: 'test', partitions: 1 }]);
  await producer.connect();
});

after(async () => {
  await producer.disconnect();
  await deleteTopics(kafka, [topic, `${topic}.dlq`]);
});

async function committed(groupId: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(partitions[0].offset);
  } finally {
    await admin.disconnect();
  }
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('batches are handed over while earlier ones are unfinished; commits wait for the oldest; a stop finishes and commits', async () => {
  const groupId = `test-pipelined-${randomUUID()}`;
  const held: { messages: ConsumedMessage<{ n: number }>[]; release: () => void }[] = [];
  const consumer = new ValidatingConsumer({
    kafka,
    groupId,
    topics: [topic],
    schema: Numbered,
    producer,
    logger: pino({ level: 'silent' }),
    fromBeginning: true,
    pipeline: { maxInFlightMessages: 1_000 },
    // Every batch is held until the test releases it.
    handleBatch: (messages) => new Promise<void>((release) => held.push({ messages, release })),
  });
  await consumer.start();
  try {
    await producer.send(topic, { value: { n: 0 } });
    await until(() => held.length === 1, 'the first batch');
    for (let n = 1; n <= 4; n++) await producer.send(topic, { value: { n } });
    // The first batch is unfinished, yet the next messages arrive: the consumer fetched on.
    await until(() => held.flatMap((h) => h.messages).length === 5, 'the later messages while the first is in hand');

    // Finish everything but the first batch: nothing may be committed past it.
    for (const h of held.slice(1)) h.release();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.ok((await committed(groupId)) <= 0, 'no commit past the oldest unfinished message');

    // The stop waits for the first batch, then commits everything.
    const stopping = consumer.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    held[0].release();
    await stopping;
    assert.equal(await committed(groupId), 5);
  } finally {
    for (const h of held) h.release();
    await consumer.stop().catch(() => undefined);
  }
});
