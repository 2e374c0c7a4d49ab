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
