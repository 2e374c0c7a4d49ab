/**
 * The gateway's reply topic on the real broker (KAFKA_BROKERS): its own, with an hour's retention
 * instead of the broker's week, and gone after a stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ConfigResourceTypes } from 'kafkajs';
import pino from 'pino';
import { MessageProducer, createKafka } from '@mlops/messaging';
import { PlatformError, TOPICS } from '@mlops/schemas';
import { PredictionClient } from './prediction-client';
import { KAFKA_BROKERS } from './testing/gateway-harness';

const kafka = createKafka({ brokers: KAFKA_BROKERS.split(','), clientId: 'spec-reply-topic', logger: pino({ level: 'silent' }) });

test("the reply topic keeps replies an hour, in hour-long segments, and goes with its gateway", { timeout: 60_000 }, async () => {
  const producer = new MessageProducer(kafka);
  const client = new PredictionClient(kafka, producer, { instanceId: `spec-${randomUUID().slice(0, 8)}`, logger: pino({ level: 'silent' }) });
  const admin = kafka.admin();
  await admin.connect();
  await producer.connect();
  try {
    await client.start();
    const described = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: client.replyTopic, configNames: ['retention.ms', 'segment.ms'] }],
      includeSynonyms: false,
    });
    const configs = Object.fromEntries((described.resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]));
    assert.deepEqual(configs, { 'retention.ms': '3600000', 'segment.ms': '3600000' });
    await client.stop();
    assert.ok(!(await admin.listTopics()).includes(client.replyTopic), 'a stopped gateway deletes its reply topic');
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});

test('a second call under a request id still in flight is refused, and only the first is published', { timeout: 30_000 }, async () => {
  const producer = new MessageProducer(kafka);
  const published: string[] = [];
  const send = producer.send.bind(producer);
  producer.send = ((topic: string, message: { key: string; value: { requestId: string } }) => {
    if (topic === TOPICS.inferenceRequests.name) published.push(message.value.requestId);
    return send(topic, message as never);
  }) as typeof producer.send;
  const client = new PredictionClient(kafka, producer, { instanceId: `spec-${randomUUID().slice(0, 8)}`, logger: pino({ level: 'silent' }) });
  await producer.connect();
  await client.start();
  try {
    const requestId = `dup-${randomUUID()}`;
    const call = { requestId, texts: ['fine'], deadline: Date.now() + 1_000 };
    const first = client.predict(call); // nobody answers here: it runs out at its deadline
    await assert.rejects(client.predict(call), (e: unknown) => e instanceof PlatformError && e.code === 'VALIDATION_ERROR' && /already in flight/.test(e.message));
    await assert.rejects(first, (e: unknown) => e instanceof PlatformError && e.code === 'DEADLINE_EXCEEDED');
    assert.deepEqual(published, [requestId]);
  } finally {
    await client.stop();
    await producer.disconnect();
  }
});
