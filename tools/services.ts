/**
 * The backing services that `npm start`, `npm test` and the benchmarks need, started by the
 * project's own tooling: a real Kafka (tools/kafka) and a real Redis (tools/redis).
 *
 * `stop()` stops only what this call started: a broker or Redis that was already running (or
 * named by KAFKA_BROKERS / REDIS_URL) is left as it was.
 */
import { type BrokerOptions, startBroker, stopBroker } from './kafka/broker';
import { type RedisOptions, startRedis, stopRedis } from './redis/redis';

export interface ServicesWanted {
  kafka: boolean;
  redis: boolean;
}

export interface RunningServices {
  /** kafkajs `brokers` as `host:port[,host:port]`; '' when Kafka was not asked for. */
  kafkaBrokers: string;
  /** `redis://host:port` for ioredis; '' when Redis was not asked for. */
  redisUrl: string;
  /** Stops, in reverse order, what this call started; safe to call twice. */
  stop(): Promise<void>;
}

export interface ServicesOptions {
  kafka?: BrokerOptions;
  redis?: RedisOptions;
}

export async function startServices(wanted: ServicesWanted, options: ServicesOptions = {}): Promise<RunningServices> {
  const stops: Array<() => Promise<unknown>> = [];
  const stopAll = async () => {
    // Reverse order of starting; each stop runs once even if stop() is called again.
    for (const stop of stops.splice(0).reverse()) await stop();
  };
  // stop() reads the environment start() read, so a caller that then points its children at the
  // broker through KAFKA_BROKERS (or REDIS_URL) still gets what it started stopped.
  const kafkaOptions: BrokerOptions = { ...options.kafka, env: { ...(options.kafka?.env ?? process.env) } };
  const redisOptions: RedisOptions = { ...options.redis, env: { ...(options.redis?.env ?? process.env) } };
  try {
    const kafka = wanted.kafka ? await startBroker(kafkaOptions) : undefined;
    if (kafka?.started) stops.push(() => stopBroker(kafkaOptions));
    const redis = wanted.redis ? await startRedis(redisOptions) : undefined;
    if (redis?.started) stops.push(() => stopRedis(redisOptions));
    return { kafkaBrokers: kafka?.bootstrap ?? '', redisUrl: redis?.redisUrl ?? '', stop: stopAll };
  } catch (error) {
    // A failed Redis start must not leave the Kafka we just started behind.
    await stopAll();
    throw error;
  }
}
