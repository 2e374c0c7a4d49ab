/**
 * Experiments on the real broker, with the ab-router built in-process: commands answered on
 * experiments.events, sticky 50/50 routing of real requests, metrics from predictions.log and
 * feedback, an automated promotion that moves the production alias in the store and announces it
 * on models.events, state that survives a restart, and a canary rolled back by its guardrail.
 *
 * Each run uses a model name and experiment ids of its own, so other routers on the same broker
 * (which see the shared topics) leave its traffic alone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { ConfigResourceTypes, type Consumer, type Kafka, type Producer } from 'kafkajs';
import { createKafka, deleteTopics, ensureTopics } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AppMetrics } from '@mlops/observability';
import {
  TOPICS,
  platformTopics,
  modelEventKey,
  type Experiment,
  type ExperimentCommand,
  type ExperimentEvent,
  type ExperimentSpec,
  type Feedback,
  type ModelEvent,
  type PredictionLog,
  type RoutedRequest,
} from '@mlops/schemas';
import { buildAbRouterApp, type AbRouterApp } from './app';
import { subjectPoint } from './assignment';
import { loadAbRouterConfig } from './config';
import { alignTopicConfig } from './topic-config';

const runId = randomUUID().slice(0, 8);
const testBrokers = () => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const modelName = `test-model-${runId}`;
const replyTopic = `test-replies-${runId}`;
const logger = pino({ level: 'silent' });
const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ab-router-store-'));
const store = new ModelStore(storeDir);
let kafka: Kafka;
let producer: Producer;
let watcher: Consumer;
let app: AbRouterApp;
let watcherJoined = false;
const events: ExperimentEvent[] = [];
const modelEvents: ModelEvent[] = [];
const routed = new Map<string, RoutedRequest>();

const config = (instance: string) =>
  loadAbRouterConfig({
    KAFKA_BROKERS: testBrokers().join(','),
    GROUP_ID: `test-ab-router-${runId}`,
    INSTANCE_ID: `test-${runId}-${instance}`,
    MODEL_NAME: modelName,
    MODEL_STORE_DIR: storeDir,
    EXPERIMENTS_FILE: '',
    ANALYSIS_INTERVAL_MS: '200',
    ASSIGNMENT_FLUSH_MS: '100',
    ASSIGNMENT_SETTLE_MS: '1000',
    LOG_LEVEL: 'silent',
  });

async function startApp(instance: string): Promise<AbRouterApp> {
  const started = buildAbRouterApp(config(instance), { kafka, logger, metrics: new AppMetrics('ab-router') });
  await started.start();
  return started;
}

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000, state: () => unknown = () => undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; state: ${JSON.stringify(state())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const send = (topic: string, messages: { key: string; value: unknown }[]) =>
  producer.send({ topic, messages: messages.map((m) => ({ key: m.key, value: JSON.stringify(m.value) })) });

async function command(type: ExperimentCommand['type'], experimentId: string, extra: Partial<ExperimentCommand> = {}): Promise<ExperimentEvent> {
  const commandId = randomUUID();
  await send(TOPICS.experimentsCommands.name, [{ key: experimentId, value: { schemaVersion: 1, commandId, type, experimentId, requestedBy: 'spec', at: Date.now(), ...extra } }]);
  // Other routers on a shared broker may refuse a command this one applied: the state answers.
  const answered = () => events.find((e) => e.type === 'experiment-state' && e.commandId === commandId);
  const refused = () => events.find((e) => e.type === 'command-rejected' && e.commandId === commandId);
  await until(`an answer to ${type}`, () => answered() ?? refused());
  await new Promise((resolve) => setTimeout(resolve, 300));
  return answered() ?? (refused() as ExperimentEvent);
}

const stateOf = (event: ExperimentEvent): Experiment => {
  assert.equal(event.type, 'experiment-state', JSON.stringify(event));
  return (event as Extract<ExperimentEvent, { type: 'experiment-state' }>).experiment;
};

function registerVersion(): string {
  return store.registerVersion(modelName, { model: new Uint8Array([8, 1]), vocab: ['[PAD]', '[UNK]'], config: { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' } } });
}

function servingEvent(version: string): ModelEvent {
  const info = { modelName, modelVersion: version, task: 'sentiment-analysis', labels: ['NEGATIVE', 'POSITIVE'], maxLength: 64, architecture: 'test', totalParameters: 1, modelSizeBytes: 2, loadedAt: Date.now() };
  return { schemaVersion: 1, type: 'version-serving', info, instanceId: `test-${runId}`, at: Date.now() };
}

/** Sends requests for subjects and returns the routed copies (the answering one per request). */
async function routeRequests(subjects: (string | undefined)[]): Promise<RoutedRequest[]> {
  const ids = subjects.map((_, i) => `test-${runId}-${randomUUID()}-${i}`);
  await send(
    TOPICS.inferenceRequests.name,
    ids.map((requestId, i) => ({
      key: requestId,
      value: { schemaVersion: 1, requestId, texts: ['fine'], modelName, ...(subjects[i] ? { subjectId: subjects[i] } : {}), deadline: Date.now() + 60_000, replyTo: { topic: replyTopic } },
    })),
  );
  await until('every request routed', () => ids.every((id) => routed.has(id)));
  return ids.map((id) => routed.get(id) as RoutedRequest);
}

/** What inference and users would publish: a prediction per routed request, feedback with the true label. */
async function scoreAndLabel(requests: RoutedRequest[], correctShare: Record<string, number>) {
  const logs: { key: string; value: PredictionLog }[] = [];
  const feedback: { key: string; value: Feedback }[] = [];
  // Count within each variant, so each variant's share of correct labels is exact whatever the
  // hash-based split of subjects happens to be.
  const seen = new Map<string, number>();
  requests.forEach((request) => {
    const variant = request.routing.variant ?? '';
    const k = seen.get(variant) ?? 0;
    seen.set(variant, k + 1);
    const correct = Math.floor((k + 1) * correctShare[variant]) > Math.floor(k * correctShare[variant]);
    logs.push({
      key: request.requestId,
      value: { schemaVersion: 1, requestId: request.requestId, modelName, modelVersion: request.modelVersion, texts: request.texts, predictions: [{ label: 'POSITIVE', confidence: 0.9 }], routing: request.routing, latencyMs: 12, timestamp: Date.now() },
    });
    feedback.push({ key: request.requestId, value: { schemaVersion: 1, requestId: request.requestId, label: correct ? 'POSITIVE' : 'NEGATIVE', timestamp: Date.now() } });
  });
  await send(TOPICS.predictionsLog.name, logs);
  await send(TOPICS.feedback.name, feedback);
}

before(async () => {
  kafka = createKafka({ brokers: testBrokers(), clientId: `test-ab-router-${runId}`, logger });
  // The spec publishes before any app has started, so it creates the platform's topics itself.
  await ensureTopics(kafka, [...platformTopics(), { name: replyTopic, key: 'request id', partitions: 1 }]);
  producer = kafka.producer();
  await producer.connect();
  const [v1, v2] = [registerVersion(), registerVersion()];
  store.setAlias(modelName, 'production', v1);
  const served: ModelEvent[] = [servingEvent(v1), servingEvent(v2), { schemaVersion: 1, type: 'alias-moved', modelName, alias: 'production', modelVersion: v1, at: Date.now() }];
  await send(TOPICS.modelsEvents.name, served.map((e) => ({ key: modelEventKey(e), value: e })));
  watcher = kafka.consumer({ groupId: `test-${runId}-watcher` });
  watcher.on(watcher.events.GROUP_JOIN, () => (watcherJoined = true));
  await watcher.connect();
  await watcher.subscribe({ topics: [TOPICS.experimentsEvents.name, TOPICS.inferenceRouted.name, TOPICS.modelsEvents.name], fromBeginning: false });
  await watcher.run({
    eachMessage: async ({ topic, message }) => {
      const value = JSON.parse(message.value?.toString() ?? 'null');
      if (topic === TOPICS.inferenceRouted.name && value.modelName === modelName && !value.routing.shadow && !routed.has(value.requestId)) routed.set(value.requestId, value);
      if (topic === TOPICS.experimentsEvents.name) events.push(value);
      if (topic === TOPICS.modelsEvents.name && value.modelName === modelName) modelEvents.push(value);
    },
  });
  await until('the watcher to join', () => watcherJoined);
  app = await startApp('a');
  await until('the catalog to see both versions', () => app.catalog.servedVersions(modelName).length === 2 && app.catalog.aliasTarget(modelName, 'production') === v1);
  await until('leadership of experiments', () => app.controller.isLeader, 20_000);
});

after(async () => {
  await app?.stop();
  const retired: ModelEvent[] = ['v1', 'v2'].map((v) => ({ schemaVersion: 1, type: 'version-retired', modelName, modelVersion: v, reason: 'test over', at: Date.now() }));
  await send(TOPICS.modelsEvents.name, retired.map((e) => ({ key: modelEventKey(e), value: e }))).catch(() => undefined);
  await watcher?.disconnect();
  await producer?.disconnect();
  await deleteTopics(kafka, [replyTopic]);
  fs.rmSync(storeDir, { recursive: true, force: true });
});

const abSpec: ExperimentSpec = {
  experiment_id: `test-ab-${runId}`,
  // Named, so routers of other runs on the same broker (other MODEL_NAMEs) leave its commands alone.
  model_name: modelName,
  control_variant: 'current',
  treatment_variants: ['challenger'],
  variants: { current: 'v1', challenger: 'v2' },
  traffic_allocation: { current: 50, challenger: 50 },
  success_metrics: ['accuracy', 'f1_score'],
  minimum_sample_size: 150,
  minimum_detectable_effect: 0.1,
  auto_decide: true,
};

test('create and start by command: each answer is the new state, tagged with the command id; a bad command is refused', async () => {
  const created = stateOf(await command('create', abSpec.experiment_id, { spec: abSpec }));
  assert.deepEqual([created.status, created.spec.model_name], ['draft', modelName]);
  const started = stateOf(await command('start', abSpec.experiment_id));
  assert.equal(started.status, 'running');
  const refused = await command('stop', `test-missing-${runId}`);
  assert.equal(refused.type, 'command-rejected');
  assert.equal(refused.type === 'command-rejected' && refused.error.code, 'NOT_FOUND');
});

let firstWave: RoutedRequest[] = [];

/**
 * 150 subjects whose hash point falls in each half of the 50/50 split. A hash split of 300 random
 * subjects is itself a sample-ratio mismatch (p < 0.001) in about 0.1% of runs, and the router
 * then (rightly) stops the experiment instead of promoting: a spec flake, not a routing fault.
 */
function balancedSubjects(experimentId: string, perVariant: number): string[] {
  const halves: string[][] = [[], []];
  for (let i = 0; halves.some((half) => half.length < perVariant); i++) {
    const subject = `subject-${i}`;
    const half = halves[subjectPoint(experimentId, subject) < 0.5 ? 0 : 1];
    if (half.length < perVariant) half.push(subject);
  }
  return [...halves[0], ...halves[1]];
}

test('real requests are split 50/50 by subject as their hash points say, and a subject keeps its variant', async () => {
  const subjects = balancedSubjects(abSpec.experiment_id, 150);
  firstWave = await routeRequests([...subjects, ...subjects]);
  const variantOf = new Map<string, string>();
  for (const [i, request] of firstWave.entries()) {
    assert.deepEqual([request.routing.reason, request.routing.experimentId], ['experiment', abSpec.experiment_id]);
    assert.equal(request.modelVersion, request.routing.variant === 'challenger' ? 'v2' : 'v1');
    const subject = subjects[i % subjects.length];
    if (variantOf.has(subject)) assert.equal(request.routing.variant, variantOf.get(subject), `${subject} changed variant`);
    variantOf.set(subject, request.routing.variant as string);
  }
  for (const [subject, variant] of variantOf) {
    assert.equal(variant, subjectPoint(abSpec.experiment_id, subject) < 0.5 ? 'current' : 'challenger', `${subject} is on the wrong side of the split`);
  }
});

test('the better challenger is promoted: production moves in the store and on models.events, with the evidence logged', async () => {
  await scoreAndLabel(firstWave, { current: 0.5, challenger: 0.9 });
  const experimentNow = () => {
    const e = app.registry.get(abSpec.experiment_id);
    return e && { status: e.status, leader: app.controller.isLeader, metrics: Object.fromEntries(Object.entries(e.metrics).map(([v, m]) => [v, [m.predictions, m.labelled, m.correct]])), decisions: e.decisions.slice(-3), recommendation: e.analysis?.recommendation };
  };
  const done = await until('the automated promotion', () => app.registry.get(abSpec.experiment_id)?.status === 'completed' && app.registry.get(abSpec.experiment_id), 30_000, experimentNow);
  assert.equal(done.liveVariant, 'challenger');
  assert.equal(store.aliases(modelName).production, 'v2');
  const moved = await until('alias-moved on models.events', () => modelEvents.find((e) => e.type === 'alias-moved' && e.modelVersion === 'v2'));
  assert.equal(moved.type === 'alias-moved' && moved.previousVersion, 'v1');
  const promoted = done.decisions.at(-1);
  assert.deepEqual([promoted?.action, promoted?.actor, promoted?.variant], ['promoted', 'auto', 'challenger']);
  const { current, challenger } = done.metrics;
  assert.equal(current.labelled + challenger.labelled, firstWave.length);
  assert.ok(Math.abs(challenger.correct / challenger.labelled - 0.9) < 0.05 && Math.abs(current.correct / current.labelled - 0.5) < 0.05);
  // Assignments count once settled (1 s here). Other routers on a shared broker may route (and
  // count) the same requests under their own instance ids, so read this router's own counts.
  const ownCounts = () => app.registry.instanceCounts(abSpec.experiment_id, `test-${runId}-a`);
  const assigned = await until('settled assignment counts', () => {
    const counts = ownCounts();
    return (counts.requests.current ?? 0) + (counts.requests.challenger ?? 0) === firstWave.length && counts;
  }, 30_000, ownCounts);
  assert.equal(assigned.requests.challenger, firstWave.filter((r) => r.routing.variant === 'challenger').length);
  // Each subject sent two requests: the sample-ratio check's units are the 150 subjects per side.
  assert.deepEqual(assigned.units, { current: 150, challenger: 150 });
  assert.match(promoted?.reason ?? '', /treatment is better \(sequential adjusted p = /);
});

test('after a restart the experiment, its metrics and its decision log are replayed from experiments.events', async () => {
  const before = app.registry.get(abSpec.experiment_id) as Experiment;
  const countsBefore = app.registry.instanceCounts(abSpec.experiment_id, `test-${runId}-a`);
  await app.stop();
  app = await startApp('b');
  const replayed = app.registry.get(abSpec.experiment_id);
  assert.equal(replayed?.status, 'completed');
  assert.deepEqual(replayed?.decisions, before.decisions);
  assert.deepEqual(app.registry.instanceCounts(abSpec.experiment_id, `test-${runId}-a`), countsBefore);
  assert.equal(countsBefore.requests.current + countsBefore.requests.challenger, firstWave.length, 'this router counted each request it routed once');
  await until('leadership again', () => app.controller.isLeader, 30_000);
});

test('a canary whose accuracy breaks its guardrail is rolled back and its traffic returns to control', async () => {
  const id = `test-canary-${runId}`;
  const spec: ExperimentSpec = {
    experiment_id: id,
    model_name: modelName,
    kind: 'canary',
    control_variant: 'stable',
    treatment_variants: ['canary'],
    variants: { stable: 'production', canary: 'v1' },
    success_metrics: ['accuracy'],
    minimum_sample_size: 100,
    ramp: [50, 100],
    ramp_step_min_samples: 1_000,
    guardrails: { max_accuracy_drop: 0.1, min_samples: 20 },
  };
  stateOf(await command('create', id, { spec }));
  stateOf(await command('start', id));
  const requests = await routeRequests(Array.from({ length: 120 }, (_, i) => `canary-subject-${i}`));
  const onCanary = requests.filter((r) => r.routing.variant === 'canary');
  assert.ok(onCanary.length > 30, `${onCanary.length} of 120 on the canary at 50%`);
  await scoreAndLabel(requests, { stable: 1, canary: 0.2 });
  const rolledBack = await until('the rollback', () => app.registry.get(id)?.status === 'rolled-back' && app.registry.get(id));
  assert.match(rolledBack.decisions.at(-1)?.reason ?? '', /guardrail broken: canary accuracy 0\.\d+ is 0\.\d+ below control \(limit 0\.1\)/);
  const [after] = await routeRequests(['canary-subject-1']);
  assert.deepEqual([after.routing.reason, after.modelVersion], ['alias', 'v2']);
});

test('a command for an experiment on another model is left to that model\'s routers', async () => {
  const experimentId = `test-foreign-${runId}`;
  const commandId = randomUUID();
  const spec = { ...abSpec, experiment_id: experimentId, model_name: `test-other-model-${runId}` };
  await send(TOPICS.experimentsCommands.name, [{ key: experimentId, value: { schemaVersion: 1, commandId, type: 'create', experimentId, spec, requestedBy: 'spec', at: Date.now() } }]);
  // A command this router did apply is answered well within this (see the specs above).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.equal(app.registry.get(experimentId), undefined);
  assert.equal(events.filter((e) => 'commandId' in e && e.commandId === commandId).length, 0, 'neither applied nor refused');
});

test('a state topic created before it was declared compacted is switched to compaction, once', async () => {
  const name = `test-state-${runId}`;
  await ensureTopics(kafka, [{ name, key: 'id', partitions: 1, config: { 'retention.ms': '3600000' } }]);
  try {
    const spec = { name, key: 'id', partitions: 1, config: { 'cleanup.policy': 'compact' } };
    assert.deepEqual(await alignTopicConfig(kafka, spec), ['cleanup.policy']);
    assert.deepEqual(await alignTopicConfig(kafka, spec), []);
    const admin = kafka.admin();
    await admin.connect();
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy', 'retention.ms'] }], includeSynonyms: false });
    await admin.disconnect();
    const configs = Object.fromEntries(described.resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    assert.deepEqual(configs, { 'cleanup.policy': 'compact', 'retention.ms': '3600000' }, 'other overrides are kept');
  } finally {
    await deleteTopics(kafka, [name]);
  }
});
