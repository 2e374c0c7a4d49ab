/** The coalescing producer on the real broker (KAFKA_BROKERS, default 127.0.0.1:9092). */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createKafka } from './kafka-client';
import { deleteTopics, ensureTopics } from './admin';
import { MessageProducer, MissingTopicError } from './producer';
import { testBrokers, testTopic } from './testing';

const kafka = createKafka({ brokers: testBrokers(), clientId: 'test-producer', logger: pino({ level: 'silent' }) });
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

/** A topic of its own, created now and deleted after the test. */
async function createdTopic(t: TestContext, prefix: string): Promise<string> {
  const name = testTopic(prefix);
  await ensureTopics(kafka, [{ name, key: 'test', partitions: 1 }]);
  t.after(() => deleteTopics(kafka, [name]));
  return name;
}

/** A topic the producer has sent to through `send`, then deleted, as when its requester leaves. */
async function deletedAfterSend(prefix: string, send: (topic: string) => Promise<void>): Promise<string> {
  const name = testTopic(prefix);
  await ensureTopics(kafka, [{ name, key: 'test', partitions: 1 }]);
  await send(name);
  await deleteTopics(kafka, [name]);
  return name;
}

test('a topic deleted after a send does not stop sends to other topics, new or old', async (t) => {
  const doomed = await deletedAfterSend('test-doomed', (name) => producer.send(name, { value: { n: 1 } }));
  // kafkajs still asks the broker about the deleted topic whenever it refreshes its metadata, which
  // a send to a topic it has not seen yet forces: without a renewal, this send failed.
  const fresh = await createdTopic(t, 'test-fresh');
  await producer.send(fresh, { value: { n: 2 } });
  await producer.send(topic, { value: { n: 3 } });
  await assert.rejects(producer.send(doomed, { value: { n: 4 } }));
});

test('a deleted reply topic does not even slow the platform topics: replies have a kafkajs producer of their own', async (t) => {
  const replies = await deletedAfterSend('test-replies', (name) => producer.sendReply(name, { value: { n: 1 } }));
  const fresh = await createdTopic(t, 'test-fresh');
  const started = Date.now();
  await producer.send(fresh, { value: { n: 2 } });
  assert.ok(Date.now() - started < 1_000, `sent in ${Date.now() - started} ms, not after kafkajs' retries and a renewal`);
  await assert.rejects(producer.sendReply(replies, { value: { n: 3 } }));
});

test('a reply to a topic that is gone fails fast and does not hold up a reply to a live one', async (t) => {
  const gone = testTopic('test-gone');
  const live = await createdTopic(t, 'test-live');
  const started = Date.now();
  const [toGone, toLive] = await Promise.allSettled([
    producer.sendReply(gone, { value: { n: 1 } }),
    producer.sendReply(live, { value: { n: 2 } }).then(() => Date.now() - started),
  ]);
  assert.equal(toGone.status, 'rejected');
  assert.equal(toLive.status, 'fulfilled');
  assert.ok(toLive.status === 'fulfilled' && toLive.value < 1_000, `the live reply took ${toLive.status === 'fulfilled' ? toLive.value : '-'} ms`);
  assert.ok(Date.now() - started < 2_000, `the missing topic was known after ${Date.now() - started} ms, not after kafkajs' retry cycle`);
});

test('a turn of messages larger than the broker takes in one request is sent in parts, all of them, in order', async (t) => {
  // The broker refuses a record batch over message.max.bytes (1 MiB by default), as a consumer
  // forwarding a backlog's fetch of thousands of messages in one turn would send.
  const name = await createdTopic(t, 'test-big-turn');
  const filler = 'x'.repeat(500);
  const sends = Array.from({ length: 6_000 }, (_, n) => producer.send(name, { value: { n, filler } }));
  await Promise.all(sends);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(name).finally(() => admin.disconnect());
  assert.equal(offsets[0].high, '6000');
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}` });
  t.after(() => consumer.disconnect());
  await consumer.subscribe({ topics: [name], fromBeginning: true });
  const seen: number[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push((JSON.parse(String(message.value)) as { n: number }).n);
        if (seen.length === 6_000) resolve();
      },
    });
  });
  assert.deepEqual(seen, Array.from({ length: 6_000 }, (_, n) => n));
});

test('a message the broker cannot take fails alone; the others of its turn are delivered', async (t) => {
  const name = await createdTopic(t, 'test-too-big');
  const [small, huge, after] = await Promise.allSettled([
    producer.send(name, { value: { n: 1 } }),
    producer.send(name, { value: { n: 2, filler: 'x'.repeat(2 * 1024 * 1024) } }),
    producer.send(name, { value: { n: 3 } }),
  ]);
  assert.equal(small.status, 'fulfilled');
  assert.equal(huge.status, 'rejected');
  assert.equal(after.status, 'fulfilled');
});

/** A producer whose `lingering` topic waits for company (see TopicLinger); disconnected after the test. */
async function lingeringProducer(t: TestContext, lingering: string, linger: { ms: number; maxMessages: number }): Promise<MessageProducer> {
  const lingerer = new MessageProducer(kafka, { topicLinger: { [lingering]: linger } });
  await lingerer.connect();
  t.after(() => lingerer.disconnect());
  return lingerer;
}

async function highOffset(name: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(name).finally(() => admin.disconnect());
  return offsets[0].high;
}

test('a lingering topic sends what gathered within its linger together; other topics do not wait for it', async (t) => {
  const lingering = await createdTopic(t, 'test-lingering');
  const lingerer = await lingeringProducer(t, lingering, { ms: 300, maxMessages: 100 });
  const started = performance.now();
  const at = (p: Promise<void>) => p.then(() => performance.now() - started);
  const first = at(lingerer.send(lingering, { value: { n: 1 } }));
  const other = at(lingerer.send(topic, { value: { n: 2 } }));
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = at(lingerer.send(lingering, { value: { n: 3 } }));
  const [firstMs, otherMs, secondMs] = await Promise.all([first, other, second]);
  assert.ok(firstMs >= 300, `the first lingering message went after ${firstMs.toFixed(0)} ms, before its linger`);
  assert.ok(Math.abs(secondMs - firstMs) < 50, `sent together: ${firstMs.toFixed(0)} and ${secondMs.toFixed(0)} ms`);
  assert.ok(otherMs < firstMs, `the other topic's message (${otherMs.toFixed(0)} ms) waited for the lingering one (${firstMs.toFixed(0)} ms)`);
  assert.equal(await highOffset(lingering), '2');
});

test('a lingering topic sends at once when enough messages have gathered, and a stop sends what still lingers', async (t) => {
  const lingering = await createdTopic(t, 'test-lingering-full');
  const lingerer = new MessageProducer(kafka, { topicLinger: { [lingering]: { ms: 60_000, maxMessages: 3 } } });
  await lingerer.connect();
  const started = performance.now();
  await Promise.all([1, 2, 3].map((n) => lingerer.send(lingering, { value: { n } })));
  assert.ok(performance.now() - started < 5_000, 'three messages end a linger of a minute');
  // Two more than a full set: they linger until the stop, which sends them.
  const lingered = Promise.all([4, 5].map((n) => lingerer.send(lingering, { value: { n } })));
  await lingerer.disconnect();
  await lingered;
  assert.ok(performance.now() - started < 10_000, `stopped after ${(performance.now() - started).toFixed(0)} ms, without waiting out the linger`);
  assert.equal(await highOffset(lingering), '5');
});

test('each lingering topic waits out its own linger, not one set by another topic', async (t) => {
  const slow = await createdTopic(t, 'test-lingering-slow');
  const quick = await createdTopic(t, 'test-lingering-quick');
  const lingerer = new MessageProducer(kafka, { topicLinger: { [slow]: { ms: 60_000, maxMessages: 100 }, [quick]: { ms: 50, maxMessages: 100 } } });
  await lingerer.connect();
  const started = performance.now();
  const toSlow = lingerer.send(slow, { value: { n: 1 } });
  await lingerer.send(quick, { value: { n: 2 } });
  assert.ok(performance.now() - started < 5_000, `the quick topic waited ${(performance.now() - started).toFixed(0)} ms, the slow topic's linger`);
  await lingerer.disconnect();
  await toSlow;
  assert.equal(await highOffset(slow), '1');
});
