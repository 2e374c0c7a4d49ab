/**
 * The ab-router app: consumes `inference.requests`, decides which model version answers each one
 * (see routing.ts), and forwards it to `inference.routed`. A request it cannot route gets an error
 * reply on its own reply topic; a message that is not a valid request is dead-lettered and, when
 * its reply topic can be read, answered with the validation error.
 */
import type { Kafka } from 'kafkajs';
import type { Express } from 'express';
import { ModelCatalog, MessageProducer, ValidatingConsumer, ensureTopics, type ConsumedMessage, type RejectedMessage } from '@mlops/messaging';
import { buildOpsApp, type AppMetrics, type Logger } from '@mlops/observability';
import {
  InferenceRequest,
  MESSAGE_SCHEMA_VERSION,
  PlatformError,
  TOPICS,
  platformTopics,
  type InferenceReply,
  type RoutedRequest,
} from '@mlops/schemas';
import type { AbRouterConfig } from './config';
import { route } from './routing';

export interface AbRouterDeps {
  kafka: Kafka;
  logger: Logger;
  metrics: AppMetrics;
}

export interface AbRouterApp {
  opsApp: Express;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const ROUTER_METRICS = {
  routed: { name: 'mlops_router_requests_total', type: 'counter', help: 'Requests routed, by routing reason and outcome', labelNames: ['reason', 'status'] },
  dlq: { name: 'mlops_dlq_messages_total', type: 'counter', help: 'Messages sent to a dead-letter topic', labelNames: ['topic'] },
} as const;

export function buildAbRouterApp(config: AbRouterConfig, deps: AbRouterDeps): AbRouterApp {
  const log = deps.logger.child({ component: 'ab-router' });
  const producer = new MessageProducer(deps.kafka);
  const catalog = new ModelCatalog({ kafka: deps.kafka, producer, logger: log, groupPrefix: `ab-router-${config.instanceId}` });
  const routed = deps.metrics.metric(ROUTER_METRICS.routed);
  const dlq = deps.metrics.metric(ROUTER_METRICS.dlq);

  function replyError(topic: string, partition: number | undefined, requestId: string, error: PlatformError) {
    const reply: InferenceReply = {
      schemaVersion: MESSAGE_SCHEMA_VERSION,
      requestId,
      ok: false,
      error: { code: error.code, message: error.message, retryable: error.retryable },
      completedAt: Date.now(),
    };
    return producer.send(topic, { key: requestId, value: reply, partition }).catch((e: unknown) => log.warn({ err: e, requestId, topic }, 'error reply could not be delivered'));
  }

  async function handle(message: ConsumedMessage<InferenceRequest>): Promise<void> {
    const request = message.value;
    // Past its deadline nobody waits for the answer (the requester has timed out): skip the work.
    if (request.deadline <= Date.now()) {
      routed.inc({ reason: 'none', status: 'expired' });
      return;
    }
    try {
      const targets = route(request, catalog, { modelName: config.modelName, alias: config.defaultAlias });
      await Promise.all(
        targets.map((target) => {
          const forwarded: RoutedRequest = { ...request, ...target };
          routed.inc({ reason: target.routing.reason, status: 'routed' });
          return producer.send(TOPICS.inferenceRouted.name, { key: request.requestId, value: forwarded });
        }),
      );
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error; // a broker failure: let the batch be retried
      routed.inc({ reason: 'none', status: error.code.toLowerCase() });
      await replyError(request.replyTo.topic, request.replyTo.partition, request.requestId, error);
    }
  }

  async function onRejected(rejected: RejectedMessage) {
    const parsed = rejected.parsed as Partial<InferenceRequest> | undefined;
    const topic = parsed?.replyTo?.topic;
    // Past its deadline nobody listens any more (its reply topic may be gone): dead-lettering is enough.
    if (typeof parsed?.deadline === 'number' && parsed.deadline <= Date.now()) return;
    if (typeof topic === 'string' && /^[a-zA-Z0-9._-]+$/.test(topic) && typeof parsed?.requestId === 'string') {
      await replyError(topic, undefined, parsed.requestId, rejected.error);
    }
  }

  const consumer = new ValidatingConsumer({
    kafka: deps.kafka,
    groupId: config.groupId,
    topics: [TOPICS.inferenceRequests.name],
    schema: InferenceRequest,
    // A new group starts at the beginning so requests published before it joined are not lost;
    // expired ones are skipped cheaply.
    fromBeginning: true,
    producer,
    logger: log,
    handleBatch: async (messages) => {
      await Promise.all(messages.map(handle));
    },
    onRejected,
    onDeadLetter: (topic) => dlq.inc({ topic }),
  });

  return {
    opsApp: buildOpsApp({
      metrics: deps.metrics,
      ready: () => ({ kafka: producer.isConnected && consumer.isHealthy && catalog.isHealthy, model_serving: catalog.anyServing }),
    }),
    async start() {
      await ensureTopics(deps.kafka, platformTopics(), { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor });
      await producer.connect();
      await catalog.start();
      await consumer.start();
      log.info('ab-router ready');
    },
    async stop() {
      await consumer.stop();
      await catalog.stop();
      await producer.disconnect();
    },
  };
}
