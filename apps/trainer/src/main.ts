/** Composition root of the trainer: config, dependencies, listen, shutdown. */
import { createKafka, exportConsumerLag } from '@mlops/messaging';
import { ModelStore } from '@mlops/model-registry';
import { AppMetrics, closeServer, createLogger, listen, runService } from '@mlops/observability';
import { codeCommit } from '@mlops/training';
import { buildTrainerApp } from './app';
import { loadTrainerConfig } from './config';

runService('trainer', async () => {
  const config = loadTrainerConfig(process.env);
  const logger = createLogger({ app: 'trainer', level: config.logLevel });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? `trainer-${config.instanceId}`, logger });
  const metrics = new AppMetrics('trainer');
  exportConsumerLag(metrics);
  const app = buildTrainerApp(config, {
    kafka,
    logger,
    metrics,
    store: new ModelStore(config.modelStoreDir),
    codeCommit: codeCommit(process.cwd()),
    workingDir: process.cwd(),
  });
  const server = await listen(app.opsApp, config.port);
  await app.start();
  logger.info({ port: config.port }, 'trainer listening');
  return {
    logger,
    graceMs: config.shutdownGraceMs,
    async stop() {
      await app.stop();
      await closeServer(server);
    },
  };
});
