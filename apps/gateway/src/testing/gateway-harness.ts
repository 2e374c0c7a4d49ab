/**
 * The gateway under test, for specs: in this process (`buildGatewayApp` on an ephemeral port,
 * its log lines captured) or as its own process (`main.ts` through tsx, as deployed), each with
 * its own Redis key prefixes so specs never share counters or keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createKafka } from '@mlops/messaging';
import { AppMetrics, closeServer, listen } from '@mlops/observability';
import { buildGatewayApp, type GatewayApp } from '../app';
import { loadGatewayConfig } from '../config';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
export const KAFKA_BROKERS = process.env.KAFKA_BROKERS || '127.0.0.1:9092';
const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');

/** Env that gives a gateway its own key prefixes in the shared Redis. */
export function isolatedEnv(): { REDIS_URL: string; AUTH_API_KEY_PREFIX: string; RATE_LIMIT_KEY_PREFIX: string } {
  const run = randomUUID().slice(0, 8);
  return { REDIS_URL, AUTH_API_KEY_PREFIX: `test:${run}:apikeys:`, RATE_LIMIT_KEY_PREFIX: `test:${run}:ratelimit:` };
}

/** Deletes what a spec left in Redis under its prefixes. */
export async function cleanRedis(redis: Redis, env: ReturnType<typeof isolatedEnv>): Promise<void> {
  for (const prefix of [env.AUTH_API_KEY_PREFIX, env.RATE_LIMIT_KEY_PREFIX]) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  }
}

export interface InProcessGateway {
  url: string;
  app: GatewayApp;
  redis?: Redis;
  /** Parsed JSON log lines written so far. */
  logLines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Builds and listens; `start()` (Kafka) only when `connectKafka`. */
export async function startInProcessGateway(env: Record<string, string>, options: { connectKafka?: boolean } = {}): Promise<InProcessGateway> {
  const config = loadGatewayConfig({ KAFKA_BROKERS: options.connectKafka ? KAFKA_BROKERS : '127.0.0.1:1', INSTANCE_ID: `spec-${randomUUID().slice(0, 8)}`, ...env });
  const logLines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const redis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.instanceId, logger: pino({ level: 'silent' }) });
  const app = buildGatewayApp(config, { kafka, logger, metrics: new AppMetrics('gateway'), redis });
  if (options.connectKafka) await app.start();
  const server: http.Server = await listen(app.httpApp, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    app,
    redis,
    logLines,
    async stop() {
      if (options.connectKafka) await app.stop(1000);
      await closeServer(server);
      redis?.disconnect();
    },
  };
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  /** Resident set size of the process, bytes (from /proc). */
  rssBytes(): number;
  stop(): Promise<number | null>;
}

/** Runs `apps/gateway/src/main.ts` as its own process and waits until it answers /health. */
export async function spawnGateway(env: Record<string, string>, port: number): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(workspaceRoot, 'apps/gateway/src/main.ts')], {
    cwd: workspaceRoot,
    env: { PATH: process.env.PATH, KAFKA_BROKERS, LOG_LEVEL: 'warn', PORT: String(port), HOST: '127.0.0.1', INSTANCE_ID: `spec-gw-${randomUUID().slice(0, 8)}`, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}: ${stderr}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not answer /health within 60 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    child,
    rssBytes() {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * A port the OS says is free now. A random pick from a fixed range could land on a port the OS had
 * just handed to an outgoing connection (the range overlaps Linux's ephemeral ports).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
