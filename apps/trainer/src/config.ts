import os from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { KafkaConfig, LogLevel, ModelStoreDir, loadConfig } from '@mlops/config';
import { DEFAULT_MODEL_NAME, TOPICS } from '@mlops/schemas';

export const TrainerConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8003, description: 'ops port: /health, /ready, /metrics' }),
    logLevel: LogLevel,
    kafka: KafkaConfig,
    groupId: Type.String({ default: 'trainer', description: 'consumer group of training.requests; replicas share it' }),
    topics: Type.Object(
      {
        trainingRequests: Type.String({ default: TOPICS.trainingRequests.name }),
        modelsEvents: Type.String({ default: TOPICS.modelsEvents.name }),
        /** Tuning trials, consumed by every replica as one group; and their results. */
        trainingTrials: Type.String({ default: 'training.trials' }),
        trialResults: Type.String({ default: 'training.trials.results' }),
      },
      { additionalProperties: false, default: {} },
    ),
    instanceId: Type.String({ default: `${os.hostname()}-${process.pid}` }),
    modelName: Type.String({ minLength: 1, default: DEFAULT_MODEL_NAME, description: 'model trained by schedule and data-change triggers' }),
    modelStoreDir: ModelStoreDir,
    /** Relative paths are resolved against the working directory (the repository root under npm start). */
    sst2Dir: Type.String({ default: '../shared/datasets/sst2', description: 'folder of SST-2 train.tsv, the default training data' }),
    vocabFile: Type.String({ default: '../shared/models/bert-base-uncased/vocab.txt', description: 'BERT uncased vocab.txt' }),
    checkpointDir: Type.String({ default: '.run/checkpoints', description: 'per-epoch checkpoints, so a killed run resumes' }),
    /** 0 turns the schedule off. */
    scheduleIntervalMinutes: Type.Number({ minimum: 0, default: 0, description: 'minutes between scheduled runs' }),
    /** 0 turns the watch off. */
    dataWatchIntervalMinutes: Type.Number({ minimum: 0, default: 0, description: 'minutes between checks of the data hash; a new hash triggers a run' }),
    /** Overrides of the training parameters for every run (a request's params win over these). */
    trainingDefaults: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
    /** Tuning trials go through the trials topic (shared by replicas) instead of running here one by one. */
    distributedTuning: Type.Boolean({ default: true }),
    trialTimeoutMinutes: Type.Number({ exclusiveMinimum: 0, default: 30, description: 'minutes to wait for a replica to answer a trial before running it here' }),
    shutdownGraceMs: Type.Integer({ minimum: 0, default: 30_000, description: 'ms; a run in progress stops at its next step and is checkpointed' }),
  },
  { additionalProperties: false },
);

export type TrainerConfig = Static<typeof TrainerConfigSchema>;

export function loadTrainerConfig(env: NodeJS.ProcessEnv): TrainerConfig {
  return loadConfig(TrainerConfigSchema, {
    env,
    envAliases: { modelName: ['MODEL_NAME'], modelStoreDir: ['MODEL_STORE_DIR'], sst2Dir: ['SST2_DIR'], vocabFile: ['VOCAB_FILE'], port: ['TRAINER_PORT'] },
  });
}
