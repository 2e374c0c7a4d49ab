/**
 * The kafkajs client as every app creates it: our logger underneath, retries bounded, and the
 * partitioner fixed (kafkajs' default murmur2, the Java client's, so keys land where other
 * clients put them). Loading it also mends kafkajs' 1 ms idle loop (kafkajs-idle-loop-fix.ts).
 */
import { Kafka, logLevel as KafkaLogLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '@mlops/observability';
import './kafkajs-idle-loop-fix';

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= '1';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
  /** ms to wait for a TCP connection to a broker. */
  connectionTimeoutMs?: number;
}

function logCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log }: LogEntry) => {
      const { message, timestamp: _timestamp, logger: _name, ...fields } = log;
      const entry = { namespace, ...fields };
      if (level === KafkaLogLevel.ERROR) kafkaLogger.error(entry, message);
      else if (level === KafkaLogLevel.WARN) kafkaLogger.warn(entry, message);
      else if (level === KafkaLogLevel.INFO) kafkaLogger.debug(entry, message);
      else kafkaLogger.trace(entry, message);
    };
}

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, maxRetryTime: 5_000, retries: 10 },
    logLevel: KafkaLogLevel.INFO,
    logCreator: logCreator(options.logger),
  });
}
