/**
 * The local broker as the platform uses it: kafkajs 2.2.4 produces, consumes, joins a group and
 * commits; the broker restarts under a connected producer; stop frees the port.
 *
 * The spec runs a private broker (own ports, own run folder) so it never restarts or stops the
 * shared one in .run/kafka that other specs and engineers use; the jar cache is shared.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Consumer, Kafka, type Producer, logLevel } from 'kafkajs';
import { type BrokerOptions, brokerStatus, restartBroker, startBroker, stopBroker } from './broker';
import { freePort, portAnswers, waitUntil } from './daemon';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

function kafkaFor(bootstrap: string): Kafka {
  return new Kafka({
    clientId: 'broker-int-spec',
    brokers: [bootstrap],
    logLevel: logLevel.WARN,
    // Enough patience to ride out a broker restart (a few seconds here).
    retry: { initialRetryTime: 300, maxRetryTime: 3_000, retries: 12 },
  });
}

/** Runs a consumer in `groupId` until it has seen `count` values, then disconnects (which commits). */
async function consumeValues(kafka: Kafka, groupId: string, topic: string, count: number): Promise<{ values: string[]; consumer: Consumer }> {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const values: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seenAll: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (seenAll = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      values.push(String(message.value));
      if (values.length >= count) seenAll();
    },
  });
  const timeout = setTimeout(seenAll, 30_000);
  await done;
  clearTimeout(timeout);
  return { values, consumer };
}

describe('local Kafka broker (tools/kafka)', { timeout: 300_000 }, () => {
  const topic = `test-${randomUUID()}`;
  const groupId = `test-group-${randomUUID()}`;
  let runDir: string;
  let port: number;
  let options: BrokerOptions;
  let kafka: Kafka;
  let producer: Producer;
  let firstPid: number | undefined;

  before(async () => {
    runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-kafka-spec-'));
    port = await freePort();
    // env {}: this spec tests the tooling itself, so KAFKA_BROKERS must not redirect it.
    options = { port, controllerPort: await freePort(), runDir, env: {}, log: () => undefined };
  });

  after(async () => {
    await producer?.disconnect().catch(() => undefined);
    await stopBroker(options);
    fs.rmSync(runDir, { recursive: true, force: true });
  });

  test('start launches a broker that kafkajs admin reaches at the printed address', async () => {
    const lines: string[] = [];
    const handle = await startBroker({ ...options, log: (line) => lines.push(line) });
    assert.equal(handle.started, true);
    assert.equal(handle.bootstrap, `127.0.0.1:${port}`);
    assert.match(lines.at(-1) ?? '', new RegExp(`ready at 127\\.0\\.0\\.1:${port}`));
    const status = await brokerStatus(options);
    assert.deepEqual([status.running, status.ready, status.pid], [true, true, handle.pid]);
    firstPid = handle.pid;
    kafka = kafkaFor(handle.bootstrap);
  });

  test('a produced message reaches a consumer group, which commits its offset', async () => {
    const admin = kafka.admin();
    await admin.connect();
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }), true);
    producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'review-1', value: 'first' }] });

    const { values, consumer } = await consumeValues(kafka, groupId, topic, 1);
    assert.deepEqual(values, ['first']);
    const [group] = (await admin.describeGroups([groupId])).groups;
    assert.equal(group.state, 'Stable');
    assert.equal(group.members.length, 1);
    await consumer.disconnect();

    const committedTotal = async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      return committed.partitions.reduce((sum, partition) => sum + Math.max(0, Number(partition.offset)), 0);
    };
    // kafkajs commits after the batch, in the background of eachMessage: give it a moment.
    await waitUntil(async () => (await committedTotal()) === 1, 10_000);
    assert.equal(await committedTotal(), 1, 'the group committed past the one message');
    await admin.disconnect();
  });

  test('start on a running broker changes nothing, and refuses to silently move it', async () => {
    const handle = await startBroker(options);
    assert.equal(handle.started, false);
    assert.equal(handle.pid, firstPid);
    await assert.rejects(startBroker({ ...options, port: port + 1 }), new RegExp(`already running on port ${port}, not ${port + 1}`));
    const status = await brokerStatus({ ...options, port: port + 1 });
    assert.deepEqual([status.bootstrap, status.ready], [`127.0.0.1:${port}`, true], 'status reports where it really runs');
  });

  test('restart keeps topics and committed offsets, and a connected producer carries on', async () => {
    const handle = await restartBroker(options);
    assert.equal(handle.started, true);
    assert.notEqual(handle.pid, firstPid);

    // The producer connected before the restart sends again without being recreated.
    await producer.send({ topic, messages: [{ key: 'review-2', value: 'second' }] });
    const { values, consumer } = await consumeValues(kafka, groupId, topic, 1);
    await consumer.disconnect();
    assert.deepEqual(values, ['second'], 'the group resumes after its committed offset');

    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] });
    assert.equal((await admin.listTopics()).includes(topic), false);
    await admin.disconnect();
  });

  test('stop ends the broker and frees its port; a second stop finds nothing', async () => {
    await producer.disconnect();
    assert.equal(await stopBroker(options), true);
    const status = await brokerStatus(options);
    assert.deepEqual([status.running, status.ready], [false, false]);
    assert.equal(await portAnswers('127.0.0.1', port), false);
    assert.equal(await stopBroker(options), false);
  });

  test('with KAFKA_BROKERS set, start uses that cluster and starts nothing', async () => {
    const unusedRunDir = path.join(os.tmpdir(), `mlops-kafka-spec-${randomUUID()}`);
    const lines: string[] = [];
    const handle = await startBroker({ runDir: unusedRunDir, env: { KAFKA_BROKERS: '127.0.0.1:19092' }, log: (line) => lines.push(line) });
    assert.deepEqual(handle, { bootstrap: '127.0.0.1:19092', started: false, external: true });
    assert.match(lines.join('\n'), /KAFKA_BROKERS is set/);
    assert.equal(fs.existsSync(unusedRunDir), false);
  });
});
