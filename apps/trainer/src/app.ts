/**
 * The trainer app: consumes `training.requests` (manual, schedule, data change, drift and accuracy
 * alerts), runs one training pipeline at a time (duplicates of an active or waiting run are
 * ignored), registers the version, and publishes `models.events` so inference hot-swaps. It also
 * raises its own schedule and data-change triggers when configured.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Express } from 'express';
import { MessageProducer, ValidatingConsumer, ensureTopics } from '@mlops/messaging';
import type { ModelStore } from '@mlops/model-registry';
import { METRICS, buildOpsApp, type AppMetrics, type Logger } from '@mlops/observability';
import { MESSAGE_SCHEMA_VERSION, TrainingRequest, deadLetterTopicFor, modelEventKey, platformTopics, type ModelEvent } from '@mlops/schemas';
import { LogProgress, resolveTrainingParams, runTrainingPipeline, type PipelineOutcome } from '@mlops/training';
import type { TrainerConfig } from './config';
import { checkDataChange } from './data-watch';
import { TrainingQueue } from './training-queue';
import { TrialResultCollector, TrialWorker, kafkaTrialEvaluator } from './tuning-trials';

export interface TrainerDeps {
  kafka: Kafka;
  logger: Logger;
  metrics: AppMetrics;
  store: ModelStore;
  /** The git commit recorded in lineage. */
  codeCommit: string;
  /** Where relative data paths in the config start from. */
  workingDir: string;
}

export interface TrainerApp {
  opsApp: Express;
  queue: TrainingQueue;
  /** Outcomes of finished runs, newest last (the last 20). */
  outcomes: PipelineOutcome[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function buildTrainerApp(config: TrainerConfig, deps: TrainerDeps): TrainerApp {
  const log = deps.logger.child({ component: 'trainer' });
  const producer = new MessageProducer(deps.kafka);
  const runs = deps.metrics.metric(METRICS.trainingRuns);
  const duration = deps.metrics.metric(METRICS.trainingDuration);
  const dlq = deps.metrics.metric(METRICS.dlqMessages);
  const resolve = (p: string) => path.resolve(deps.workingDir, p);
  const defaultDataset = path.join(resolve(config.sst2Dir), 'train.tsv');
  const outcomes: PipelineOutcome[] = [];
  const timers: NodeJS.Timeout[] = [];

  const publish = async (event: ModelEvent) => {
    await producer.send(config.topics.modelsEvents, { key: modelEventKey(event), value: event });
  };

  // A run in progress is noted on disk, so a trainer killed mid-run picks it up again at start
  // and the run resumes from its last epoch checkpoint (the Kafka offset is long committed).
  const runsDir = path.join(resolve(config.checkpointDir), 'runs');
  const runFile = (request: TrainingRequest) => path.join(runsDir, `${request.requestId}.json`);

  async function execute(request: TrainingRequest): Promise<void> {
    const runLog = log.child({ requestId: request.requestId, modelName: request.modelName });
    const started = Date.now();
    fs.mkdirSync(runsDir, { recursive: true });
    fs.writeFileSync(runFile(request), JSON.stringify(request));
    let finished = true;
    runLog.info({ reason: request.reason, params: request.params }, 'training run started');
    try {
      const params = resolveTrainingParams({ ...config.trainingDefaults, ...request.params });
      const outcome = await runTrainingPipeline(
        { modelName: request.modelName, params, reason: request.reason, requestId: request.requestId },
        {
          store: deps.store,
          defaultDataset,
          vocabFile: resolve(config.vocabFile),
          checkpointDir: resolve(config.checkpointDir),
          progress: new LogProgress(runLog),
          codeCommit: deps.codeCommit,
          publish,
          shouldStop: () => queue.isStopping,
          ...(config.distributedTuning
            ? {
                trialEvaluator: (data, params) =>
                  kafkaTrialEvaluator({ producer, collector: trialResults, topics: trialTopics, tuningId: request.requestId, data, params, timeoutMs: config.trialTimeoutMinutes * 60_000, logger: runLog }),
              }
            : {}),
        },
      );
      outcomes.push(outcome);
      outcomes.splice(0, Math.max(0, outcomes.length - 20));
      runs.inc({ status: outcome.status === 'registered' ? 'succeeded' : outcome.status === 'rejected' ? 'rejected' : 'failed' });
      if (outcome.status === 'invalid-data') runLog.warn({ checks: outcome.validation.checks }, 'training data failed validation; nothing was trained');
      else runLog.info({ modelVersion: outcome.version, status: outcome.status, reasons: outcome.gates.reasons, testAccuracy: outcome.metrics.test.accuracy }, `training run ${outcome.status}`);
    } catch (error) {
      if ((error as Error).name === 'RunStoppedError') {
        finished = false;
        runLog.warn({ err: error }, 'training run stopped by shutdown; it resumes when the trainer starts again');
      } else {
        runs.inc({ status: 'failed' });
        runLog.error({ err: error }, 'training run failed');
      }
    } finally {
      duration.observe((Date.now() - started) / 1000);
      if (finished) fs.rmSync(runFile(request), { force: true });
    }
  }

  /** Runs a previous process left unfinished (killed or stopped mid-run). */
  function resumeUnfinished(): void {
    if (!fs.existsSync(runsDir)) return;
    for (const file of fs.readdirSync(runsDir).filter((f) => f.endsWith('.json'))) {
      try {
        submit(JSON.parse(fs.readFileSync(path.join(runsDir, file), 'utf8')) as TrainingRequest, 'unfinished run');
      } catch (error) {
        log.warn({ err: error, file }, 'cannot read an unfinished run; skipping it');
      }
    }
  }

  const queue = new TrainingQueue(execute);
  const trialTopics = { trials: config.topics.trainingTrials, results: config.topics.trialResults };
  const dataEnv = { defaultDataset, vocabFile: resolve(config.vocabFile) };
  const trialWorker = new TrialWorker({
    kafka: deps.kafka,
    producer,
    logger: log.child({ component: 'trial-worker' }),
    groupId: `${config.groupId}-trials`,
    topics: trialTopics,
    instanceId: config.instanceId,
    env: dataEnv,
    resolveParams: (raw) => resolveTrainingParams(raw),
  });
  const trialResults = new TrialResultCollector({ kafka: deps.kafka, producer, logger: log, groupId: `${config.groupId}-trial-results-${config.instanceId}`, topic: trialTopics.results });

  function submit(request: TrainingRequest, source: string): void {
    const result = queue.submit(request);
    log.info({ requestId: request.requestId, modelName: request.modelName, reason: request.reason, source, result }, result === 'accepted' ? 'training request accepted' : `training request ignored (${result})`);
  }

  function selfTrigger(reason: TrainingRequest['reason']): void {
    submit({ schemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID(), modelName: config.modelName, reason, requestedBy: `trainer:${config.instanceId}`, requestedAt: Date.now() }, reason);
  }

  function watchData(): void {
    try {
      const check = checkDataChange(deps.store, config.modelName, defaultDataset);
      if (check.changed) selfTrigger('data-change');
    } catch (error) {
      log.warn({ err: error }, 'data-change check failed');
    }
  }

  const consumer = new ValidatingConsumer({
    kafka: deps.kafka,
    groupId: config.groupId,
    topics: [config.topics.trainingRequests],
    schema: TrainingRequest,
    producer,
    logger: log,
    // Runs are queued, not awaited, so a long run never stalls the group's heartbeats.
    handleBatch: async (messages) => {
      for (const message of messages) submit(message.value, `${message.topic}/${message.partition}@${message.offset}`);
    },
    onDeadLetter: (topic) => dlq.inc({ topic }),
  });

  return {
    opsApp: buildOpsApp({
      metrics: deps.metrics,
      ready: () => ({ kafka: producer.isConnected && consumer.isHealthy && trialWorker.isHealthy }),
      health: () => ({ activeRun: queue.activeRun?.requestId ?? null, waitingRuns: queue.waitingRuns.length }),
    }),
    queue,
    outcomes,
    async start() {
      const tuningTopics = [
        // Trials are shared among the trainer replicas' trial workers, so they scale out.
        { name: trialTopics.trials, key: 'tuning id / trial id', partitions: 4, scalesOut: true },
        { name: trialTopics.results, key: 'tuning id', partitions: 1 },
      ];
      tuningTopics.push(...tuningTopics.map((t) => ({ name: deadLetterTopicFor(t.name), key: t.key, partitions: 1 })));
      await ensureTopics(deps.kafka, [...platformTopics(), ...tuningTopics], { partitions: config.kafka.partitions, replicationFactor: config.kafka.replicationFactor, logger: log });
      await producer.connect();
      await trialResults.start();
      await trialWorker.start();
      await consumer.start();
      resumeUnfinished();
      if (config.scheduleIntervalMinutes > 0) timers.push(setInterval(() => selfTrigger('schedule'), config.scheduleIntervalMinutes * 60_000));
      if (config.dataWatchIntervalMinutes > 0) timers.push(setInterval(watchData, config.dataWatchIntervalMinutes * 60_000));
      log.info({ schedule: config.scheduleIntervalMinutes, dataWatch: config.dataWatchIntervalMinutes }, 'trainer ready');
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await consumer.stop();
      await queue.stop();
      // Side by side: a quiet consumer's stop waits out its fetch in flight (up to a second).
      await Promise.all([trialWorker.stop(), trialResults.stop()]);
      await producer.disconnect();
    },
  };
}
