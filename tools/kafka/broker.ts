/**
 * A real, single-node Apache Kafka (KRaft) for development, tests and CI, run from the jars that
 * tools/kafka/pom.xml fetches: no Docker. Data, logs and the pid file live in .run/kafka/.
 *
 * When env KAFKA_BROKERS is set, that cluster is used and nothing is started or stopped.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  type DaemonConfig,
  type LogLine,
  emptyDataUnlessRunning,
  isOurProcess,
  logToStderr,
  portFrom,
  refusePortChange,
  refuseTakenPort,
  runningPid,
  startedPort,
  manage,
  stopDaemon,
  stopProcess,
  tailFile,
  waitUntil,
  workspaceRoot,
} from './daemon';
import { ensureKafkaJars, kafkaVersion } from './jars';
import { log4jProperties, newClusterId, serverProperties } from './server-config';

export { ensureKafkaJars, kafkaVersion } from './jars';

export interface BrokerOptions {
  /** Client port on 127.0.0.1; default env KAFKA_PORT, else 9092. */
  port?: number;
  /** KRaft controller port on 127.0.0.1; default env KAFKA_CONTROLLER_PORT, else 9093. */
  controllerPort?: number;
  /** Data, logs and pid file; default .run/kafka in the repository. */
  runDir?: string;
  /** Jar cache; default .cache/kafka in the repository. */
  cacheDir?: string;
  /** JVM heap in MiB; default 512. */
  heapMb?: number;
  /** How long `start` waits for the broker to answer, ms; default 120 s. */
  startTimeoutMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL, ms; default 30 s. */
  stopTimeoutMs?: number;
  /** Where KAFKA_BROKERS, KAFKA_PORT and KAFKA_CONTROLLER_PORT are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines; default stderr. */
  log?: LogLine;
}

export interface BrokerHandle {
  /** `host:port[,host:port]` for kafkajs `brokers`. */
  bootstrap: string;
  /** True only when this call launched the broker (so the caller owns stopping it). */
  started: boolean;
  /** True when KAFKA_BROKERS names a cluster that these tools do not manage. */
  external: boolean;
  pid?: number;
}

export interface BrokerStatus {
  bootstrap: string;
  external: boolean;
  /** Our broker process is alive (always false for an external cluster). */
  running: boolean;
  /** A kafkajs admin connected and listed topics. */
  ready: boolean;
  pid?: number;
  version: string;
}

interface Resolved extends DaemonConfig {
  port: number;
  controllerPort: number;
  cacheDir?: string;
  heapMb: number;
  startTimeoutMs: number;
  bootstrap: string;
}

function resolve(options: BrokerOptions): Resolved {
  const env = options.env ?? process.env;
  const port = portFrom(options.port ?? env.KAFKA_PORT, 9092, 'KAFKA_PORT');
  const controllerPort = portFrom(options.controllerPort ?? env.KAFKA_CONTROLLER_PORT, 9093, 'KAFKA_CONTROLLER_PORT');
  if (port === controllerPort) throw new RangeError(`KAFKA_PORT and KAFKA_CONTROLLER_PORT are both ${port}`);
  const runDir = path.resolve(options.runDir ?? path.join(workspaceRoot, '.run', 'kafka'));
  const external = env.KAFKA_BROKERS?.trim() || undefined;
  return {
    name: 'kafka',
    externalKey: 'KAFKA_BROKERS',
    port,
    controllerPort,
    runDir,
    cacheDir: options.cacheDir,
    heapMb: options.heapMb ?? 512,
    startTimeoutMs: options.startTimeoutMs ?? 120_000,
    stopTimeoutMs: options.stopTimeoutMs ?? 30_000,
    external,
    log: options.log ?? logToStderr,
    bootstrap: external ?? `127.0.0.1:${port}`,
    pidFile: path.join(runDir, 'kafka.pid'),
    // Only a java process started on this run folder's server.properties is ours.
    marker: path.join(runDir, 'server.properties'),
  };
}

/**
 * True when a kafkajs admin can connect to `bootstrap`, list topics and reach the group
 * coordinator (the first FindCoordinator creates __consumer_offsets: waiting for it here spares
 * every app's first group join a "coordinator not available" round).
 */
async function answers(bootstrap: string, retries = 0): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'mlops-tools-kafka',
    brokers: bootstrap.split(','),
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    retry: { retries, initialRetryTime: 300 },
    logLevel: logLevel.NOTHING, // refused connections are expected while the broker boots
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    await admin.describeGroups(['mlops-tools-readiness-probe']);
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function runningPort(config: Resolved): number {
  return startedPort(config.marker, /^listeners=PLAINTEXT:\/\/127\.0\.0\.1:(\d+)/m, config.port);
}

function logTails(runDir: string): string {
  const serverLog = tailFile(path.join(runDir, 'logs', 'server.log'));
  const console = tailFile(path.join(runDir, 'logs', 'console.log'), 20);
  return [serverLog && `--- ${runDir}/logs/server.log (tail) ---\n${serverLog}`, console && `--- ${runDir}/logs/console.log (tail) ---\n${console}`]
    .filter(Boolean)
    .join('\n');
}

/** Formats the KRaft storage the first time; later starts reuse the same data. */
function formatStorageOnce(libsDir: string, config: Resolved, logArgs: string[], dataDir: string): void {
  if (fs.existsSync(path.join(dataDir, 'meta.properties'))) return;
  const format = spawnSync(
    'java',
    ['-Xmx256m', ...logArgs, '-cp', `${libsDir}/*`, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', config.marker],
    { encoding: 'utf8', timeout: 120_000 },
  );
  if (format.status !== 0) throw new Error(`kafka storage format failed:\n${format.stdout}${format.stderr}`);
}

function launch(libsDir: string, config: Resolved): number {
  const dataDir = path.join(config.runDir, 'data');
  const logsDir = path.join(config.runDir, 'logs');
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  fs.writeFileSync(config.marker, serverProperties({ port: config.port, controllerPort: config.controllerPort, dataDir }));
  const log4jFile = path.join(config.runDir, 'log4j.properties');
  fs.writeFileSync(log4jFile, log4jProperties());
  const logArgs = [`-Dlog4j.configuration=file:${log4jFile}`, `-Dkafka.logs.dir=${logsDir}`];
  formatStorageOnce(libsDir, config, logArgs, dataDir);

  const consoleLog = fs.openSync(path.join(logsDir, 'console.log'), 'a');
  const jvmArgs = [
    '-Xms256m',
    `-Xmx${config.heapMb}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    '-Djava.awt.headless=true',
    ...logArgs,
  ];
  // Detached: the broker outlives `start` and is not hit by the terminal's Ctrl-C.
  const broker = spawn('java', [...jvmArgs, '-cp', `${libsDir}/*`, 'kafka.Kafka', config.marker], {
    detached: true,
    stdio: ['ignore', consoleLog, consoleLog],
  });
  fs.closeSync(consoleLog);
  broker.unref();
  if (broker.pid === undefined) throw new Error('java did not start');
  fs.writeFileSync(config.pidFile, `${broker.pid}\n`);
  return broker.pid;
}

function externalHandle(config: Resolved): BrokerHandle {
  return { bootstrap: config.bootstrap, started: false, external: true };
}

async function startUnlocked(config: Resolved): Promise<BrokerHandle> {
  const runningAlready = runningPid(config.pidFile, config.marker);
  if (runningAlready !== undefined) {
    refusePortChange('kafka', config.runDir, runningPort(config), config.port);
    config.log(`kafka: already running (pid ${runningAlready}) at ${config.bootstrap}; nothing to do`);
    return { bootstrap: config.bootstrap, started: false, external: false, pid: runningAlready };
  }
  const libsDir = ensureKafkaJars({ cacheDir: config.cacheDir, log: config.log });
  const owner = `broker of ${config.runDir}`;
  await refuseTakenPort(config.port, owner, 'KAFKA_PORT', 'KAFKA_BROKERS');
  await refuseTakenPort(config.controllerPort, owner, 'KAFKA_CONTROLLER_PORT', 'KAFKA_BROKERS');
  const startedAt = Date.now();
  const pid = launch(libsDir, config);
  const ready = await waitUntil(async () => !isOurProcess(pid, config.marker) || (await answers(config.bootstrap)), config.startTimeoutMs);
  if (!ready || !isOurProcess(pid, config.marker)) {
    const why = ready ? 'exited during start-up' : `did not answer within ${config.startTimeoutMs} ms`;
    if (isOurProcess(pid, config.marker)) await stopProcess(pid, config.marker, 5_000);
    fs.rmSync(config.pidFile, { force: true });
    throw new Error(`kafka: the broker ${why}\n${logTails(config.runDir)}`);
  }
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  config.log(`kafka: ready at ${config.bootstrap} (Kafka ${kafkaVersion()}, pid ${pid}, ${seconds} s)`);
  return { bootstrap: config.bootstrap, started: true, external: false, pid };
}

/** Starts the broker unless it runs already, and resolves once kafkajs can talk to it. */
export function startBroker(options: BrokerOptions = {}): Promise<BrokerHandle> {
  const config = resolve(options);
  return manage(config, 'starting', externalHandle(config), () => startUnlocked(config));
}

/**
 * As `startBroker`, for a broker in a run folder of a tool's own (the benchmark's, the fault
 * scenarios'): one not running yet starts with empty storage, since new consumer groups read from
 * the beginning and would be replayed what an earlier run left in the topics.
 */
export function startFreshBroker(options: BrokerOptions & { runDir: string }): Promise<BrokerHandle> {
  const config = resolve(options);
  return manage(config, 'starting', externalHandle(config), () => {
    emptyDataUnlessRunning(config);
    return startUnlocked(config);
  });
}

/** SIGTERM, a bounded wait for a clean exit, then SIGKILL. Resolves to whether a broker was running. */
export function stopBroker(options: BrokerOptions = {}): Promise<boolean> {
  const config = resolve(options);
  return manage(config, 'stopping', false, () => stopDaemon(config));
}

/** Stops and starts again on the same data: topics, messages and committed offsets survive. */
export function restartBroker(options: BrokerOptions = {}): Promise<BrokerHandle> {
  const config = resolve(options);
  return manage(config, 'restarting', externalHandle(config), async () => {
    await stopDaemon(config);
    return startUnlocked(config);
  });
}

export async function brokerStatus(options: BrokerOptions = {}): Promise<BrokerStatus> {
  const config = resolve(options);
  const pid = config.external ? undefined : runningPid(config.pidFile, config.marker);
  const bootstrap = config.external ?? `127.0.0.1:${pid === undefined ? config.port : runningPort(config)}`;
  const ready = (config.external !== undefined || pid !== undefined) && (await answers(bootstrap, 2)); // a busy machine gets 3 tries
  return { bootstrap, external: config.external !== undefined, running: pid !== undefined, ready, pid, version: kafkaVersion() };
}
