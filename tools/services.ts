/**
 * The backing services that `npm start`, `npm test` and the benchmarks need, started by the
 * project's own tooling: a real Kafka (tools/kafka) and a real Redis (tools/redis).
 *
 * `stop()` stops only what this call started: a broker or Redis that was already running (or
 * named by KAFKA_BROKERS / REDIS_URL) is left as it was.
 */
import path from 'node:path';
import { type BrokerOptions, startBroker, startFreshBroker, stopBroker } from './kafka/broker';
import { portFrom, workspaceRoot } from './kafka/daemon';
import { type RedisOptions, startFreshRedis, startRedis, stopRedis } from './redis/redis';

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
  /**
   * Start each service that is not running yet on empty storage (needs `runDir` for both): for
   * services of a tool's own, whose earlier runs' data must not be replayed.
   */
  fresh?: boolean;
}

/**
 * `npm test`'s own broker and Redis: ports and run folders apart from `npm start`'s (9092, 6379,
 * .run/kafka, .run/redis), started on empty storage. Otherwise a platform left running by `npm start`
 * would consume the specs' requests (its consumer groups read every topic the specs write), and
 * the next `npm start` would be replayed the specs' requests, poison messages and feature keys.
 * Ports: env TEST_KAFKA_PORT (default 19092), TEST_KAFKA_CONTROLLER_PORT (19093), TEST_REDIS_PORT
 * (16479). KAFKA_BROKERS and REDIS_URL still name outside services to use instead.
 */
export function testServicesOptions(env: NodeJS.ProcessEnv = process.env): ServicesOptions & { kafka: BrokerOptions; redis: RedisOptions } {
  const runDir = path.join(workspaceRoot, '.run', 'test');
  return {
    kafka: {
      port: portFrom(env.TEST_KAFKA_PORT, 19092, 'TEST_KAFKA_PORT'),
      controllerPort: portFrom(env.TEST_KAFKA_CONTROLLER_PORT, 19093, 'TEST_KAFKA_CONTROLLER_PORT'),
      runDir: path.join(runDir, 'kafka'),
    },
    redis: { port: portFrom(env.TEST_REDIS_PORT, 16479, 'TEST_REDIS_PORT'), runDir: path.join(runDir, 'redis') },
    fresh: true,
  };
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
    const kafka = wanted.kafka ? await (options.fresh ? startFreshBroker(ownRunDir(kafkaOptions)) : startBroker(kafkaOptions)) : undefined;
    if (kafka?.started) stops.push(() => stopBroker(kafkaOptions));
    const redis = wanted.redis ? await (options.fresh ? startFreshRedis(ownRunDir(redisOptions)) : startRedis(redisOptions)) : undefined;
    if (redis?.started) stops.push(() => stopRedis(redisOptions));
    return { kafkaBrokers: kafka?.bootstrap ?? '', redisUrl: redis?.redisUrl ?? '', stop: stopAll };
  } catch (error) {
    // A failed Redis start must not leave the Kafka we just started behind.
    await stopAll();
    throw error;
  }
}

/** Emptying storage is only for a run folder the caller names, never the shared default one. */
function ownRunDir<T extends { runDir?: string }>(options: T): T & { runDir: string } {
  const { runDir } = options;
  if (!runDir) throw new Error('startServices: fresh services need a runDir of their own');
  return { ...options, runDir };
}
