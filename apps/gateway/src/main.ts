/** Composition root of the gateway: config, dependencies, listen, shutdown. */
import { Redis } from 'ioredis';
import { createKafka, exportConsumerLag } from '@mlops/messaging';
import { AppMetrics, createLogger, drainServer, listen, runService } from '@mlops/observability';
import { buildGatewayApp } from './app';
import { loadGatewayConfig } from './config';

/** Longest wait for the request line and headers, ms: slow-header (slowloris) clients are cut off. */
const HEADERS_TIMEOUT_MS = 10_000;
/** Redis answers in well under a millisecond; a command that takes longer than this has failed, ms. */
const REDIS_COMMAND_TIMEOUT_MS = 1_000;

runService('gateway', async () => {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ app: 'gateway', level: config.logLevel });
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId ?? config.instanceId, logger });
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS, connectTimeout: 5_000 })
    : undefined;
  redis?.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  const metrics = new AppMetrics('gateway');
  exportConsumerLag(metrics);
  const app = buildGatewayApp(config, { kafka, logger, metrics, redis });
  const server = await listen(app.httpApp, config.port, config.host);
  // Receiving a whole request may take no longer than answering one; headers come first.
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = Math.min(HEADERS_TIMEOUT_MS, config.requestTimeoutMs);
  logger.info({ port: config.port, authMode: config.auth.mode, redis: Boolean(redis) }, 'gateway listening');
  await app.start();
  return {
    logger,
    graceMs: config.shutdownGraceMs,
    async stop() {
      // New connections are refused from now on; requests on open ones get 503 NOT_READY while the
      // requests already accepted are answered (half the grace period), then the connections end.
      const closed = drainServer(server, config.shutdownGraceMs * 0.8);
      await app.stop(config.shutdownGraceMs / 2);
      await closed;
      await redis?.quit();
    },
  };
});
