/**
 * The ab-router replica that owns the single partition of `experiments.commands` is the leader:
 * it applies commands, creates the experiments of the YAML file, analyses running experiments
 * every `analysisIntervalMs` and acts on the decisions (ramp a canary, promote the winner, roll
 * back), publishing each new snapshot to `experiments.events`. Promotions and rollbacks move the
 * `production` alias in the model store and announce it on `models.events`, which is how the
 * inference apps learn of it. Other replicas keep their consumer in the group, ready to take over.
 */
import { KafkaJSError, type Kafka } from 'kafkajs';
import { MissingTopicError, ValidatingConsumer, topicPartitionCounts, type MessageProducer } from '@mlops/messaging';
import { ModelStore, ModelStoreError } from '@mlops/model-registry';
import { METRICS, type AppMetrics, type Logger } from '@mlops/observability';
import {
  ExperimentCommand,
  MESSAGE_SCHEMA_VERSION,
  PlatformError,
  TOPICS,
  aliasMovedEvent,
  experimentEventKey,
  modelEventKey,
  type Experiment,
  type ExperimentEvent,
  type ExperimentSpec,
} from '@mlops/schemas';
import { variantShares } from './assignment';
import type { AbRouterConfig } from './config';
import { applyEvaluation, evaluateExperiment } from './decisions';
import { applyCommand, withChange } from './experiment-state';
import type { ExperimentRegistry } from './experiment-registry';
import type { MetricsCollector } from './metrics-collector';
import { emptyVariantMetrics } from './variant-metrics';

export interface ControllerDeps {
  kafka: Kafka;
  producer: MessageProducer;
  logger: Logger;
  metrics: AppMetrics;
  registry: ExperimentRegistry;
  collector: MetricsCollector;
  seedExperiments: readonly ExperimentSpec[];
  now?: () => number;
}

export class ExperimentController {
  private readonly consumer: ValidatingConsumer<typeof ExperimentCommand>;
  private readonly store: ModelStore;
  private readonly log: Logger;
  private readonly now: () => number;
  private leader = false;
  /** Partitions of experiments.commands, read at start; the topic table gives it one. */
  private commandPartitions = 1;
  private seeded = false;
  private timer: NodeJS.Timeout | undefined;
  /** The commands or analysis round in progress (see exclusive). */
  private working: Promise<void> = Promise.resolve();
  private readonly trafficShare;
  private readonly srmPValue;

  constructor(
    private readonly config: AbRouterConfig,
    private readonly deps: ControllerDeps,
  ) {
    this.log = deps.logger.child({ component: 'experiment-controller' });
    this.store = new ModelStore(config.modelStoreDir);
    this.now = deps.now ?? Date.now;
    this.trafficShare = deps.metrics.metric(METRICS.experimentTrafficShare);
    this.srmPValue = deps.metrics.metric(METRICS.experimentSrmPValue);
    this.consumer = new ValidatingConsumer({
      kafka: deps.kafka,
      groupId: `${config.groupId}-experiments`,
      topics: [TOPICS.experimentsCommands.name],
      schema: ExperimentCommand,
      // A new group reads what was sent before it joined; stale commands are skipped by age.
      fromBeginning: true,
      producer: deps.producer,
      logger: this.log,
      handleBatch: (messages) =>
        this.exclusive(async () => {
          for (const message of messages) await this.handleCommand(message.value);
        }),
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ((event: { payload: { memberAssignment: Record<string, number[]> } }) => {
      // Holding every partition, not just one: on a topic with more than one (an outside change),
      // several replicas would otherwise lead at once, each acting on the same experiments.
      const held = (event.payload.memberAssignment[TOPICS.experimentsCommands.name] ?? []).length;
      this.leader = held > 0 && held >= this.commandPartitions;
      this.log.info({ leader: this.leader }, this.leader ? 'leading experiments' : 'standing by for experiments');
    }) as never);
    // Leadership ends with the membership that gave it: a rebalance (the next join says whether
    // it is ours again), a crash (kafkajs leaves the group first, so another replica may lead
    // already), a stop or a lost connection.
    const { REBALANCING, CRASH, STOP, DISCONNECT } = this.consumer.events;
    for (const event of [REBALANCING, CRASH, STOP, DISCONNECT]) {
      this.consumer.on(event, () => {
        if (this.leader) this.log.info({ event }, 'no longer leading experiments');
        this.leader = false;
      });
    }
  }

  get isLeader(): boolean {
    return this.leader;
  }

  get isHealthy(): boolean {
    return this.consumer.isHealthy;
  }

  async start(): Promise<void> {
    this.commandPartitions = (await topicPartitionCounts(this.deps.kafka, [TOPICS.experimentsCommands.name])).get(TOPICS.experimentsCommands.name) ?? 1;
    if (this.commandPartitions > 1) {
      this.log.error(
        { topic: TOPICS.experimentsCommands.name, partitions: this.commandPartitions },
        `${TOPICS.experimentsCommands.name} has ${this.commandPartitions} partitions, not 1: a replica leads experiments only while it holds all of them, ` +
          'so with several replicas none may lead. Delete the topic (kafka-topics.sh --delete) and restart the ab-router: it creates it again with one.',
      );
    }
    await this.consumer.start();
    this.timer = setInterval(() => {
      this.exclusive(() => this.tick()).catch((error: unknown) => this.log.error({ err: error }, 'experiment analysis failed'));
    }, this.config.analysisIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.working;
    await this.consumer.stop();
  }

  /**
   * Runs `work` after whatever commands or analysis round came before it. Both read an experiment,
   * await, then publish its next revision: interleaved, a round could publish a revision derived
   * from the state a command had just replaced.
   */
  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.working.then(work);
    this.working = run.catch(() => undefined);
    return run;
  }

  /** One round of the leader's work; public so tests can run it without waiting for the timer. */
  async tick(): Promise<void> {
    if (!this.leader || !this.consumer.isHealthy) return;
    if (!this.seeded) await this.seedFromFile();
    for (const experiment of this.deps.registry.list()) {
      this.exportTraffic(experiment);
      if (experiment.status === 'running') await this.analyse(experiment);
    }
  }

  private async seedFromFile(): Promise<void> {
    if (this.deps.seedExperiments.length === 0) {
      this.seeded = true;
      return;
    }
    // Before the replay of experiments.events ends, an experiment long past its creation would
    // look new, and seeding would publish its revision 1 over it: wait for the next round.
    if (!(await this.deps.registry.caughtUp(this.config.catchUpTimeoutMs))) return;
    for (const spec of this.deps.seedExperiments) {
      if (this.deps.registry.get(spec.experiment_id)) continue;
      const base = { schemaVersion: MESSAGE_SCHEMA_VERSION, experimentId: spec.experiment_id, requestedBy: 'config-file', at: this.now() } as const;
      await this.handleCommand({ ...base, commandId: `seed-${spec.experiment_id}-create`, type: 'create', spec });
      if (spec.auto_start) await this.handleCommand({ ...base, commandId: `seed-${spec.experiment_id}-start`, type: 'start' });
    }
    this.seeded = true;
  }

  async handleCommand(command: ExperimentCommand): Promise<void> {
    const log = this.log.child({ commandId: command.commandId, experimentId: command.experimentId });
    if (this.now() - command.at > this.config.commandMaxAgeMs) {
      log.warn({ type: command.type, ageMs: this.now() - command.at }, 'skipping a stale experiment command');
      return;
    }
    const current = this.deps.registry.get(command.experimentId);
    if (current?.lastCommandId === command.commandId) return; // already applied (a redelivery)
    // Routers of other deployments (another MODEL_NAME) may share the broker: an experiment on
    // another model is theirs to answer. A create naming no model is for the default of whoever leads.
    const modelName = current?.spec.model_name ?? (command.type === 'create' ? command.spec?.model_name : undefined);
    if (modelName !== undefined && modelName !== this.config.modelName) return;
    try {
      const next = applyCommand(current, command, {
        defaultModelName: this.config.modelName,
        runningOn: (modelName) => this.deps.registry.runningFor(modelName),
        now: this.now(),
      });
      if (current) await this.moveAliasFor(current, next, command.reason ?? `${command.type} by ${command.requestedBy}`);
      await this.publish({ ...next, lastCommandId: command.commandId }, command.commandId);
      log.info({ type: command.type, status: next.status }, 'experiment command applied');
    } catch (error) {
      // A Kafka failure retries the batch. Anything else would fail the same way each time and
      // hold up every later command (e.g. an unreadable aliases file): the command is refused.
      if (error instanceof KafkaJSError || error instanceof MissingTopicError) throw error;
      const failure =
        error instanceof PlatformError
          ? error
          : error instanceof ModelStoreError
            ? new PlatformError('VALIDATION_ERROR', error.message, { cause: error })
            : new PlatformError('INTERNAL_ERROR', `the command could not be applied: ${(error as Error).message}`, { cause: error });
      if (failure.code === 'INTERNAL_ERROR') log.error({ err: error, type: command.type }, 'experiment command failed');
      else log.warn({ type: command.type, code: failure.code }, failure.message);
      await this.send({
        schemaVersion: MESSAGE_SCHEMA_VERSION,
        type: 'command-rejected',
        experimentId: command.experimentId,
        commandId: command.commandId,
        error: { code: failure.code, message: failure.message, retryable: failure.retryable },
        at: this.now(),
      });
    }
  }

  private async analyse(experiment: Experiment): Promise<void> {
    const measured: Experiment = { ...experiment, metrics: this.currentMetrics(experiment) };
    const evaluation = evaluateExperiment(measured, this.now());
    const next = applyEvaluation(measured, evaluation, this.now());
    const srm = (evaluation.analysis.srm as { pValue: number } | null | undefined)?.pValue;
    if (srm !== undefined) this.srmPValue.set({ experiment: experiment.experimentId }, srm);
    const changed = next.decisions.length !== experiment.decisions.length || next.status !== experiment.status || JSON.stringify(measured.metrics) !== JSON.stringify(experiment.metrics);
    if (!changed) return;
    try {
      await this.moveAliasFor(experiment, next, `experiment ${experiment.experimentId}: ${evaluation.action.reason}`);
    } catch (error) {
      if (!(error instanceof ModelStoreError)) throw error;
      // The promotion could not happen: log it, keep the experiment as it was, try again next round.
      this.log.error({ err: error, experimentId: experiment.experimentId }, 'automated decision could not move the alias');
      await this.publish(withChange(measured, { analysis: evaluation.analysis }, { action: 'analysis', actor: 'auto', reason: `could not act: ${error.message}` }, this.now()));
      return;
    }
    if (evaluation.action.type !== 'none') this.log.info({ experimentId: experiment.experimentId, action: evaluation.action }, 'automated experiment decision');
    await this.publish(next);
  }

  /** The collector's totals with the routers' assignment counts. */
  private currentMetrics(experiment: Experiment): Experiment['metrics'] {
    const metrics = this.deps.collector.metricsOf(experiment.experimentId);
    const { requests, units } = this.deps.registry.assignedCounts(experiment.experimentId);
    for (const variant of [experiment.spec.control_variant, ...experiment.spec.treatment_variants]) {
      if (!metrics[variant] && !requests[variant]) continue;
      metrics[variant] = { ...(metrics[variant] ?? emptyVariantMetrics()), assigned: requests[variant] ?? 0, units: units[variant] ?? 0 };
    }
    return metrics;
  }

  /**
   * A promotion, switch or rollback points `production` at the live variant's version (when it is
   * not there yet) and announces it on models.events. Throws ModelStoreError when it cannot.
   */
  private async moveAliasFor(before: Experiment, after: Experiment, reason: string): Promise<void> {
    const promoted = after.status === 'completed' && before.status !== 'completed';
    const switched = after.liveVariant !== before.liveVariant;
    if (!promoted && !switched) return;
    const modelName = after.spec.model_name ?? this.config.modelName;
    const version = this.store.resolve(modelName, after.spec.variants[after.liveVariant]);
    // Already there: moved by hand, or by this very change whose announcement failed before the
    // command came again. Announced either way (the event is idempotent): inference reloads on it.
    const already = this.store.aliases(modelName)[this.config.defaultAlias] === version;
    const previousVersion = already ? undefined : this.store.setAlias(modelName, this.config.defaultAlias, version);
    const event = aliasMovedEvent({ modelName, alias: this.config.defaultAlias, modelVersion: version, previousVersion, reason, at: this.now() });
    if (!already) this.log.info({ modelName, modelVersion: version, previousVersion }, `moved ${this.config.defaultAlias}`);
    await this.deps.producer.send(TOPICS.modelsEvents.name, { key: modelEventKey(event), value: event });
  }

  private exportTraffic(experiment: Experiment): void {
    for (const { variant, share } of variantShares(experiment)) {
      this.trafficShare.set({ experiment: experiment.experimentId, variant }, experiment.status === 'running' ? share : 0);
    }
  }

  private async publish(experiment: Experiment, commandId?: string): Promise<void> {
    const event: ExperimentEvent = { schemaVersion: MESSAGE_SCHEMA_VERSION, type: 'experiment-state', experiment, ...(commandId ? { commandId } : {}), at: this.now() };
    await this.send(event);
    // Applied here once the broker has it, so the next command or round sees it before the topic
    // echoes it. Not before: a failed send retries the command, which must not find it applied.
    this.deps.registry.apply(event);
  }

  private send(event: ExperimentEvent): Promise<void> {
    return this.deps.producer.send(TOPICS.experimentsEvents.name, { key: experimentEventKey(event), value: event });
  }
}
