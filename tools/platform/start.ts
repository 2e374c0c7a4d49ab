/**
 * `npm start`: the whole platform on one machine with its embedded defaults.
 * Starts Kafka (unless KAFKA_BROKERS names a cluster) and Redis (unless REDIS_URL is set), makes
 * sure a model is in the store, builds every app, starts them, and prints the URLs.
 * Ctrl-C stops everything it started, apps first, in reverse order of starting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startServices } from '../services';
import { STOP_SIGNALS } from '../stop-on-signal';
import { ensureModel } from '../models/ensure-model';
import { startApp, stopApp, waitForHttp, workspaceRoot, type AppProcess } from './processes';

/** Apps in start order; ports are their defaults. */
const APPS: { app: string; port: number }[] = [
  { app: 'inference', port: 8002 },
  { app: 'ab-router', port: 8001 },
  { app: 'feature-store', port: 8004 },
  { app: 'trainer', port: 8003 },
  { app: 'gateway', port: 8000 },
];

async function main(): Promise<void> {
  const apps = APPS.filter(({ app }) => fs.existsSync(path.join(workspaceRoot, 'apps', app, 'src', 'main.ts')));
  const services = await startServices({ kafka: true, redis: true });
  const modelStoreDir = path.resolve(workspaceRoot, process.env.MODEL_STORE_DIR ?? 'model-store');
  const running: AppProcess[] = [];
  let stopping = false;

  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping the platform ...');
    for (const proc of [...running].reverse()) await stopApp(proc);
    await services.stop();
    process.exit(code);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => void stopAll(0));

  try {
    await ensureModel({ modelStoreDir });
    const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...apps.map((a) => a.app), '--output-style=static'], {
      cwd: workspaceRoot,
      stdio: 'inherit',
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    if (build.status !== 0) throw new Error('the build failed; see above');

    const featureStorePort = APPS.find((a) => a.app === 'feature-store')?.port;
    // The gateway proxies /features/* and /admin/drift to the feature store started here.
    const env = { KAFKA_BROKERS: services.kafkaBrokers, REDIS_URL: services.redisUrl, MODEL_STORE_DIR: modelStoreDir, FEATURE_STORE_URL: `http://127.0.0.1:${featureStorePort}` };
    for (const { app } of apps) {
      const proc = startApp(app, env, { quiet: true });
      running.push(proc);
      void proc.exited.then((code) => {
        if (!stopping) {
          console.error(`${app} exited (code ${code}); see .run/logs/${app}.log. Stopping everything.`);
          void stopAll(1);
        }
      });
    }
    const gatewayPort = Number(process.env.API_PORT ?? process.env.PORT ?? 8000);
    if (!(await waitForHttp(`http://127.0.0.1:${gatewayPort}/ready`, 180_000))) throw new Error('the gateway did not become ready within 3 minutes; see .run/logs/');
    console.log(`
The platform is up.
  API                  http://localhost:${gatewayPort}   (try: curl -X POST localhost:${gatewayPort}/predict -H 'content-type: application/json' -d '{"text":"I love this product!"}')
  API docs             http://localhost:${gatewayPort}/docs  and  /redoc   (OpenAPI: /openapi.json)
  Metrics              ${apps.map(({ app, port }) => `${app} :${port}/metrics`).join(', ')}
  Kafka                ${services.kafkaBrokers}
  Model store          ${path.relative(workspaceRoot, modelStoreDir) || modelStoreDir}
  Logs                 .run/logs/<app>.log
Press Ctrl-C to stop.`);
  } catch (error) {
    console.error(`npm start failed: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
