/**
 * The trigger path on the real broker: a `training.requests` message → a validated, trained,
 * exported and gated version in the store → `models.events` (version-registered, alias-moved).
 * Duplicate triggers while the run is active start nothing. Each test run has its own topics.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createKafka, deleteTopics, ensureTopics, MessageProducer } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AppMetrics } from '@mlops/observability';
import { MESSAGE_SCHEMA_VERSION, type ModelEvent, type TrainingRequest } from '@mlops/schemas';
import { dataPaths, generateSynthetic, syntheticJsonl } from '@mlops/training';
import { buildTrainerApp, type TrainerApp } from './app';
import { TrainerConfigSchema, type TrainerConfig } from './config';
import { Value } from '@sinclair/typebox/value';

const repoRoot = path.resolve(__dirname, '../../..');
const vocabFile = dataPaths(process.env, repoRoot).vocabFile;
const skip = fs.existsSync(vocabFile) ? false : `missing ${vocabFile} (set VOCAB_FILE)`;

const testBrokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const testTopic = (prefix: string) => `${prefix}-${randomUUID()}`;
const logger = pino({ level: 'warn' });
const kafka = createKafka({ brokers: testBrokers(), clientId: 'trainer-int', logger });
const topics = {
  trainingRequests: testTopic('training-requests'),
  modelsEvents: testTopic('models-events'),
  trainingTrials: testTopic('training-trials'),
  trialResults: testTopic('trial-results'),
};
const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainer-int-'));
const store = new ModelStore(path.join(workDir, 'store'));
const dataset = path.join(workDir, 'reviews.jsonl');
const modelName = `test-${randomUUID().slice(0, 8)}`;
const events: ModelEvent[] = [];
let app: TrainerApp;
let producer: MessageProducer;
let eventsConsumer: ReturnType<typeof kafka.consumer>;
let config: TrainerConfig;

before(async () => {
  if (skip) return;
  fs.writeFileSync(dataset, syntheticJsonl(generateSynthetic({ count: 1500, seed: 2 })));
  await ensureTopics(kafka, [topics.trainingRequests, topics.modelsEvents].map((name) => ({ name, key: 'model name', partitions: 1 })));
  config = Value.Default(TrainerConfigSchema, {
    kafka: { brokers: testBrokers() },
    groupId: `trainer-${randomUUID()}`,
    instanceId: 'replica-a',
    topics,
    modelStoreDir: store.rootDir,
    vocabFile,
    checkpointDir: path.join(workDir, 'checkpoints'),
    // Small and fast: the synthetic task needs little.
    trainingDefaults: { dataset, epochs: 4, learningRate: 0.05, dim: 16, bigramBuckets: 1000, maxTrainingMinutes: 1 },
  }) as TrainerConfig;
  app = buildTrainerApp(config, { kafka, logger, metrics: new AppMetrics('trainer'), store, codeCommit: 'test', workingDir: repoRoot });
  await app.start();
  producer = new MessageProducer(kafka);
  await producer.connect();
  eventsConsumer = kafka.consumer({ groupId: `events-${randomUUID()}` });
  await eventsConsumer.connect();
  await eventsConsumer.subscribe({ topic: topics.modelsEvents, fromBeginning: true });
  await eventsConsumer.run({ eachMessage: async ({ message }) => void events.push(JSON.parse(message.value?.toString() ?? '{}') as ModelEvent) });
});

after(async () => {
  if (skip) return;
  await eventsConsumer?.disconnect();
  await producer?.disconnect();
  await app?.stop();
  const created = Object.values(topics);
  await deleteTopics(kafka, [...created, ...created.map((t) => `${t}.dlq`)]).catch(() => undefined);
  fs.rmSync(workDir, { recursive: true, force: true });
});

function request(reason: TrainingRequest['reason']): TrainingRequest {
  return { schemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID(), modelName, reason, requestedAt: Date.now() };
}

async function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a training request becomes a registered production version, announced on models.events; duplicates start nothing', { skip }, async () => {
  // Three triggers for the same model at once: one run.
  for (const reason of ['manual', 'drift', 'accuracy'] as const) {
    await producer.send(topics.trainingRequests, { key: modelName, value: request(reason) });
  }
  const registered = await waitFor('version-registered', () => {
    const rejected = events.find((e) => e.type === 'version-rejected');
    if (rejected) throw new Error(`the run was rejected: ${JSON.stringify(rejected)}`);
    return events.find((e) => e.type === 'version-registered');
  });
  assert.equal((registered as { modelVersion: string }).modelVersion, 'v1');
  await waitFor('alias-moved production', () => events.find((e) => e.type === 'alias-moved' && e.alias === 'production'));
  await app.queue.idle();

  assert.deepEqual(store.listVersions(modelName), ['v1'], 'the duplicate triggers started no second run');
  assert.deepEqual(store.aliases(modelName), { candidate: 'v1', production: 'v1' });
  const version = store.readVersion(modelName, 'v1');
  assert.equal(version.manifest.status, 'registered');
  for (const file of ['model.onnx', 'vocab.txt', 'config.json', 'metrics.json', 'validation-report.json', 'lineage.json']) {
    assert.ok(fs.existsSync(path.join(version.dir, file)), `${file} is in the version`);
  }
  const lineage = store.readDocument(modelName, 'v1', 'lineage.json') as Record<string, unknown>;
  assert.equal(lineage.synthetic, true);
  assert.match(String(lineage.dataHash), /^sha256:/);
  const metrics = store.readDocument(modelName, 'v1', 'metrics.json') as { test: { accuracy: number }; parity: { maxAbsDiff: number } };
  assert.ok(metrics.test.accuracy > 0.9, `test accuracy ${metrics.test.accuracy}`);
  assert.ok(metrics.parity.maxAbsDiff <= 1e-4);
});

test('a request whose gates cannot pass is kept as rejected and announced as such', { skip }, async () => {
  const unreachable = { ...request('manual'), params: { minAccuracy: 1, maxP95LatencyMs: 0.000001 } };
  await producer.send(topics.trainingRequests, { key: modelName, value: unreachable });
  const rejected = await waitFor('version-rejected', () => events.find((e) => e.type === 'version-rejected'));
  const version = (rejected as { modelVersion: string }).modelVersion;
  assert.equal(store.readVersion(modelName, version).manifest.status, 'rejected');
  assert.match(store.readVersion(modelName, version).manifest.reasons?.join(' ') ?? '', /latency/);
  assert.equal(store.aliases(modelName).production, 'v1', 'production did not move');
});

test('a tuned request runs its trials through the trials topic and registers the best configuration, with the trials recorded', { skip }, async () => {
  const tuned = { ...request('manual'), params: { tuningTrials: 3, tuningEta: 3, epochs: 3, tuningFixed: ['bigramBuckets', 'dim', 'hiddenDim'], minAccuracy: 0.5, minF1: 0.5, maxRegression: 1 } };
  const before = events.filter((e) => e.type === 'version-registered').length;
  await producer.send(topics.trainingRequests, { key: modelName, value: tuned });
  const registered = await waitFor('the tuned version', () => events.filter((e) => e.type === 'version-registered')[before]);
  const version = (registered as { modelVersion: string }).modelVersion;
  const tuning = store.readDocument(modelName, version, 'tuning.json') as { results: { trialId: string; rung: number; worker?: string }[]; best: { overrides: Record<string, number> } };
  assert.deepEqual(tuning.results.map((r) => r.rung), [0, 0, 0, 1]);
  assert.ok(tuning.results.every((r) => r.worker === 'replica-a'), 'every trial came back through the results topic from a replica');
  const lineage = store.readDocument(modelName, version, 'lineage.json') as { params: Record<string, number> };
  assert.equal(lineage.params.learningRate, tuning.best.overrides.learningRate, 'the final run used the best trial');
});

test('a run left unfinished by a killed trainer is picked up again when a trainer starts', { skip }, async () => {
  const unfinished = { ...request('manual'), modelName: `${modelName}-resumed` };
  const runsDir = path.join(config.checkpointDir, 'runs');
  fs.mkdirSync(runsDir, { recursive: true });
  fs.writeFileSync(path.join(runsDir, `${unfinished.requestId}.json`), JSON.stringify(unfinished));
  const restarted = buildTrainerApp({ ...config, groupId: `trainer-${randomUUID()}`, instanceId: 'replica-b' }, { kafka, logger, metrics: new AppMetrics('trainer'), store, codeCommit: 'test', workingDir: repoRoot });
  await restarted.start();
  try {
    await waitFor('the resumed run', () => events.find((e) => e.type === 'version-registered' && e.modelName === unfinished.modelName));
    await restarted.queue.idle();
    assert.equal(store.aliases(unfinished.modelName).production, 'v1');
    assert.deepEqual(fs.readdirSync(runsDir), [], 'the finished run is no longer pending');
  } finally {
    await restarted.stop();
  }
});
