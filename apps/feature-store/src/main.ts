/** Composition root of the feature store: config, dependencies, listen, shutdown. */
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { ConfigError } from '@mlops/config';
import { createKafka, exportConsumerLag } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AppMetrics, closeServer, createLogger, listen, runService } from '@mlops/observability';
import { buildFeatureStoreApp } from './app';
import { loadDefinitions } from './definitions/builtin-views';
import { loadFeatureStoreConfig } from './config';
import { driftReference } from './monitoring/reference-source';
import { TextProfiler } from './text-profile';

runService('feature-store', async () => {
  const config = loadFeatureStoreConfig(process.env);
  const logger = createLogger({ app: 'feature-store', level: config.logLevel });
  const vocabFile = path.resolve(config.vocabFile);
  if (!fs.existsSync(vocabFile)) throw new ConfigError(`vocabFile: ${vocabFile} does not exist (env VOCAB_FILE)`);
  const profiler = TextProfiler.fromVocabFile(vocabFile);
  const topics = { PredictionLog: config.topics.predictionsLog, Feedback: config.topics.feedback };
  const definitions = loadDefinitions(config.featureViewsFile, topics);
  const referenceOptions = {
    profileFile: config.drift.profileFile,
    store: new ModelStore(path.resolve(config.modelStoreDir)),
    modelName: config.drift.modelName,
    sst2Dir: config.sst2Dir,
    sampleSize: config.drift.referenceSampleSize,
    topK: config.drift.vocabularyTopK,
    profiler,
    clock: Date.now,
  };
  const reference = driftReference(referenceOptions);
  if ('reason' in reference) logger.warn(reference.reason);
  else if (reference.profile.fallbackReason) logger.warn({ source: reference.profile.source }, `drift reference is an SST-2 sample: ${reference.profile.fallbackReason}`);
  else logger.info({ source: reference.profile.source, modelVersion: reference.profile.model?.version }, 'drift reference built');

  const redis = new Redis(config.redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? `feature-store-${config.instanceId}`, logger });
  const metrics = new AppMetrics('feature-store');
  exportConsumerLag(metrics);
  const app = buildFeatureStoreApp(config, {
    kafka,
    redis,
    logger,
    metrics,
    profiler,
    definitions,
    reference,
    // A profile file is an operator's fixed choice: production moving does not replace it.
    ...(config.drift.profileFile ? {} : { rebuildReference: (modelVersion: string) => driftReference(referenceOptions, modelVersion) }),
  });
  const server = await listen(app.httpApp, config.port);
  await app.start();
  logger.info({ port: config.port }, 'feature store listening');
  return {
    logger,
    graceMs: config.shutdownGraceMs,
    async stop() {
      await closeServer(server);
      await app.stop();
      await redis.quit();
    },
  };
});
