/**
 * `mlops train`: asks the trainer for a run by publishing a `training.requests` message (the
 * trainer app validates, trains, gates and registers), or with --local runs the same pipeline
 * in this process, with a progress bar, and needs no services.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { MessageProducer, createKafka } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { DEFAULT_MODEL_NAME, MESSAGE_SCHEMA_VERSION, TOPICS, type TrainingRequest } from '@mlops/schemas';
import type { CliCommand, CliIo } from '../command';
import { UsageError } from '../command';
import { modelStoreDir, parse, writeJson } from '../args';
import { loadTraining } from './data';

const usage = `Usage: mlops train [--model NAME] [--param key=value ...] [--dataset FILE] [--promote]
                  [--local [--store DIR]] [--brokers HOST:PORT,...] [--json]

Without --local: publishes a manual request on training.requests (KAFKA_BROKERS, default
127.0.0.1:9092) for the trainer app and prints it. With --local: runs the pipeline here
(validation, TensorFlow.js training, ONNX export and parity, gates, registration into
MODEL_STORE_DIR) and prints the outcome; exit 1 when the data fails validation or a gate fails.

Parameters (defaults in libs/training/src/pipeline/params.ts): architecture, epochs, batchSize,
learningRate, dim, hiddenDim, bigramBuckets, layers, heads, dropout, maxLength, maxTrainingMinutes,
vocabulary, seed, minAccuracy, minF1, maxRegression, maxP95LatencyMs, ...`;

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

async function runLocally(modelName: string, params: Record<string, unknown>, storeDir: string, io: CliIo, json: boolean): Promise<number> {
  const training = loadTraining();
  const paths = training.dataPaths(io.env, repoRoot);
  let resolved;
  try {
    resolved = training.resolveTrainingParams(params);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const stderr = io.stderr as NodeJS.WriteStream;
  const outcome = await training.runTrainingPipeline(
    { modelName, params: resolved, reason: 'manual', requestId: randomUUID() },
    {
      store: new ModelStore(storeDir),
      defaultDataset: paths.sst2Train,
      vocabFile: paths.vocabFile,
      checkpointDir: path.join(repoRoot, '.run', 'checkpoints'),
      progress: training.progressFor(stderr, { info: (_fields, message) => stderr.write(`${message}\n`) }),
      codeCommit: training.codeCommit(repoRoot),
    },
  );
  if (json) writeJson(io.stdout, outcome);
  else if (outcome.status === 'invalid-data') io.stdout.write(`${training.formatValidationReport(outcome.validation)}\n`);
  else {
    const test = outcome.metrics.test;
    io.stdout.write(
      `${modelName}/${outcome.version} ${outcome.status}: test accuracy ${(100 * test.accuracy).toFixed(2)}%, F1 ${(100 * test.f1).toFixed(2)}%, ECE ${test.ece.toFixed(4)}, ` +
        `p95 latency ${outcome.metrics.latency.p95Ms.toFixed(2)} ms, trained ${(outcome.metrics.training.durationMs / 1000).toFixed(0)} s on ${outcome.backend}\n` +
        outcome.gates.reasons.map((r) => `  rejected: ${r}\n`).join(''),
    );
  }
  return outcome.status === 'registered' ? 0 : 1;
}

async function publish(request: TrainingRequest, brokers: string[]): Promise<void> {
  
  const kafka = createKafka({ brokers, clientId: `mlops-cli-${os.hostname()}`, logger: pino({ level: 'error' }), connectionTimeoutMs: 3_000 });
  const producer = new MessageProducer(kafka);
  await producer.connect();
  try {
    await producer.send(TOPICS.trainingRequests.name, { key: request.modelName, value: request });
  } finally {
    await producer.disconnect();
  }
}

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Ask the trainer for a new model version (or train here with --local)',
  usage,
  async run(args, io) {
    const { values } = parse(args, {
      model: { type: 'string' },
      param: { type: 'string', multiple: true },
      dataset: { type: 'string' },
      promote: { type: 'boolean' },
      local: { type: 'boolean' },
      store: { type: 'string' },
      brokers: { type: 'string' },
      json: { type: 'boolean' },
    }, false);
    const training = loadTraining();
    let params: Record<string, unknown>;
    try {
      params = training.parseParamPairs(values.param ?? []);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (values.dataset) params.dataset = path.resolve(values.dataset);
    if (values.promote) params.promote = true;
    const modelName = values.model ?? io.env.MODEL_NAME ?? DEFAULT_MODEL_NAME;
    if (values.local) return runLocally(modelName, params, modelStoreDir(io.env, values.store), io, values.json ?? false);

    try {
      training.resolveTrainingParams(params); // refuse bad params here, not in the trainer's log
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const request: TrainingRequest = { schemaVersion: MESSAGE_SCHEMA_VERSION, requestId: randomUUID(), modelName, reason: 'manual', params, requestedBy: `cli:${os.userInfo().username}`, requestedAt: Date.now() };
    const brokers = (values.brokers ?? io.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
    try {
      await publish(request, brokers);
    } catch (error) {
      io.stderr.write(`mlops train: cannot publish to ${brokers.join(',')} (${(error as Error).message}); is the platform running (npm start)? Or train here with --local.\n`);
      return 1;
    }
    if (values.json) writeJson(io.stdout, request);
    else io.stdout.write(`requested a training run of ${modelName} (request ${request.requestId}); follow it in the trainer's log, then \`mlops models list\`\n`);
    return 0;
  },
};
