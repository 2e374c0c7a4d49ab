/**
 * The platform under fault: gateway, ab-router, inference (and, when asked, the feature store) as real processes (the built
 * `dist/apps/<app>/main.js`), any number of replicas each, with their own ports, consumer groups,
 * model store and log files (`.run/logs/faults-<name>.log`), against the faults broker. A fault is
 * a signal to one named process; `start(name)` brings a stopped one back with the same settings.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApps } from '../e2e/platform-harness';
import { seedRandomModel } from '../models/seed-model';
import { stopApp, waitForHttp, workspaceRoot, type AppProcess } from '../platform/processes';
import { freePortBlock } from '../ports';
import { stopOnSignal } from '../stop-on-signal';

export type AppName = 'gateway' | 'ab-router' | 'inference' | 'feature-store';

export interface FaultPlatformOptions {
  brokers: string;
  inferenceReplicas?: number;
  routerReplicas?: number;
  /** Extra env per app (e.g. MAX_IN_FLIGHT for the gateway). */
  env?: Partial<Record<AppName, NodeJS.ProcessEnv>>;
  /** Runs the feature store too, on this Redis. */
  featureStoreRedisUrl?: string;
  /** Model versions to register before the apps start (v1 is production; default 1). */
  versions?: number;
}

export interface PlatformApp {
  /** `gateway`, `ab-router-0`, `inference-1`, ... */
  name: string;
  app: AppName;
  port: number;
  env: NodeJS.ProcessEnv;
  process?: AppProcess;
}

export interface AppExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal to the exit, ms. */
  tookMs: number;
}

const built = new Set<AppName>();

/** Builds each app once per process (the build is what the images run). */
function buildOnce(apps: AppName[]): void {
  const missing = apps.filter((app) => !built.has(app));
  buildApps(missing);
  for (const app of missing) built.add(app);
}

function spawnApp(spec: PlatformApp): AppProcess {
  const logDir = path.join(workspaceRoot, '.run', 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const log = fs.openSync(path.join(logDir, `faults-${spec.name}.log`), 'a');
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(workspaceRoot, 'dist', 'apps', spec.app, 'main.js')], {
    cwd: workspaceRoot,
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { app: spec.app, child, exited };
}

export class FaultPlatform {
  /** SIGTERM to every app still running, gateway first (reverse order of start); see `stopOnSignal`. */
  readonly stop = stopOnSignal('the platform under test', () => this.stopApps());

  private constructor(
    readonly apps: PlatformApp[],
    readonly modelStoreDir: string,
    readonly brokers: string,
  ) {}

  static async start(options: FaultPlatformOptions): Promise<FaultPlatform> {
    buildOnce(['inference', 'ab-router', 'gateway', ...(options.featureStoreRedisUrl ? (['feature-store'] as const) : [])]);
    const runId = randomUUID().slice(0, 8);
    const modelStoreDir = fs.mkdtempSync(path.join(os.tmpdir(), 'faults-store-'));
    seedRandomModel({ modelStoreDir });
    for (let v = 2; v <= (options.versions ?? 1); v++) seedRandomModel({ modelStoreDir, seed: v, setProduction: false });
    const base = await freePortBlock((options.inferenceReplicas ?? 1) + (options.routerReplicas ?? 1) + 2);
    const common = { KAFKA_BROKERS: options.brokers, MODEL_STORE_DIR: modelStoreDir, LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'warn' };
    const apps: PlatformApp[] = [];
    const add = (app: AppName, name: string, env: NodeJS.ProcessEnv) =>
      apps.push({ app, name, port: base + apps.length, env: { ...common, ...options.env?.[app], ...env } });
    for (let i = 0; i < (options.inferenceReplicas ?? 1); i++) {
      add('inference', `inference-${i}`, { GROUP_ID: `faults-inference-${runId}`, INSTANCE_ID: `faults-${runId}-inf-${i}` });
    }
    for (let i = 0; i < (options.routerReplicas ?? 1); i++) {
      add('ab-router', `ab-router-${i}`, { GROUP_ID: `faults-ab-router-${runId}`, INSTANCE_ID: `faults-${runId}-router-${i}` });
    }
    if (options.featureStoreRedisUrl) {
      add('feature-store', 'feature-store', { GROUP_ID: `faults-feature-store-${runId}`, INSTANCE_ID: `faults-${runId}-fs`, REDIS_URL: options.featureStoreRedisUrl });
    }
    // Per-client rate limits would answer 429 to the one load client; capacity is what is under test.
    add('gateway', 'gateway', { INSTANCE_ID: `faults-gw-${runId}`, RATE_LIMIT_ENABLED: 'false', ...options.env?.gateway });
    for (const spec of apps) spec.env.PORT = String(spec.port);
    const platform = new FaultPlatform(apps, modelStoreDir, options.brokers);
    for (const spec of apps) spec.process = spawnApp(spec);
    if (!(await platform.waitReady(apps.map((a) => a.name), 120_000))) {
      const statuses = await platform.readinessDetails();
      await platform.stop();
      throw new Error(`the platform did not become ready within 120 s (${statuses}); see .run/logs/faults-*.log`);
    }
    return platform;
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.app('gateway').port}`;
  }

  /** The gateway's own reply topic (its instance id is ours to choose). */
  get gatewayReplyTopic(): string {
    return `inference.replies.${this.app('gateway').env.INSTANCE_ID}`;
  }

  app(name: string): PlatformApp {
    const found = this.apps.find((a) => a.name === name);
    if (!found) throw new RangeError(`no app named ${name}`);
    return found;
  }

  url(name: string, route: string): string {
    return `http://127.0.0.1:${this.app(name).port}${route}`;
  }

  /** The HTTP status of each app's /ready (0 when it does not answer). */
  async readiness(names = this.apps.filter((a) => a.process?.child.exitCode === null).map((a) => a.name)): Promise<Record<string, number>> {
    const statuses = await Promise.all(
      names.map(async (name) => {
        try {
          const response = await fetch(this.url(name, '/ready'), { signal: AbortSignal.timeout(2_000) });
          await response.body?.cancel();
          return [name, response.status] as const;
        } catch {
          return [name, 0] as const;
        }
      }),
    );
    return Object.fromEntries(statuses);
  }

  /** Each app's /ready answer (status and body), or why it gave none, for an error message. */
  async readinessDetails(): Promise<string> {
    const details = await Promise.all(
      this.apps.map(async (a) => {
        try {
          const response = await fetch(this.url(a.name, '/ready'), { signal: AbortSignal.timeout(2_000) });
          return `${a.name}: ${response.status} ${await response.text()}`;
        } catch (error) {
          return `${a.name}: ${(error as Error).cause ?? (error as Error).message} (exit ${a.process?.child.exitCode ?? 'none'})`;
        }
      }),
    );
    return details.join('; ');
  }

  async waitReady(names: string[], timeoutMs: number): Promise<boolean> {
    const ready = await Promise.all(names.map((name) => waitForHttp(this.url(name, '/ready'), timeoutMs)));
    return ready.every(Boolean);
  }

  /** Sends `signal` to one app and resolves when it has exited. */
  async signal(name: string, signal: NodeJS.Signals): Promise<AppExit> {
    const proc = this.app(name).process;
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) throw new Error(`${name} is not running`);
    const sentAt = Date.now();
    proc.child.kill(signal);
    await proc.exited;
    return { code: proc.child.exitCode, signal: proc.child.signalCode, tookMs: Date.now() - sentAt };
  }

  /** Starts a stopped app again with the same settings, and waits until it is ready. */
  async start(name: string): Promise<void> {
    const spec = this.app(name);
    spec.process = spawnApp(spec);
    if (!(await this.waitReady([name], 120_000))) throw new Error(`${name} did not become ready again within 120 s`);
  }

  /** Resident memory of an app's process, bytes (0 once it has exited). */
  rssBytes(name: string): number {
    const pid = this.app(name).process?.child.pid;
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  }

  private async stopApps(): Promise<void> {
    for (const spec of [...this.apps].reverse()) if (spec.process) await stopApp(spec.process);
    fs.rmSync(this.modelStoreDir, { recursive: true, force: true });
  }
}
