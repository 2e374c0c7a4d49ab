/** Composition root of the ab-router: config, dependencies, listen, shutdown. */
import { createKafka, exportConsumerLag } from '@mlops/messaging';
import { AppMetrics, closeServer, createLogger, listen, runService } from '@mlops/observability';
import { buildAbRouterApp } from './app';
import { loadAbRouterConfig } from './config';
import { loadExperimentsFile } from './experiments-file';

runService('ab-router', async () => {
  const config = loadAbRouterConfig(process.env);
  const logger = createLogger({ app: 'ab-router', level: config.logLevel });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? `ab-router-${config.instanceId}`, logger });
  const seedExperiments = loadExperimentsFile(config.experimentsFile);
  const metrics = new AppMetrics('ab-router');
  exportConsumerLag(metrics);
  const app = buildAbRouterApp(config, { kafka, logger, metrics, seedExperiments });
  const server = await listen(app.opsApp, config.port);
  await app.start();
  logger.info({ port: config.port }, 'ab-router listening');
  return {
    logger,
    graceMs: config.shutdownGraceMs,
    async stop() {
      await app.stop();
      await closeServer(server);
    },
  };
});
