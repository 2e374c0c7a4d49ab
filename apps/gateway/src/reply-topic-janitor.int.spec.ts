/**
 * The reply topic janitor on the real broker (KAFKA_BROKERS): a topic whose gateway group is left
 * without members goes at the second sweep; a live gateway's, a rejoined one's, one written to
 * between sweeps and one without a gateway group stay. End to end: a gateway process killed before
 * it ever got a reply loses its topic to another gateway's sweeps; a gateway whose topic is deleted
 * under it gets it back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { MessageProducer, createKafka, deleteTopics, ensureTopics } from '@mlops/messaging';
import { replyTopicSpec } from '@mlops/schemas';
import { PredictionClient, replyGroupOf } from './prediction-client';
import { ReplyTopicJanitor } from './reply-topic-janitor';
import { KAFKA_BROKERS, freePort, spawnGateway, type GatewayProcess } from './testing/gateway-harness';

const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'spec-reply-janitor', logger: pino({ level: 'silent' }) });

/** A gateway's traces as a crash leaves them: its topic, with a reply, and its group, read up to it, with no member. */
async function crashedGateway(instanceId: string): Promise<string> {
  const spec = replyTopicSpec(instanceId);
  await ensureTopics(kafka, [spec]);
  await writeReply(spec.name);
  const consumer = kafka.consumer({ groupId: replyGroupOf(instanceId) });
  await consumer.connect();
  await consumer.subscribe({ topic: spec.name, fromBeginning: true });
  const read = new Promise<void>((resolve) => void consumer.run({ autoCommit: true, autoCommitThreshold: 1, eachMessage: async () => resolve() }));
  await read;
  await consumer.disconnect(); // commits, leaves the group: state Empty
  return spec.name;
}

async function writeReply(topic: string): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'r', value: '{}' }] });
  await producer.disconnect();
}

test('a crashed gateway’s reply topic goes at the second sweep; live, rejoined, written-to and foreign ones stay', { timeout: 120_000 }, async () => {
  const run = `janitor-${randomUUID().slice(0, 8)}`;
  const live = new PredictionClient(kafka, new MessageProducer(kafka), { instanceId: `${run}-live`, logger: pino({ level: 'silent' }) });
  await live.start();
  const crashed = await crashedGateway(`${run}-crashed`);
  const rejoining = await crashedGateway(`${run}-rejoining`);
  const writtenTo = await crashedGateway(`${run}-written`);
  const foreign = replyTopicSpec(`${run}-outside-producer`).name; // no gateway group reads it
  await ensureTopics(kafka, [{ name: foreign, key: 'request id', partitions: 1 }]);
  const janitor = new ReplyTopicJanitor({
    kafka,
    logger: pino({ level: 'silent' }),
    ownTopic: replyTopicSpec(`${run}-self`).name,
    // Other specs' gateways share this broker: to this janitor their groups do not exist.
    groupOf: (instanceId) => (instanceId.startsWith(run) ? replyGroupOf(instanceId) : `not-a-group-${randomUUID()}`),
    intervalMs: 0,
  });
  const rejoined = kafka.consumer({ groupId: replyGroupOf(`${run}-rejoining`) });
  const admin = kafka.admin();
  await admin.connect();
  try {
    assert.deepEqual(await janitor.sweep(), [], 'the first sweep only remembers suspects');
    await rejoined.connect();
    await rejoined.subscribe({ topic: rejoining, fromBeginning: false });
    await rejoined.run({ eachMessage: () => Promise.resolve() }); // nothing arrives; it only holds the group
    await waitFor(async () => (await admin.describeGroups([replyGroupOf(`${run}-rejoining`)])).groups[0]?.state === 'Stable');
    await writeReply(writtenTo);

    assert.deepEqual(await janitor.sweep(), [crashed]);
    const topics = await admin.listTopics();
    assert.ok(!topics.includes(crashed), 'the crashed gateway’s topic is gone');
    for (const kept of [live.replyTopic, rejoining, writtenTo, foreign]) assert.ok(topics.includes(kept), `${kept} is kept`);

    // The written-to topic was suspected again; quiet since, it goes at the next sweep.
    assert.deepEqual(await janitor.sweep(), [writtenTo]);
  } finally {
    await rejoined.disconnect();
    await live.stop();
    await deleteTopics(kafka, [rejoining, writtenTo, foreign]);
    await admin.disconnect();
  }
});

test('a gateway killed before any reply loses its topic to a live gateway’s sweeps', { timeout: 120_000 }, async () => {
  const run = `janitor-e2e-${randomUUID().slice(0, 8)}`;
  const killed = await spawnGateway({ INSTANCE_ID: `${run}-killed`, RATE_LIMIT_ENABLED: 'false' }, await freePort());
  await waitFor(() => fetch(`${killed.url}/ready`).then((r) => r.ok, () => false));
  killed.child.kill('SIGKILL');
  await killed.stop();
  const admin = kafka.admin();
  await admin.connect();
  let sweeper: GatewayProcess | undefined;
  try {
    // It never got a reply, so its group holds only the offset it claimed at start. Without that,
    // the broker would drop the group at its next offsets cleanup and the topic would look foreign.
    const [offsets] = await admin.fetchOffsets({ groupId: replyGroupOf(`${run}-killed`), topics: [replyTopicSpec(`${run}-killed`).name] });
    assert.deepEqual(offsets?.partitions.map((p) => p.offset), ['0']);
    sweeper = await spawnGateway({ INSTANCE_ID: `${run}-sweeper`, RATE_LIMIT_ENABLED: 'false', REPLY_TOPIC_SWEEP_MS: '3000' }, await freePort());
    // The killed member leaves at its session timeout (10 s), then two sweeps find the group empty.
    await waitFor(async () => !(await admin.listTopics()).includes(replyTopicSpec(`${run}-killed`).name), 60_000);
    assert.ok((await admin.listTopics()).includes(replyTopicSpec(`${run}-sweeper`).name), 'the sweeper keeps its own topic');
  } finally {
    await sweeper?.stop();
    await admin.disconnect();
  }
});

test('a gateway whose reply topic is deleted under it creates it again and is healthy', { timeout: 60_000 }, async () => {
  const producer = new MessageProducer(kafka);
  await producer.connect();
  const client = new PredictionClient(kafka, producer, { instanceId: `janitor-${randomUUID().slice(0, 8)}-restored`, logger: pino({ level: 'silent' }) });
  await client.start();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [client.replyTopic] });
    await waitFor(() => Promise.resolve(!client.isHealthy));
    await waitFor(async () => (await admin.listTopics()).includes(client.replyTopic));
    await waitFor(() => Promise.resolve(client.isHealthy));
  } finally {
    await client.stop();
    await producer.disconnect();
    await admin.disconnect();
  }
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
