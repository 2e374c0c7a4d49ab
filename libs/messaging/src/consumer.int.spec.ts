/**
 * How the consumer fetches and commits, on the real broker (KAFKA_BROKERS, default 127.0.0.1:9092).
 * Pipelined mode fetches on while earlier batches are still being handled, commits only behind
 * finished work, and a stop finishes and commits what is in hand, so the next member of the group
 * starts after it. In either mode finished work is committed on a timer, not once per fetched batch
 * as kafkajs's auto-commit does, and a stop commits what finished since the last commit.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Type } from '@sinclair/typebox';
import { createKafka } from './kafka-client';
import { deleteTopics, ensureTopics } from './admin';
import { MessageProducer } from './producer';
import { HANDLER_ATTEMPTS, MessagesFailed, ValidatingConsumer, type ConsumedMessage, type ValidatingConsumerOptions } from './consumer';
import { testBrokers, testTopic } from './testing';

const kafka = createKafka({ brokers: testBrokers(), clientId: 'test-consumer', logger: pino({ level: 'silent' }) });
/** A topic per test: each reads its own from the beginning. */
const topics = { pipelined: testTopic('test-consumer-pipelined'), commits: testTopic('test-consumer-commits'), raised: testTopic('test-consumer-raised'), backlog: testTopic('test-consumer-backlog'), failing: testTopic('test-consumer-failing'), poison: testTopic('test-consumer-poison'), partial: testTopic('test-consumer-partial'), rebalance: testTopic('test-consumer-rebalance'), outage: testTopic('test-consumer-outage') };
const Numbered = Type.Object({ n: Type.Integer() });
const producer = new MessageProducer(kafka);

before(async () => {
  await ensureTopics(kafka, Object.values(topics).map((name) => ({ name, key: 'test', partitions: 1 })));
  await producer.connect();
});

after(async () => {
  await producer.disconnect();
  await deleteTopics(kafka, Object.values(topics).flatMap((name) => [name, `${name}.dlq`]));
});

async function committed(groupId: string, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return Number(partitions[0].offset);
  } finally {
    await admin.disconnect();
  }
}

function consumerOf(groupId: string, topic: string, handleBatch: (messages: ConsumedMessage<{ n: number }>[]) => Promise<void>, more: Partial<ValidatingConsumerOptions<typeof Numbered>> = {}) {
  return new ValidatingConsumer({ kafka, groupId, topics: [topic], schema: Numbered, producer, logger: pino({ level: 'silent' }), fromBeginning: true, handleBatch, ...more });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('batches are handed over while earlier ones are unfinished; commits wait for the oldest; a stop finishes and commits', async () => {
  const groupId = `test-pipelined-${randomUUID()}`;
  const held: { messages: ConsumedMessage<{ n: number }>[]; release: () => void }[] = [];
  const topic = topics.pipelined;
  // Every batch is held until the test releases it.
  const consumer = consumerOf(groupId, topic, (messages) => new Promise<void>((release) => held.push({ messages, release })), { pipeline: { maxInFlightMessages: 1_000 } });
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
    assert.ok((await committed(groupId, topic)) <= 0, 'no commit past the oldest unfinished message');

    // The stop waits for the first batch, then commits everything.
    const stopping = consumer.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    held[0].release();
    await stopping;
    assert.equal(await committed(groupId, topic), 5);
  } finally {
    for (const h of held) h.release();
    await consumer.stop().catch(() => undefined);
  }
});

test('a backlog is handed over no more than maxInFlightMessages at a time, each message once', async () => {
  const groupId = `test-backlog-${randomUUID()}`;
  const topic = topics.backlog;
  for (let n = 0; n < 60; n++) await producer.send(topic, { value: { n } });
  const handled: number[] = [];
  let inHand = 0;
  let mostInHand = 0;
  const consumer = consumerOf(
    groupId,
    topic,
    async (messages) => {
      inHand += messages.length;
      mostInHand = Math.max(mostInHand, inHand);
      await new Promise((resolve) => setTimeout(resolve, 20));
      handled.push(...messages.map((m) => m.value.n));
      inHand -= messages.length;
    },
    { pipeline: { maxInFlightMessages: 8 } },
  );
  await consumer.start();
  try {
    await until(() => handled.length >= 60, 'all 60 handled');
    assert.ok(mostInHand <= 8, `at most 8 in hand at once (${mostInHand})`);
    assert.deepEqual([...handled].sort((a, b) => a - b), Array.from({ length: 60 }, (_, n) => n), 'each message once');
  } finally {
    await consumer.stop();
  }
});

test('pipelined: the messages of a batch the handler failed on are dead-lettered and their senders told, not committed as answered', async () => {
  const groupId = `test-failing-${randomUUID()}`;
  const topic = topics.failing;
  const rejected: string[] = [];
  let handled = 0;
  const consumer = consumerOf(
    groupId,
    topic,
    async (messages) => {
      if (messages.some((m) => m.value.n === 13)) throw new Error('model session lost (spec)');
      handled += messages.length;
    },
    { pipeline: { maxInFlightMessages: 100 }, onRejected: async (message) => void rejected.push(`${message.offset}:${message.error.code}:${message.error.message}`) },
  );
  await consumer.start(); // creates the dead-letter topic
  const letters = kafka.consumer({ groupId: `${groupId}-dlq` });
  const dead: { offset: string; error: { code: string; message: string } }[] = [];
  try {
    await letters.connect();
    await letters.subscribe({ topic: `${topic}.dlq`, fromBeginning: true });
    await letters.run({ eachMessage: async ({ message }) => void dead.push(JSON.parse(message.value?.toString() ?? '{}')) });
    await producer.send(topic, { value: { n: 13 } });
    await until(() => dead.length === 1 && rejected.length === 1, 'the dead letter and the sender told');
    assert.equal(dead[0].error.code, 'INTERNAL_ERROR');
    assert.match(dead[0].error.message, /the handler failed: model session lost \(spec\)/);
    assert.match(rejected[0], /^0:INTERNAL_ERROR:/);
    await producer.send(topic, { value: { n: 14 } });
    await until(() => handled === 1, 'the next message handled');
  } finally {
    await consumer.stop();
    await letters.disconnect();
  }
});

/** Counts the consumer's group joins and crashes. */
function watchGroup(consumer: ValidatingConsumer<typeof Numbered>): { joins: () => number; crashes: () => number } {
  let joins = 0;
  let crashes = 0;
  consumer.on(consumer.events.GROUP_JOIN, () => joins++);
  consumer.on(consumer.events.CRASH, () => crashes++);
  return { joins: () => joins, crashes: () => crashes };
}

/** Reads a topic's dead letters as they come. */
async function deadLettersOf(topic: string): Promise<{ letters: { offset: string; error: { code: string; message: string } }[]; stop: () => Promise<void> }> {
  const reader = kafka.consumer({ groupId: `test-dlq-${randomUUID()}` });
  const letters: { offset: string; error: { code: string; message: string } }[] = [];
  await reader.connect();
  await reader.subscribe({ topic: `${topic}.dlq`, fromBeginning: true });
  await reader.run({ eachMessage: async ({ message }) => void letters.push(JSON.parse(message.value?.toString() ?? '{}')) });
  return { letters, stop: () => reader.disconnect() };
}

test('a message the handler keeps failing on is dead-lettered after a few attempts, in place; the rest of its batch is handled', async () => {
  const topic = topics.poison;
  const rejected: string[] = [];
  const handled: number[] = [];
  let batchesWith13 = 0;
  const consumer = consumerOf(
    `test-poison-${randomUUID()}`,
    topic,
    async (messages) => {
      if (messages.some((m) => m.value.n === 13)) {
        batchesWith13++;
        throw new TypeError('cannot handle 13 (spec)');
      }
      handled.push(...messages.map((m) => m.value.n));
    },
    { onRejected: async (message) => void rejected.push(`${message.offset}:${message.error.code}`) },
  );
  const { joins, crashes } = watchGroup(consumer);
  await consumer.start(); // creates the dead-letter topic
  const dead = await deadLettersOf(topic);
  try {
    // One produce request, so one fetched batch: 12, 13, 14.
    await Promise.all([12, 13, 14].map((n) => producer.send(topic, { value: { n } })));
    await until(() => dead.letters.length === 1 && rejected.length === 1 && handled.includes(14), 'the dead letter and the rest handled');
    assert.equal(dead.letters[0].offset, '1');
    assert.equal(dead.letters[0].error.code, 'INTERNAL_ERROR');
    assert.match(dead.letters[0].error.message, new RegExp(`the handler kept failing on it \\(${HANDLER_ATTEMPTS} attempts\\): cannot handle 13 \\(spec\\)`));
    assert.deepEqual(rejected, ['1:INTERNAL_ERROR']);
    assert.equal(batchesWith13, HANDLER_ATTEMPTS + 1, 'tried HANDLER_ATTEMPTS times in its batch, then once alone');
    assert.deepEqual([joins(), crashes()], [1, 0], 'retried in place: no crash, no rejoin');
    assert.deepEqual([...new Set(handled)].sort((a, b) => a - b), [12, 14]);
    await producer.send(topic, { value: { n: 15 } });
    await until(() => handled.includes(15), 'the partition is not blocked');
  } finally {
    await consumer.stop();
    await dead.stop();
  }
});

test('a handler that says which messages failed gets only those again; the others are handled once', async () => {
  const topic = topics.partial;
  const handled: number[] = [];
  let tries13 = 0;
  const consumer = consumerOf(`test-partial-${randomUUID()}`, topic, async (messages) => {
    const failed = messages.filter((m) => m.value.n === 13);
    handled.push(...messages.filter((m) => m.value.n !== 13).map((m) => m.value.n));
    if (failed.length > 0) {
      tries13++;
      throw new MessagesFailed(failed, new TypeError('cannot handle 13 (spec)'));
    }
  });
  await consumer.start();
  const dead = await deadLettersOf(topic);
  try {
    await Promise.all([12, 13, 14].map((n) => producer.send(topic, { value: { n } })));
    await until(() => dead.letters.length === 1, 'the dead letter');
    assert.equal(dead.letters[0].offset, '1');
    assert.match(dead.letters[0].error.message, /kept failing on it \(\d attempts\): cannot handle 13 \(spec\)$/);
    assert.deepEqual([...handled].sort((a, b) => a - b), [12, 14], 'each other message handled once');
    assert.equal(tries13, HANDLER_ATTEMPTS, 'already alone: tried HANDLER_ATTEMPTS times, not again one at a time');
  } finally {
    await consumer.stop();
    await dead.stop();
  }
});

test('a handler failing on an outage is retried for as long as it lasts, nothing dead-lettered', { timeout: 60_000 }, async () => {
  const topic = topics.outage;
  const handled: number[] = [];
  let failures = 0;
  const consumer = consumerOf(`test-outage-${randomUUID()}`, topic, async (messages) => {
    // A store away for more attempts than a poison message gets.
    if (failures < HANDLER_ATTEMPTS + 2) {
      failures++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379 (spec)'), { code: 'ECONNREFUSED' });
    }
    handled.push(...messages.map((m) => m.value.n));
  });
  const { joins, crashes } = watchGroup(consumer);
  await consumer.start();
  const dead = await deadLettersOf(topic);
  try {
    await Promise.all([1, 2].map((n) => producer.send(topic, { value: { n } })));
    await until(() => handled.includes(1) && handled.includes(2), 'both handled once the outage ends', 50_000);
    assert.equal(failures, HANDLER_ATTEMPTS + 2);
    assert.deepEqual([joins(), crashes()], [1, 0], 'waited out in place: no crash, no rejoin');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(dead.letters.length, 0);
  } finally {
    await consumer.stop();
    await dead.stop();
  }
});

test('a rebalance while a failed batch waits ends the wait: the group moves on at once, and the batch is handled once', { timeout: 60_000 }, async () => {
  const topic = topics.rebalance;
  const groupId = `test-rebalance-${randomUUID()}`;
  let outage = true;
  let tries = 0;
  const handled: string[] = [];
  const member = (name: string) =>
    consumerOf(groupId, topic, async (messages) => {
      tries++;
      if (outage) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379 (spec)'), { code: 'ECONNREFUSED' });
      handled.push(...messages.map((m) => `${name}:${m.value.n}`));
    });
  const first = member('first');
  await first.start();
  const second = member('second');
  const secondGroup = watchGroup(second);
  let starting: Promise<void> | undefined;
  try {
    await producer.send(topic, { value: { n: 1 } });
    await until(() => tries >= 2, 'the first member waiting out the outage');
    // A second member joins: the first must leave its wait for the group to rebalance (kafkajs
    // rejoins only once the batch returns; the group would otherwise wait up to its 60 s timeout).
    starting = second.start();
    await until(() => secondGroup.joins() >= 1, 'the second member in the group', 20_000);
    outage = false;
    await until(() => handled.length >= 1, 'the batch handled once the outage ends');
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(handled.length, 1, `handled once: ${handled.join(', ')}`);
  } finally {
    outage = false;
    await starting?.catch(() => undefined);
    await Promise.all([first.stop(), second.stop()]);
  }
});

test('a message per fetch is not a commit per fetch; a stop commits what finished since the last commit and what it waited for', async () => {
  const groupId = `test-commits-${randomUUID()}`;
  const handled: number[] = [];
  let batches = 0;
  let commits = 0;
  const topic = topics.commits;
  // The batch with message 43 is held until the test opens the gate.
  let entered43 = false;
  let openGate: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const consumer = consumerOf(groupId, topic, async (messages) => {
    batches++;
    if (messages.some((m) => m.value.n === 43)) {
      entered43 = true;
      await gate;
    }
    handled.push(...messages.map((m) => m.value.n));
  });
  consumer.on(consumer.events.COMMIT_OFFSETS, () => commits++);
  await consumer.start();
  try {
    // One message at a time, each sent once the one before is handled: a fetch brings one each.
    for (let n = 0; n < 40; n++) {
      await producer.send(topic, { value: { n } });
      await until(() => handled.length === n + 1, `message ${n}`);
    }
    assert.ok(batches >= 20, `the messages came in many fetches (${batches})`);
    assert.ok(commits <= batches / 4, `${commits} commits for ${batches} batches`);
    // Without a stop or another message, the timer commits all of it.
    await until(async () => (await committed(groupId, topic)) === 40, 'the timer to commit all 40', 5_000);

    // Finished just before a stop, before the timer, and one still in hand when the stop comes:
    // the stop commits the three and, once it is finished, the fourth.
    for (let n = 40; n < 43; n++) await producer.send(topic, { value: { n } });
    await until(() => handled.length === 43, 'the next three');
    await producer.send(topic, { value: { n: 43 } });
    await until(() => entered43, 'message 43 in hand');
    const stopping = consumer.stop();
    await new Promise((resolve) => setTimeout(resolve, 300));
    openGate();
    await stopping;
    assert.equal(await committed(groupId, topic), 44);
    assert.deepEqual(handled, Array.from({ length: 44 }, (_, n) => n));
  } finally {
    openGate();
    await consumer.stop().catch(() => undefined);
  }
});

test('partitions added while the group runs get a reader within metadataMaxAgeMs', { timeout: 60_000 }, async () => {
  const topic = topics.raised;
  const seen: number[] = [];
  const consumer = new ValidatingConsumer({
    kafka,
    groupId: `test-raised-${randomUUID()}`,
    topics: [topic],
    schema: Numbered,
    producer,
    logger: pino({ level: 'silent' }),
    fromBeginning: true,
    metadataMaxAgeMs: 2_000,
    handleBatch: async (messages) => void seen.push(...messages.map((m) => m.value.n)),
  });
  await consumer.start();
  // A producer of its own, so its view of the topic is fresh once the partition exists.
  const writer = kafka.producer();
  await writer.connect();
  try {
    await producer.send(topic, { value: { n: 1 } });
    await until(() => seen.includes(1), 'the message on the first partition');
    // What another app's ensureTopics does at start when KAFKA_PARTITIONS grew.
    await ensureTopics(kafka, [{ name: topic, key: 'test', partitions: 1, scalesOut: true }], { partitions: 2 });
    await writer.send({ topic, messages: [{ partition: 1, value: JSON.stringify({ n: 2 }) }] });
    await until(() => seen.includes(2), 'the message on the added partition', 30_000);
  } finally {
    await writer.disconnect();
    await consumer.stop();
  }
});
