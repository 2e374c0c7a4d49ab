/**
 * Tuning trials across trainer replicas. The replica running a tuned training request publishes
 * each rung's trials on the trials topic; every replica consumes that topic as one consumer group
 * (so each trial runs once, on whichever replica gets its partition), trains it on its own copy of
 * the prepared data, and publishes the validation figures on the results topic, where the
 * coordinator collects them. A trial unanswered within the timeout is run by the coordinator.
 *
 * The two messages are the trainer's own (it is both producer and consumer of both topics).
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Kafka } from 'kafkajs';
import { MessageProducer, ValidatingConsumer } from '@mlops/messaging';
import type { Logger } from '@mlops/observability';
import { MESSAGE_SCHEMA_VERSION } from '@mlops/schemas';
import { prepareData, runTrial, type PreparedData, type TrainingParams, type TrialEvaluator, type TrialResult, type TrialSpec } from '@mlops/training';

const TrialSpecSchema = Type.Object({
  trialId: Type.String(),
  rung: Type.Integer({ minimum: 0 }),
  epochs: Type.Integer({ minimum: 1 }),
  overrides: Type.Record(Type.String(), Type.Number()),
});

export const TuningTrial = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    tuningId: Type.String({ minLength: 1 }),
    trial: TrialSpecSchema,
    /** The run's parameters; the trial's overrides go on top. */
    params: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type TuningTrial = Static<typeof TuningTrial>;

export const TuningTrialResult = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    tuningId: Type.String({ minLength: 1 }),
    result: Type.Intersect([
      TrialSpecSchema,
      Type.Object({ validationLoss: Type.Number(), validationAccuracy: Type.Number(), durationMs: Type.Number(), worker: Type.Optional(Type.String()) }),
    ]),
  },
  { additionalProperties: false },
);
export type TuningTrialResult = Static<typeof TuningTrialResult>;

export interface TrialTopics {
  trials: string;
  results: string;
}

interface DataEnvironment {
  defaultDataset: string;
  vocabFile: string;
}

/** The prepared data of the last parameters seen: consecutive trials of one tuning share it. */
function dataCache(env: DataEnvironment) {
  let key = '';
  let cached: PreparedData | undefined;
  return (params: TrainingParams): PreparedData => {
    const wanted = JSON.stringify([params.dataset, params.vocabulary, params.vocabSize, params.maxLength, params.seed, params.validationFraction, params.testFraction]);
    if (wanted !== key || !cached) {
      const { data, validation } = prepareData(params, env);
      if (!data) throw new Error(`trial data failed validation: ${validation.checks.filter((c) => !c.passed).map((c) => c.detail).join('; ')}`);
      cached = data;
      key = wanted;
    }
    return cached;
  };
}

/** Consumes the trials topic as the shared group and answers each trial on the results topic. */
export class TrialWorker {
  private readonly consumer: ValidatingConsumer<typeof TuningTrial>;
  private readonly pending: TuningTrial[] = [];
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly data: (params: TrainingParams) => PreparedData;

  constructor(private readonly options: { kafka: Kafka; producer: MessageProducer; logger: Logger; groupId: string; topics: TrialTopics; instanceId: string; env: DataEnvironment; resolveParams: (raw: Record<string, unknown>) => TrainingParams }) {
    this.data = dataCache(options.env);
    this.consumer = new ValidatingConsumer({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topics.trials],
      schema: TuningTrial,
      producer: options.producer,
      logger: options.logger,
      // Queued, not awaited: a trial takes longer than the group's session timeout.
      handleBatch: async (messages) => {
        for (const message of messages) this.pending.push(message.value);
        this.running ??= this.drain();
      },
    });
  }

  get isHealthy(): boolean {
    return this.consumer.isHealthy;
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.pending.length > 0) {
      const message = this.pending.shift() as TuningTrial;
      const log = this.options.logger.child({ tuningId: message.tuningId, trialId: message.trial.trialId });
      try {
        const params = this.options.resolveParams(message.params);
        const result = await runTrial(this.data(params), params, message.trial);
        const answer: TuningTrialResult = { schemaVersion: MESSAGE_SCHEMA_VERSION, tuningId: message.tuningId, result: { ...result, worker: this.options.instanceId } };
        await this.options.producer.send(this.options.topics.results, { key: message.tuningId, value: answer });
        log.info({ validationLoss: result.validationLoss, durationMs: result.durationMs }, 'tuning trial done');
      } catch (error) {
        log.error({ err: error }, 'tuning trial failed; the coordinator runs it itself after its timeout');
      }
    }
    this.running = undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.consumer.stop();
    await this.running;
  }
}

/** Collects trial results from the results topic for the tunings this instance coordinates. */
export class TrialResultCollector {
  private readonly consumer: ValidatingConsumer<typeof TuningTrialResult>;
  private readonly waiters = new Map<string, (result: TrialResult) => void>();

  constructor(options: { kafka: Kafka; producer: MessageProducer; logger: Logger; groupId: string; topic: string }) {
    this.consumer = new ValidatingConsumer({
      kafka: options.kafka,
      groupId: options.groupId,
      topics: [options.topic],
      schema: TuningTrialResult,
      producer: options.producer,
      logger: options.logger,
      handleBatch: async (messages) => {
        for (const { value } of messages) this.waiters.get(`${value.tuningId}/${value.result.trialId}/${value.result.rung}`)?.(value.result);
      },
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  /** Resolves with the trial's result, or undefined after `timeoutMs`. */
  wait(tuningId: string, trial: TrialSpec, timeoutMs: number): Promise<TrialResult | undefined> {
    const key = `${tuningId}/${trial.trialId}/${trial.rung}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (result) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve(result);
      });
    });
  }
}

/** Publishes a rung's trials and waits for their results; runs late ones itself. */
export function kafkaTrialEvaluator(options: { producer: MessageProducer; collector: TrialResultCollector; topics: TrialTopics; tuningId: string; data: PreparedData; params: TrainingParams; timeoutMs: number; logger: Logger }): TrialEvaluator {
  return async (trials) => {
    const answers = trials.map((trial) => options.collector.wait(options.tuningId, trial, options.timeoutMs));
    for (const trial of trials) {
      const message: TuningTrial = { schemaVersion: MESSAGE_SCHEMA_VERSION, tuningId: options.tuningId, trial, params: { ...options.params } };
      await options.producer.send(options.topics.trials, { key: `${options.tuningId}/${trial.trialId}`, value: message });
    }
    const results: TrialResult[] = [];
    for (const [i, answer] of answers.entries()) {
      const result = await answer;
      if (result) results.push(result);
      else {
        options.logger.warn({ tuningId: options.tuningId, trialId: trials[i].trialId }, 'no replica answered the trial in time; running it here');
        results.push(await runTrial(options.data, options.params, trials[i]));
      }
    }
    return results;
  };
}
