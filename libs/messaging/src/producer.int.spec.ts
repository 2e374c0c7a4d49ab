/** The coalescing producer on the real broker (KAFKA_BROKERS, default 127.0.0.1:9092). */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createKafka } from './kafka-client';
import { deleteTopics, ensureTopics } from './admin';
import { MessageProducer, MissingTopicError } from './producer';

const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'test-producer', logger: pino({ level: 'silent' }) });
const topic = `test-producer-${randomUUID().slice(0, 8)}`;
const producer = new MessageProducer(kafka);

before(async () => {
  await ensureTopics(kafka, [{ name: topic, key: 'test', partitions: 1 }]);
  await producer.connect();
});

after(async () => {
  await producer.disconnect();
  await deleteTopics(kafka, [topic]);
});

test('a send to a missing topic fails without holding up another topic, and the next one fails at once', async () => {
  const missing = `test-missing-${randomUUID().slice(0, 8)}`;
  const started = Date.now();
  const [gone, delivered] = await Promise.allSettled([producer.send(missing, { value: { n: 1 } }), producer.send(topic, { value: { n: 2 } }).then(() => Date.now() - started)]);
  assert.equal(gone.status, 'rejected');
  assert.equal(delivered.status, 'fulfilled');
  assert.ok(delivered.status === 'fulfilled' && delivered.value < 2_000, 'the existing topic is not held up');

  const again = Date.now();
  await assert.rejects(producer.send(missing, { value: { n: 3 } }), MissingTopicError);
  assert.ok(Date.now() - again < 50, `refused in ${Date.now() - again} ms, not after a retry cycle`);
  await producer.send(topic, { value: { n: 4 } });
});

test('a topic deleted after a send does not stop sends to other topics, new or old', async () => {
  const [doomed, fresh] = [`test-doomed-${randomUUID().slice(0, 8)}`, `test-fresh-${randomUUID().slice(0, 8)}`];
  await ensureTopics(kafka, [{ name: doomed, key: 'test', partitions: 1 }]);
  await producer.send(doomed, { value: { n: 1 } });
  await deleteTopics(kafka, [doomed]);
  // kafkajs still asks the broker about the deleted topic whenever it refreshes its metadata, which
  // a send to a topic it has not seen yet forces: without a renewal, this send failed.
  await ensureTopics(kafka, [{ name: fresh, key: 'test', partitions: 1 }]);
  try {
    await producer.send(fresh, { value: { n: 2 } });
    await producer.send(topic, { value: { n: 3 } });
    await assert.rejects(producer.send(doomed, { value: { n: 4 } }));
  } finally {
    await deleteTopics(kafka, [fresh]);
  }
});

test('a deleted reply topic does not even slow the platform topics: replies have a kafkajs producer of their own', async () => {
  const [replies, fresh] = [`test-replies-${randomUUID().slice(0, 8)}`, `test-fresh-${randomUUID().slice(0, 8)}`];
  await ensureTopics(kafka, [{ name: replies, key: 'test', partitions: 1 }]);
  await producer.sendReply(replies, { value: { n: 1 } });
  await deleteTopics(kafka, [replies]);
  await ensureTopics(kafka, [{ name: fresh, key: 'test', partitions: 1 }]);
  try {
    const started = Date.now();
    await producer.send(fresh, { value: { n: 2 } });
    assert.ok(Date.now() - started < 1_000, `sent in ${Date.now() - started} ms, not after kafkajs' retries and a renewal`);
    await assert.rejects(producer.sendReply(replies, { value: { n: 3 } }));
  } finally {
    await deleteTopics(kafka, [fresh]);
  }
});

test('a reply to a topic that is gone fails fast and does not hold up a reply to a live one', async () => {
  const [gone, live] = [`test-gone-${randomUUID().slice(0, 8)}`, `test-live-${randomUUID().slice(0, 8)}`];
  await ensureTopics(kafka, [{ name: live, key: 'test', partitions: 1 }]);
  try {
    const started = Date.now();
    const [toGone, toLive] = await Promise.allSettled([
      producer.sendReply(gone, { value: { n: 1 } }),
      producer.sendReply(live, { value: { n: 2 } }).then(() => Date.now() - started),
    ]);
    assert.equal(toGone.status, 'rejected');
    assert.equal(toLive.status, 'fulfilled');
    assert.ok(toLive.status === 'fulfilled' && toLive.value < 1_000, `the live reply took ${toLive.status === 'fulfilled' ? toLive.value : '-'} ms`);
    assert.ok(Date.now() - started < 2_000, `the missing topic was known after ${Date.now() - started} ms, not after kafkajs' retry cycle`);
  } finally {
    await deleteTopics(kafka, [live]);
  }
});
