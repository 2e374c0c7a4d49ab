/**
 * `npm test`: unit specs, then integration specs against a real Kafka broker and a real Redis that
 * this command starts (unless KAFKA_BROKERS / REDIS_URL name running ones) and stops afterwards.
 * They are its own (`testServicesOptions`: other ports, empty storage), not `npm start`'s.
 * Ends with the test runner's `N passed, N failed` line.
 *
 *   npm test                      everything
 *   npm test -- --unit            unit specs only (no services)
 *   npm test -- --integration     integration specs only
 *   npm test -- libs/schemas      one project (either kind)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import pino from 'pino';
import { createKafka, ensureTopics } from '@mlops/messaging';
import { platformTopics } from '@mlops/schemas';
import { startServices, testServicesOptions } from '../services';
import { STOP_SIGNALS } from '../stop-on-signal';
import { workspaceRoot } from './processes';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unitOnly = args.includes('--unit');
  const services = unitOnly ? undefined : await startServices({ kafka: true, redis: true }, testServicesOptions());
  if (services) {
    // The platform's topics exist before any spec runs, as they do once any app has started.
    const kafka = createKafka({ brokers: services.kafkaBrokers.split(','), clientId: 'npm-test', logger: pino({ level: 'silent' }) });
    await ensureTopics(kafka, platformTopics());
  }
  const env = services ? { ...process.env, KAFKA_BROKERS: services.kafkaBrokers, REDIS_URL: services.redisUrl } : process.env;
  const child = spawn(process.execPath, [path.join(workspaceRoot, 'tools', 'run-tests.js'), ...args], { cwd: workspaceRoot, env, stdio: 'inherit' });
  const stop = () => child.kill('SIGTERM');
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  await services?.stop();
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(`npm test failed to start its services: ${(error as Error).message}`);
  process.exit(1);
});
