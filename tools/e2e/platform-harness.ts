/**
 * Runs the real platform for end-to-end specs: built apps as separate processes, a model store of
 * their own, consumer groups and ports of their own, against the broker in KAFKA_BROKERS.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';
import { seedRandomModel } from '../models/seed-model';
import { startApp, stopApp, waitForHttp, workspaceRoot, type AppProcess } from '../platform/processes';
import { freePortBlock } from '../ports';
import { stopOnSignal } from '../stop-on-signal';

export interface PlatformUnderTest {
  gatewayUrl: string;
  /** The ab-router's and (first) inference replica's own HTTP ports: /ready, /metrics. */
  abRouterUrl: string;
  inferenceUrl: string;
  /** The model the apps serve and route by default. */
  modelName: string;
  kafkaBrokers: string;
  modelStoreDir: string;
  processes: AppProcess[];
  stop(): Promise<(number | null)[]>;
}


export function buildApps(apps: string[]): void {
  for (const app of apps) {
    const result = spawnSync(process.execPath, [path.join(workspaceRoot, 'tools', 'build-app.mjs'), `apps/${app}`], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`build of ${app} failed: ${result.stderr}`);
  }
}

export interface PlatformOptions {
  env?: NodeJS.ProcessEnv;
  inferenceReplicas?: number;
  /** Serve this store (left in place at stop); by default a fresh one with a seeded model. */
  modelStoreDir?: string;
  /**
   * The model's name (MODEL_NAME for every app); a name of its own keeps this run's alias moves and
   * experiments out of other runs' view, since they share models.events and experiments.events.
   */
  modelName?: string;
}

export async function startPlatform(options: PlatformOptions = {}): Promise<PlatformUnderTest> {
  const kafkaBrokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const runId = randomUUID().slice(0, 8);
  const ownStore = !options.modelStoreDir;
  const modelStoreDir = options.modelStoreDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-store-'));
  const modelName = options.modelName ?? DEFAULT_MODEL_NAME;
  if (ownStore) seedRandomModel({ modelStoreDir, modelName });
  buildApps(['inference', 'ab-router', 'gateway']);
  // gateway base, ab-router base + 1, inference replicas base + 2, + 12, ...
  const base = await freePortBlock(3 + 10 * ((options.inferenceReplicas ?? 1) - 1));
  const common = { KAFKA_BROKERS: kafkaBrokers, MODEL_STORE_DIR: modelStoreDir, LOG_LEVEL: 'warn', RATE_LIMIT_ENABLED: 'false', ...(options.modelName ? { MODEL_NAME: modelName } : {}), ...options.env };
  const processes: AppProcess[] = [];
  for (let i = 0; i < (options.inferenceReplicas ?? 1); i++) {
    processes.push(startApp('inference', { ...common, PORT: String(base + 2 + 10 * i), GROUP_ID: `e2e-inference-${runId}`, INSTANCE_ID: `e2e-${runId}-${i}` }, { quiet: true }));
  }
  processes.push(startApp('ab-router', { ...common, PORT: String(base + 1), GROUP_ID: `e2e-ab-router-${runId}`, INSTANCE_ID: `e2e-${runId}` }, { quiet: true }));
  processes.push(startApp('gateway', { ...common, PORT: String(base), INSTANCE_ID: `e2e-gw-${runId}` }, { quiet: true }));
  const gatewayUrl = `http://127.0.0.1:${base}`;
  const stopApps = async () => {
    const codes: (number | null)[] = [];
    for (const proc of [...processes].reverse()) {
      await stopApp(proc);
      codes.push(proc.child.exitCode);
    }
    if (ownStore) fs.rmSync(modelStoreDir, { recursive: true, force: true });
    return codes;
  };
  const stop = stopOnSignal('the platform under test', stopApps);
  // Every app ready (consumers joined, model loaded), not just the gateway, before traffic.
  const abRouterUrl = `http://127.0.0.1:${base + 1}`;
  const inferenceUrl = `http://127.0.0.1:${base + 2}`;
  const readyUrls = [gatewayUrl, abRouterUrl, inferenceUrl].map((url) => `${url}/ready`);
  const ready = await Promise.all(readyUrls.map((url) => waitForHttp(url, 90_000)));
  if (!ready.every(Boolean)) {
    await stop();
    throw new Error('the platform did not become ready within 90 s; see .run/logs/');
  }
  return { gatewayUrl, abRouterUrl, inferenceUrl, modelName, kafkaBrokers, modelStoreDir, processes, stop };
}
