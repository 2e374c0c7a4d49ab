/** Composition root of the gateway: config, dependencies, listen, shutdown. */
import { createKafka } from '@mlops/messaging';
import { AppMetrics, closeServer, createLogger, listen, runService } from '@mlops/observability';
import { buildGatewayApp } from './app';
import { loadGatewayConfig } from './config';

runService('gateway', async () => {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ app: 'gateway', level: config.logLevel });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? config.instanceId, logger });
  const app = buildGatewayApp(config, { kafka, logger, metrics: new AppMetrics('gateway') });
  const server = await listen(app.httpApp, config.port, config.host);
  logger.info({ port: config.port }, 'gateway listening');
  await app.start();
  return {
    logger,
    graceMs: config.shutdownGraceMs,
    async stop() {
      await app.stop(config.shutdownGraceMs / 2);
      await closeServer(server);
    },
  };
});
