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

/**
 * A kafkajs log entry as our log line: its level, message and fields. kafkajs logs every error
 * answer from a broker at ERROR as "Response Metadata(key: 3, version: 6)" and then throws it to the
 * caller, which retries or handles it (a reply topic deleted by a requester that left, a leader
 * moving) and logs what it meant. Here it is debug, naming the request and the broker's error: an
 * outside requester that leaves would otherwise put an ERROR in every app's log at each metadata
 * refresh.
 */
export function kafkajsLogLine({ namespace, level, log }: LogEntry): { level: 'error' | 'warn' | 'debug' | 'trace'; message: string; fields: Record<string, unknown> } {
  const { message, timestamp: _timestamp, logger: _name, ...rest } = log;
  const fields = { namespace, ...rest };
  if (level === KafkaLogLevel.ERROR && namespace === 'Connection' && message.startsWith('Response ') && typeof rest.error === 'string') {
    return { level: 'debug', message: `broker answered ${message.slice('Response '.length)} with an error, passed to the caller: ${rest.error}`, fields };
  }
  if (level === KafkaLogLevel.ERROR) return { level: 'error', message, fields };
  if (level === KafkaLogLevel.WARN) return { level: 'warn', message, fields };
  if (level === KafkaLogLevel.INFO) return { level: 'debug', message, fields };
  return { level: 'trace', message, fields };
}

function logCreator(logger: Logger) {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return () => (entry: LogEntry) => {
    const line = kafkajsLogLine(entry);
    kafkaLogger[line.level](line.fields, line.message);
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
