/**
 * Child processes of the local platform: each app runs as `node dist/apps/<app>/main.js`, its JSON
 * log lines shown as one readable line each and kept whole in `.run/logs/<app>.log`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export const workspaceRoot = path.resolve(__dirname, '..', '..');

const LEVEL_NAMES: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };

function formatLine(app: string, line: string): string {
  try {
    const entry = JSON.parse(line) as Record<string, unknown>;
    const { level, msg, err } = entry as { level?: string; msg?: string; err?: { message?: string } };
    const extra = err?.message ? ` (${err.message})` : '';
    return `[${app.padEnd(13)}] ${LEVEL_NAMES[level ?? ''] ?? 'INFO '} ${msg ?? line}${extra}`;
  } catch {
    return `[${app.padEnd(13)}] ${line}`;
  }
}

export interface AppProcess {
  app: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export function startApp(app: string, env: NodeJS.ProcessEnv, options: { quiet?: boolean } = {}): AppProcess {
  const logDir = path.join(workspaceRoot, '.run', 'logs');
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = fs.createWriteStream(path.join(logDir, `${app}.log`), { flags: 'a' });
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(workspaceRoot, 'dist', 'apps', app, 'main.js')], {
    cwd: workspaceRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue; // both are pipes (stdio above); this only narrows the type
    readline.createInterface({ input: stream }).on('line', (line) => {
      logFile.write(`${line}\n`);
      if (!options.quiet || /"level":"(warn|error|fatal)"/.test(line) || !line.startsWith('{')) console.log(formatLine(app, line));
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  void exited.then(() => logFile.end());
  return { app, child, exited };
}

/** SIGTERM, then SIGKILL if the app has not exited within `graceMs`. */
export async function stopApp(proc: AppProcess, graceMs = 15_000): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGTERM');
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

export async function waitForHttp(url: string, timeoutMs: number, isDone: (status: number) => boolean = (s) => s === 200): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (isDone(response.status)) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return false;
}
