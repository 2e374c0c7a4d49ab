/**
 * The ab-router app: consumes `inference.requests`, decides which model version answers each one
 * (see routing.ts: pins, running experiments and rollouts, the default alias), and forwards it to
 * `inference.routed`. A request it cannot route gets an error reply on its own reply topic; a
 * message that is not a valid request is dead-lettered and, when its reply topic can be read,
 * answered with the validation error.
 *
 * Experiments: the registry replays their state, the collector their metrics, the counter
 * publishes this instance's assignments, and the controller (on the leading replica) applies
 * commands and takes the automated decisions.
 */
import type { Kafka } from 'kafkajs';
import type { Express } from 'express';
import { ModelCatalog, MessageProducer, MessagesFailed, MissingTopicError, ValidatingConsumer, ensureTopics, type ConsumedMessage, type RejectedMessage } from '@mlops/messaging';
import { METRICS, buildOpsApp, type AppMetrics, type Logger } from '@mlops/observability';
import {
  InferenceRequest,
  PlatformError,
  errorReply,
  TOPICS,
  platformTopics,
  type ExperimentSpec,
  type RoutedRequest,
} from '@mlops/schemas';
import { AssignmentCounter } from './assignment-counter';
import type { AbRouterConfig } from './config';
import { ExperimentController } from './experiment-controller';
import { ExperimentRegistry } from './experiment-registry';
import { MetricsCollector } from './metrics-collector';
import { route } from './routing';
import { alignTopicConfig } from './topic-config';

export interface AbRouterDeps {
  kafka: Kafka;
  logger: Logger;
  metrics: AppMetrics;
  /** Experiments of the YAML file, created by the leader when the platform does not know them. */
  seedExperiments?: readonly ExperimentSpec[];
  /** Uniform in [0, 1) for anonymous assignment; Math.random by default. */
  random?: () => number;
  now?: () => number;
}

export interface AbRouterApp {
  opsApp: Express;
  catalog: ModelCatalog;
  registry: ExperimentRegistry;
  controller: ExperimentController;
  collector: MetricsCollector;
  counter: AssignmentCounter;
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
  const assignments = deps.metrics.metric(METRICS.experimentAssignments);
  const groupPrefix = `ab-router-${config.instanceId}`;
  const registry = new ExperimentRegistry({ kafka: deps.kafka, producer, logger: log, groupPrefix });
  const collector = new MetricsCollector({ kafka: deps.kafka, producer, logger: log, metrics: deps.metrics, groupPrefix, maxJoinedRequests: config.maxJoinedRequests });
  const counter = new AssignmentCounter({ registry, producer, instanceId: config.instanceId, settleMs: config.assignmentSettleMs, onAssigned: (experiment, variant) => assignments.inc({ experiment, variant }) });
  registry.onEvent((event) => {
    if (event.type === 'experiment-state' && event.experiment.status !== 'running') counter.forgetSubjects(event.experiment.experimentId);
  });
  const controller = new ExperimentController(config, { kafka: deps.kafka, producer, logger: log, metrics: deps.metrics, registry, collector, seedExperiments: deps.seedExperiments ?? [], now: deps.now });
  const routeDefaults = { modelName: config.modelName, alias: config.defaultAlias, experiments: registry, random: deps.random };
  let flushTimer: NodeJS.Timeout | undefined;

  function replyError(topic: string, partition: number | undefined, requestId: string, error: PlatformError, deadline: unknown) {
    return producer
      .sendReply(topic, { key: requestId, value: errorReply(requestId, error, deadline), partition })
      // The producer refuses a topic found gone at once for a while: those refusals go to debug.
      .catch((e: unknown) => log[e instanceof MissingTopicError ? 'debug' : 'warn']({ err: e, requestId, topic }, 'error reply could not be delivered'));
  }

  async function handle(message: ConsumedMessage<InferenceRequest>): Promise<void> {
    const request = message.value;
    // Past its deadline nobody waits for the answer (the requester has timed out): skip the work.
    if (request.deadline <= Date.now()) {
      routed.inc({ reason: 'none', status: 'expired' });
      return;
    }
    try {
      const targets = route(request, catalog, routeDefaults);
      await Promise.all(
        targets.map(async (target) => {
          const forwarded: RoutedRequest = { ...request, ...target };
          await producer.send(TOPICS.inferenceRouted.name, { key: request.requestId, value: forwarded });
          // Counted once forwarded: a failed send retries the batch, which would count it again.
          routed.inc({ reason: target.routing.reason, status: 'routed' });
          if (target.routing.experimentId && target.routing.variant) counter.count(target.routing.experimentId, target.routing.variant, request.subjectId);
        }),
      );
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error; // a broker failure: let the batch be retried
      routed.inc({ reason: 'none', status: error.code.toLowerCase() });
      await replyError(request.replyTo.topic, request.replyTo.partition, request.requestId, error, request.deadline);
    }
  }

  async function onRejected(rejected: RejectedMessage) {
    const parsed = rejected.parsed as Partial<InferenceRequest> | undefined;
    const topic = parsed?.replyTo?.topic;
    // Past its deadline nobody listens any more (its reply topic may be gone): dead-lettering is enough.
    if (typeof parsed?.deadline === 'number' && parsed.deadline <= Date.now()) return;
    if (typeof topic === 'string' && /^[a-zA-Z0-9._-]+$/.test(topic) && typeof parsed?.requestId === 'string') {
      await replyError(topic, undefined, parsed.requestId, rejected.error, parsed.deadline);
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
      // A request forwarded already is not forwarded again when another of its batch failed.
      const results = await Promise.allSettled(messages.map(handle));
      const failed = messages.filter((_, i) => results[i].status === 'rejected');
      if (failed.length > 0) throw new MessagesFailed(failed, (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason);
    },
    onRejected,
    onDeadLetter: (topic) => dlq.inc({ topic }),
  });

  const flushAssignments = () => counter.flush().catch((error: unknown) => log.warn({ err: error }, 'assignment counts not published'));

  return {
    opsApp: buildOpsApp({
      metrics: deps.metrics,
      ready: () => ({
        kafka: producer.isConnected && consumer.isHealthy && catalog.isHealthy && registry.isHealthy && collector.isHealthy && controller.isHealthy,
        model_serving: catalog.anyServing,
      }),
    }),
    catalog,
    registry,
    controller,
    collector,
    counter,
    async start() {
      await ensureTopics(deps.kafka, platformTopics(), { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor, logger: log });
      const aligned = await alignTopicConfig(deps.kafka, TOPICS.experimentsEvents);
      if (aligned.length > 0) log.info({ topic: TOPICS.experimentsEvents.name, keys: aligned }, 'topic config aligned with its spec');
      await producer.connect();
      await catalog.start();
      await registry.start();
      // Route nothing before the running experiments are known, or their users would be split wrongly.
      if (!(await registry.caughtUp(config.catchUpTimeoutMs))) log.warn({ timeoutMs: config.catchUpTimeoutMs }, 'experiments.events not replayed in time; routing anyway');
      await collector.start();
      await controller.start();
      flushTimer = setInterval(flushAssignments, config.assignmentFlushMs);
      await consumer.start();
      log.info('ab-router ready');
    },
    async stop() {
      // Side by side: a quiet consumer's stop waits out its fetch in flight (up to a second). The
      // readers' state stays in memory, so the requests in hand are still routed while they stop.
      const routing = consumer.stop().then(async () => {
        clearInterval(flushTimer);
        await counter.flush(Date.now(), true).catch((error: unknown) => log.warn({ err: error }, 'assignment counts not published'));
      });
      await Promise.all([routing, controller.stop(), collector.stop(), registry.stop(), catalog.stop()]);
      await producer.disconnect();
    },
  };
}
