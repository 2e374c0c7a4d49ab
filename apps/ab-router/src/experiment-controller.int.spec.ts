/**
 * The experiment controller's failure paths on the real broker (KAFKA_BROKERS), with its commands
 * handed in directly: a command whose state could not be published is applied when it comes
 * again, and one that fails for a reason other than Kafka is refused instead of retried forever.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KafkaJSError, type Kafka } from 'kafkajs';
import pino from 'pino';
import { MessageProducer, createKafka } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AppMetrics } from '@mlops/observability';
import { TOPICS, type ExperimentCommand, type ExperimentEvent } from '@mlops/schemas';
import { loadAbRouterConfig } from './config';
import { ExperimentController } from './experiment-controller';
import { ExperimentRegistry } from './experiment-registry';
import type { MetricsCollector } from './metrics-collector';
import { specOf } from './spec-fixtures';

const runId = randomUUID().slice(0, 8);
const modelName = `ctl-model-${runId}`;
const logger = pino({ level: 'silent' });
const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ctl-store-'));
let kafka: Kafka;
let producer: MessageProducer;
let registry: ExperimentRegistry;
let controller: ExperimentController;
/** experiments.events as this controller sent them, and whether the next send there fails. */
const sent: ExperimentEvent[] = [];
let failNextEventSend = false;

before(async () => {
  kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: `spec-ctl-${runId}`, logger });
  producer = new MessageProducer(kafka);
  await producer.connect();
  const send = producer.send.bind(producer);
  producer.send = ((topic: string, message: { key: string; value: ExperimentEvent }) => {
    if (topic !== TOPICS.experimentsEvents.name) return send(topic, message as never);
    if (failNextEventSend) {
      failNextEventSend = false;
      return Promise.reject(new KafkaJSError('the broker is gone (spec)', { retriable: true }));
    }
    return send(topic, message as never).then(() => void sent.push(message.value));
  }) as typeof producer.send;
  registry = new ExperimentRegistry({ kafka, producer, logger, groupPrefix: `spec-ctl-${runId}` });
  await registry.start();
  const config = loadAbRouterConfig({ KAFKA_BROKERS: '127.0.0.1:1', MODEL_NAME: modelName, MODEL_STORE_DIR: storeDir, EXPERIMENTS_FILE: '', LOG_LEVEL: 'silent' });
  // Commands are handed in directly, so the collector (analysis only) is never asked.
  controller = new ExperimentController(config, { kafka, producer, logger, metrics: new AppMetrics('ab-router'), registry, collector: {} as MetricsCollector, seedExperiments: [] });
});

after(async () => {
  await registry.stop();
  await producer.disconnect();
});

function commandFor(experimentId: string, type: ExperimentCommand['type'], extra: Partial<ExperimentCommand> = {}): ExperimentCommand {
  return { schemaVersion: 1, commandId: randomUUID(), type, experimentId, requestedBy: 'spec', at: Date.now(), ...extra };
}

test('a command whose state could not be published is applied and published when it comes again', { timeout: 60_000 }, async () => {
  const experimentId = `exp-retry-${runId}`;
  const create = commandFor(experimentId, 'create', { spec: specOf({ experiment_id: experimentId, model_name: modelName }) });
  failNextEventSend = true;
  await assert.rejects(controller.handleCommand(create), KafkaJSError, 'a Kafka failure fails the batch, for kafkajs to retry');
  assert.equal(registry.get(experimentId), undefined, 'nothing is applied before the broker has it');

  await controller.handleCommand(create); // the redelivery
  const published = sent.filter((e) => e.type === 'experiment-state' && e.commandId === create.commandId);
  assert.equal(published.length, 1, 'the redelivered command publishes its state');
  assert.equal(registry.get(experimentId)?.lastCommandId, create.commandId);
});

test('a command that fails for a reason other than Kafka is refused with INTERNAL_ERROR, and the next one goes through', { timeout: 60_000 }, async () => {
  const experimentId = `exp-broken-store-${runId}`;
  const store = new ModelStore(storeDir);
  for (let i = 0; i < 2; i++) store.registerVersion(modelName, { model: new Uint8Array([8, 1]), vocab: ['[PAD]', '[UNK]'], config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' } } });
  await controller.handleCommand(commandFor(experimentId, 'create', { spec: specOf({ experiment_id: experimentId, model_name: modelName }) }));
  await controller.handleCommand(commandFor(experimentId, 'start'));
  assert.equal(registry.get(experimentId)?.status, 'running');

  fs.writeFileSync(path.join(storeDir, modelName, 'aliases.json'), '{ not json'); // e.g. a half-written file
  const promote = commandFor(experimentId, 'promote', { variant: 'treatment' });
  await controller.handleCommand(promote); // resolves: the batch moves on
  const refusal = sent.find((e) => e.type === 'command-rejected' && e.commandId === promote.commandId);
  assert.ok(refusal && refusal.type === 'command-rejected', 'the requester gets an answer');
  assert.equal(refusal.error.code, 'INTERNAL_ERROR');
  assert.equal(registry.get(experimentId)?.status, 'running', 'nothing changed');

  const stop = commandFor(experimentId, 'stop');
  await controller.handleCommand(stop);
  assert.equal(registry.get(experimentId)?.status, 'stopped', 'later commands are not held up');
});

test('two states at the same revision: the later in the topic wins, live and on replay, as compaction keeps it', { timeout: 60_000 }, async () => {
  const experimentId = `exp-two-writers-${runId}`;
  await controller.handleCommand(commandFor(experimentId, 'create', { spec: specOf({ experiment_id: experimentId, model_name: modelName }) }));
  const mine = registry.get(experimentId);
  assert.ok(mine);
  // A second leader, for a moment, publishes its own state at the same revision after ours.
  const theirs = { ...mine, updatedAt: mine.updatedAt + 1, lastCommandId: 'second-leader (spec)' };
  const event: ExperimentEvent = { schemaVersion: 1, type: 'experiment-state', experiment: theirs, at: Date.now() };
  await producer.send(TOPICS.experimentsEvents.name, { key: experimentId, value: event });
  await registry.caughtUp(10_000);
  assert.equal(registry.get(experimentId)?.lastCommandId, theirs.lastCommandId, 'the live registry keeps the later state');

  const replayed = new ExperimentRegistry({ kafka, producer, logger, groupPrefix: `spec-ctl-replay-${runId}` });
  await replayed.start();
  try {
    await replayed.caughtUp(10_000);
    assert.deepEqual(replayed.get(experimentId), registry.get(experimentId), 'a router replaying the topic agrees');
  } finally {
    await replayed.stop();
  }
});
