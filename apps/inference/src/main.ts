/** Composition root of the inference app: config, dependencies, listen, shutdown. */
import { createKafka, exportConsumerLag } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AppMetrics, closeServer, createLogger, listen, runService } from '@mlops/observability';
import { buildInferenceApp } from './app';
import { loadInferenceConfig } from './config';

runService('inference', async () => {
  const config = loadInferenceConfig(process.env);
  const logger = createLogger({ app: 'inference', level: config.logLevel });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? `inference-${config.instanceId}`, logger });
  const metrics = new AppMetrics('inference');
  exportConsumerLag(metrics);
  const app = buildInferenceApp(config, { kafka, logger, metrics, store: new ModelStore(config.modelStoreDir) });
  const server = await listen(app.opsApp, config.port);
  await app.start();
  logger.info({ port: config.port }, 'inference listening');
  return {
    logger,
    graceMs: config.shutdownGraceMs,
    async stop() {
      await app.stop();
      await closeServer(server);
    },
  };
});
