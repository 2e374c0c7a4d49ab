/**
 * The inference app: consumes `inference.routed`, runs each request on the model version routing
 * chose, replies to the request's reply topic and logs the prediction to `predictions.log`.
 * Shadow requests are scored and logged, never answered. Built without listening or reading env
 * (main.ts does both), so specs can build it against a real broker with their own config.
 */
import type { Kafka } from 'kafkajs';
import type { Express } from 'express';
import { ModelCatalog, MessageProducer, MissingTopicError, ValidatingConsumer, ensureTopics, type ConsumedMessage, type RejectedMessage } from '@mlops/messaging';
import type { ModelStore } from '@mlops/model-registry';
import { buildOpsApp, type AppMetrics, type Logger } from '@mlops/observability';
import {
  MESSAGE_SCHEMA_VERSION,
  PlatformError,
  errorReply,
  RoutedRequest,
  TOPICS,
  modelEventKey,
  platformTopics,
  type InferenceReply,
  type ModelEvent,
  type PredictionLog,
} from '@mlops/schemas';
import { servingLayout, type InferenceConfig } from './config';
import { inferenceMetrics } from './metrics';
import { ModelPool, type PoolChange } from './model-pool';
import { RecentIds } from './recent-ids';

export interface InferenceDeps {
  kafka: Kafka;
  store: ModelStore;
  logger: Logger;
  metrics: AppMetrics;
}

export interface InferenceApp {
  opsApp: Express;
  start(): Promise<void>;
  /** Stops intake, drains queued work, sends the last replies, disconnects. */
  stop(): Promise<void>;
  pool: ModelPool;
}

/**
 * predictions.log is read by monitors, not waited on: its messages gather for up to 100 ms (or 64
 * of them) and go as one produce request, not one per batch beside each batch's replies. Every
 * request the broker handles costs it CPU the model shares (about 0.6 ms each on a 2-core machine).
 */
const PREDICTIONS_LOG_LINGER = { ms: 100, maxMessages: 64 };

export function buildInferenceApp(config: InferenceConfig, deps: InferenceDeps): InferenceApp {
  const log = deps.logger.child({ component: 'inference' });
  const metrics = inferenceMetrics(deps.metrics);
  const producer = new MessageProducer(deps.kafka, { topicLinger: { [TOPICS.predictionsLog.name]: PREDICTIONS_LOG_LINGER } });
  const answered = new RecentIds(config.dedupeWindow);
  const layout = servingLayout(config);
  const pool = new ModelPool(deps.store, { ...config, ...layout }, log, (info) => ({
    onBatch: ({ batchSize, queueMs, inferenceMs }) => {
      metrics.batchSize.observe({ model_version: info.modelVersion }, batchSize);
      metrics.compute.observe({ model_version: info.modelVersion }, inferenceMs / 1000);
      for (const q of queueMs) metrics.queueDelay.observe({ model_version: info.modelVersion }, q / 1000);
    },
  }));
  const catalog = new ModelCatalog({ kafka: deps.kafka, producer, logger: log, groupPrefix: `inference-${config.instanceId}`, onDeadLetter: (topic) => metrics.dlq.inc({ topic }) });

  const sendReply = (topic: string, partition: number | undefined, reply: InferenceReply) =>
    producer.sendReply(topic, { key: reply.requestId, value: reply, partition }).catch((error: unknown) => {
      // The requester's topic is gone or unreachable: nobody can be told; say so in the log. The
      // producer then refuses a topic gone at once for a while: those refusals (a backlog's
      // thousands) go to debug.
      log[error instanceof MissingTopicError ? 'debug' : 'warn']({ err: error, requestId: reply.requestId, topic }, 'reply could not be delivered');
    });

  async function handle(message: ConsumedMessage<RoutedRequest>): Promise<void> {
    const request = message.value;
    const { routing } = request;
    const reply = (r: InferenceReply) => (routing.shadow ? Promise.resolve() : sendReply(request.replyTo.topic, request.replyTo.partition, r));
    // What a redelivery repeats: the request id, the deadline its sender set, and which copy it is.
    // A shadow copy shares its request id with the live one, so each copy is deduplicated on its own;
    // a client that reuses its request id for a new call sends a new deadline, and is answered again.
    const copyId = `${request.requestId}@${request.deadline}@${request.modelVersion}${routing.shadow ? '/shadow' : ''}`;
    if (answered.has(copyId)) return; // a redelivery of work already answered
    if (request.deadline <= Date.now()) {
      // Nobody waits for it any more (the requester timed out): skip the work.
      metrics.requests.inc({ model_version: request.modelVersion, status: 'expired' });
      return;
    }
    const served = pool.get(request.modelName, request.modelVersion);
    try {
      // No shutdown check here: a stop lets the batch in hand finish (and commits it), so what was
      // taken from the topic is answered, not refused; intake itself stops in the consumer.
      if (!served) throw new PlatformError('MODEL_NOT_FOUND', `model ${request.modelName} version ${request.modelVersion} is not served here`);
      const result = await served.batcher.enqueue({ texts: request.texts, deadline: request.deadline });
      const completedAt = Date.now();
      answered.add(copyId);
      metrics.requests.inc({ model_version: request.modelVersion, status: 'success' });
      for (const p of result.predictions) metrics.confidence.observe({ model_version: request.modelVersion }, p.confidence);
      const log: PredictionLog = {
        schemaVersion: MESSAGE_SCHEMA_VERSION,
        requestId: request.requestId,
        modelName: request.modelName,
        modelVersion: request.modelVersion,
        texts: request.texts,
        predictions: result.predictions,
        ...(request.subjectId ? { subjectId: request.subjectId } : {}),
        routing,
        latencyMs: completedAt - (request.createdAt ?? message.timestamp),
        timestamp: completedAt,
      };
      await Promise.all([
        reply({
          schemaVersion: MESSAGE_SCHEMA_VERSION,
          requestId: request.requestId,
          ok: true,
          modelName: request.modelName,
          modelVersion: request.modelVersion,
          predictions: result.predictions,
          timings: { queueMs: result.queueMs, inferenceMs: result.inferenceMs, batchSize: result.batchSize },
          completedAt,
          deadline: request.deadline,
        }),
        producer.send(TOPICS.predictionsLog.name, { key: request.requestId, value: log }),
      ]);
    } catch (error) {
      const failure = error instanceof PlatformError ? error : new PlatformError('INTERNAL_ERROR', (error as Error).message, { cause: error });
      metrics.requests.inc({ model_version: request.modelVersion, status: 'error' });
      if (failure.code === 'INTERNAL_ERROR') log.error({ err: error, requestId: request.requestId }, 'request failed');
      await reply(errorReply(request.requestId, failure, request.deadline));
    }
  }

  /** A routed message that failed validation: tell its sender when we can find out who that is. */
  async function onRejected(rejected: RejectedMessage): Promise<void> {
    const parsed = rejected.parsed as Partial<RoutedRequest> | undefined;
    const topic = parsed?.replyTo?.topic;
    // Past its deadline nobody listens any more (its reply topic may be gone): dead-lettering is enough.
    if (typeof parsed?.deadline === 'number' && parsed.deadline <= Date.now()) return;
    if (typeof topic !== 'string' || typeof parsed?.requestId !== 'string') return;
    await sendReply(topic, undefined, errorReply(parsed.requestId, rejected.error, parsed.deadline));
  }

  const consumer = new ValidatingConsumer({
    kafka: deps.kafka,
    groupId: config.groupId,
    topics: [TOPICS.inferenceRouted.name],
    schema: RoutedRequest,
    // A new group starts at the beginning so nothing routed before it joined is lost.
    fromBeginning: true,
    producer,
    logger: log,
    sessionTimeoutMs: config.sessionTimeoutMs,
    handleBatch: async (messages) => {
      await Promise.all(messages.map(handle));
    },
    onRejected,
    onDeadLetter: (topic) => metrics.dlq.inc({ topic }),
    // Fetch on while the model computes, so the batcher holds the next batch when a session frees up.
    pipeline: { maxInFlightMessages: config.maxInFlightRequests },
  });

  async function announce(change: PoolChange): Promise<void> {
    const events: ModelEvent[] = [
      ...change.loaded.map((info): ModelEvent => ({ schemaVersion: MESSAGE_SCHEMA_VERSION, type: 'version-serving', info, instanceId: config.instanceId, at: Date.now() })),
      ...change.aliases.map((a): ModelEvent => ({ schemaVersion: MESSAGE_SCHEMA_VERSION, type: 'alias-moved', ...a, at: Date.now() })),
    ];
    for (const info of change.loaded) metrics.modelsLoaded.set({ model_name: info.modelName, model_version: info.modelVersion }, 1);
    for (const info of change.unloaded) metrics.modelsLoaded.remove({ model_name: info.modelName, model_version: info.modelVersion });
    await Promise.all(events.map((event) => producer.send(TOPICS.modelsEvents.name, { key: modelEventKey(event), value: event })));
  }

  const opsApp = buildOpsApp({
    metrics: deps.metrics,
    ready: () => ({ kafka: producer.isConnected && consumer.isHealthy, model_serving: pool.size > 0 }),
    health: () => ({ models: pool.infos().map((i) => `${i.modelName}:${i.modelVersion}`) }),
  });

  return {
    opsApp,
    pool,
    async start() {
      await ensureTopics(deps.kafka, platformTopics(), { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor, logger: log });
      await producer.connect();
      await announce(await pool.refresh());
      if (pool.size === 0) log.warn({ modelStoreDir: config.modelStoreDir }, 'no model version to serve yet; waiting for one to be registered');
      // Registrations and alias moves by others (trainer, ab-router, CLI) reload from the store.
      catalog.onEvent((event) => {
        if (event.type === 'version-serving') return;
        // A failed announcement (a broker blip) is logged too: unhandled, it would end the process.
        void pool
          .refresh()
          .then(announce)
          .catch((error: unknown) => log.error({ err: error }, 'model refresh or its announcement failed'));
      });
      await catalog.start();
      await consumer.start();
      log.info({ models: pool.infos().map((i) => `${i.modelName}:${i.modelVersion}`), ...layout }, 'inference ready');
    },
    async stop() {
      // No new fetches; the requests in hand finish and are committed. The catalog's reader stops
      // beside it (a quiet consumer's stop waits out its fetch in flight, up to a second).
      await Promise.all([consumer.stop().then(() => pool.drain()), catalog.stop()]);
      await producer.disconnect();
      await pool.dispose();
    },
  };
}
