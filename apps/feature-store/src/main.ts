/** Composition root of the feature store: config, dependencies, listen, shutdown. */
import fs from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { ConfigError } from '@mlops/config';
import { createKafka } from '@mlops/messaging';
import { AppMetrics, closeServer, createLogger, listen, runService } from '@mlops/observability';
import { buildFeatureStoreApp, type FeatureStoreDeps } from './app';
import { loadDefinitions } from './definitions/builtin-views';
import { loadFeatureStoreConfig, type FeatureStoreConfig } from './config';
import { buildReferenceProfile, readReferenceProfile, readSst2Sample } from './monitoring/reference-profile';
import { TextProfiler } from './text-profile';

/** The drift reference: the configured profile file, else built from SST-2; without data, drift is off and says why. */
function reference(config: FeatureStoreConfig, profiler: TextProfiler): FeatureStoreDeps['reference'] {
  if (config.drift.profileFile) return { profile: readReferenceProfile(config.drift.profileFile) };
  try {
    const data = readSst2Sample(config.sst2Dir, config.drift.referenceSampleSize);
    return { profile: buildReferenceProfile(data, profiler, { topK: config.drift.vocabularyTopK, now: Date.now() }) };
  } catch (error) {
    if (error instanceof ConfigError) return { reason: `no reference profile: ${error.message}` };
    throw error;
  }
}

runService('feature-store', async () => {
  const config = loadFeatureStoreConfig(process.env);
  const logger = createLogger({ app: 'feature-store', level: config.logLevel });
  const vocabFile = path.resolve(config.vocabFile);
  if (!fs.existsSync(vocabFile)) throw new ConfigError(`vocabFile: ${vocabFile} does not exist (env VOCAB_FILE)`);
  const profiler = TextProfiler.fromVocabFile(vocabFile);
  const topics = { PredictionLog: config.topics.predictionsLog, Feedback: config.topics.feedback };
  const definitions = loadDefinitions(config.featureViewsFile, topics);
  const drift = reference(config, profiler);
  if ('reason' in drift) logger.warn(drift.reason);

  const redis = new Redis(config.redis.url, { enableAutoPipelining: true, maxRetriesPerRequest: 3, lazyConnect: true });
  await redis.connect();
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? `feature-store-${config.instanceId}`, logger });
  const app = buildFeatureStoreApp(config, { kafka, redis, logger, metrics: new AppMetrics('feature-store'), profiler, definitions, reference: drift });
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
