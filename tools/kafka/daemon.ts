/**
 * What a local daemon needs from its launcher: a pid file that is trusted only while the process
 * behind it is still the program we started (pids are reused), a start/stop lock (several
 * engineers and test runs share one checkout), a bounded stop, and the tail of a log on failure.
 * Used by tools/kafka and tools/redis.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The repository root: tools/kafka/ is two levels down. */
export const workspaceRoot = path.resolve(__dirname, '..', '..');

export type LogLine = (line: string) => void;

/** Library callers (tests, `npm start`) keep stdout for themselves; the CLIs pass console.log. */
export const logToStderr: LogLine = (line) => process.stderr.write(`${line}\n`);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * True while `pid` is alive and its command line contains `marker`. A zombie or a reused pid
 * has another (or an empty) command line, so it does not count.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    // ESRCH: gone. EPERM: alive but not ours to signal, so not a process we started.
    return false;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return cmdline.includes(marker);
  } catch {
    return false;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in `pidFile` if that process is still ours, else undefined (a stale file is removed). */
export function runningPid(pidFile: string, marker: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (Number.isInteger(pid) && pid > 0 && isOurProcess(pid, marker)) return pid;
  // Remove the file only when it names a process that is gone. Right after daemonizing, redis
  // rewrites its command line; and a file read while redis writes it is still empty (no pid yet).
  // Deleting it in either instant left a live server with no pid file, never seen as started.
  if (Number.isInteger(pid) && pid > 0 && !isAlive(pid)) fs.rmSync(pidFile, { force: true });
  return undefined;
}

/** SIGTERM, wait up to `graceMs` for the exit, then SIGKILL. Resolves to how it ended. */
export async function stopProcess(pid: number, marker: string, graceMs: number): Promise<'terminated' | 'killed'> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, marker)) return 'terminated';
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isOurProcess(pid, marker)) await sleep(50);
  return 'killed';
}

/** What tools/kafka and tools/redis know about the one local daemon they manage. */
export interface DaemonConfig {
  /** In log lines: 'kafka', 'redis'. */
  name: string;
  /** The env key that names a server these tools do not manage (KAFKA_BROKERS, REDIS_URL). */
  externalKey: string;
  /** Its value, when set. */
  external?: string;
  runDir: string;
  pidFile: string;
  /** What the command line of our pid contains (see isOurProcess). */
  marker: string;
  /** ms between SIGTERM and SIGKILL. */
  stopTimeoutMs: number;
  log: LogLine;
}

/**
 * Runs `action` (start, stop, restart) under the run folder's lock; with an external server
 * configured, says so and returns `whenExternal` instead: nothing is started or stopped.
 */
export function manage<T>(config: DaemonConfig, verb: string, whenExternal: T, action: () => Promise<T>): Promise<T> {
  if (config.external) {
    config.log(`${config.name}: ${config.externalKey} is set; using ${config.external} and ${verb} nothing`);
    return Promise.resolve(whenExternal);
  }
  return withLock(path.join(config.runDir, 'start.lock'), action);
}

/**
 * Empties the run folder's `data` unless the daemon runs there: a tool's own server (the
 * benchmark's, the fault scenarios', `npm test`'s) then starts on empty storage. A running one is
 * left alone, since someone is using it.
 */
export function emptyDataUnlessRunning({ runDir, pidFile, marker }: DaemonConfig): void {
  if (runningPid(pidFile, marker) === undefined) fs.rmSync(path.join(runDir, 'data'), { recursive: true, force: true });
}

/** Stops the daemon behind the pid file if it is running; resolves to whether one was. */
export async function stopDaemon({ name, pidFile, marker, stopTimeoutMs, log }: DaemonConfig): Promise<boolean> {
  const pid = runningPid(pidFile, marker);
  if (pid === undefined) {
    log(`${name}: not running; nothing to stop`);
    return false;
  }
  const ending = await stopProcess(pid, marker, stopTimeoutMs);
  fs.rmSync(pidFile, { force: true });
  log(ending === 'terminated' ? `${name}: stopped (pid ${pid})` : `${name}: pid ${pid} ignored SIGTERM for ${stopTimeoutMs} ms; killed`);
  return true;
}

/** A port from an option or env value; `key` names the setting in the error. */
export function portFrom(value: number | string | undefined, fallback: number, key: string): number {
  if (value === undefined || value === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new RangeError(`${key} must be a TCP port, got '${value}'`);
  return port;
}

/**
 * The port a running daemon listens on, read back from the config file written when it started
 * (the file changes only at start), so a changed env does not misreport or orphan it.
 */
export function startedPort(configFile: string, pattern: RegExp, fallback: number): number {
  try {
    const match = pattern.exec(fs.readFileSync(configFile, 'utf8'));
    return match ? Number(match[1]) : fallback;
  } catch {
    return fallback;
  }
}

/** A daemon already running on another port than the one asked for is an error, not a silent reuse. */
export function refusePortChange(name: string, runDir: string, runningPort: number, wantedPort: number): void {
  if (runningPort === wantedPort) return;
  throw new Error(`${name}: already running on port ${runningPort}, not ${wantedPort} (from ${runDir}); stop it first to move it`);
}

/** True when something accepts TCP connections on host:port. */
export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (answers: boolean) => {
      socket.destroy();
      resolve(answers);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Throws, naming the env key that moves it, when something not ours already listens on `port`. */
export async function refuseTakenPort(port: number, owner: string, key: string, externalKey: string): Promise<void> {
  if (!(await portAnswers('127.0.0.1', port))) return;
  throw new Error(
    `port ${port} is taken by a process that is not the ${owner}: stop it, or set ${key} to a free port ` +
      `(or ${externalKey} to use a server that is already running)`,
  );
}

/** The last `lineCount` lines of a log file, or '' when it does not exist. */
export function tailFile(file: string, lineCount = 40): string {
  try {
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return lines.slice(-lineCount).join('\n');
  } catch {
    return '';
  }
}

/**
 * Runs `action` holding an exclusive lock file, so two `start`s racing in one checkout do not
 * launch two daemons on one data directory. A lock left by a dead process is taken over.
 */
export async function withLock<T>(lockFile: string, action: () => Promise<T>, timeoutMs = 180_000): Promise<T> {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number.parseInt(fs.readFileSync(lockFile, 'utf8').trim(), 10);
      if (!isOurProcess(owner, 'node')) fs.rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) throw new Error(`${lockFile} is held by pid ${owner}`);
      else await sleep(250);
    }
  }
  try {
    return await action();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/** Polls `probe` every `intervalMs` until it returns true; false if `timeoutMs` passes first. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, intervalMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * The `start | stop | ...` command line shared by tools/kafka/main.ts and tools/redis/main.ts:
 * exit 0 on success, 1 on failure (message on stderr), 2 on an unknown command.
 */
export function runCli(program: string, commands: Record<string, () => Promise<number>>): void {
  const name = process.argv[2] ?? '';
  const command = commands[name];
  if (!command) {
    process.stderr.write(`usage: npx tsx ${program} ${Object.keys(commands).join(' | ')}\n`);
    process.exitCode = name === '--help' ? 0 : 2;
    return;
  }
  command().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}

/** A TCP port that was free a moment ago, for specs that run a private instance beside the shared one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
