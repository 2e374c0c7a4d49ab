/**
 * Process lifecycle shared by every app's main.ts: start, then on SIGTERM/SIGINT stop in order
 * (the app's `stop` closes intake, drains, disconnects), bounded by a grace period; exit 0 after a
 * clean stop, 1 when startup or shutdown fails. A config error prints its message, not a stack.
 */
import type { Logger } from 'pino';

export interface RunningService {
  logger: Logger;
  /** Longest a graceful stop may take before the process exits anyway, ms. */
  graceMs: number;
  stop(): Promise<void>;
}

export function runService(name: string, start: () => Promise<RunningService>): void {
  let service: RunningService | undefined;
  let stopping = false;

  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (!service) process.exit(0); // nothing started yet, so nothing to drain
    const { logger, graceMs } = service;
    logger.info({ signal, graceMs }, `${name} stopping`);
    const timer = setTimeout(() => {
      logger.error({ graceMs }, `${name} did not stop within the grace period; exiting`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    service.stop().then(
      () => {
        logger.info(`${name} stopped`);
        logger.flush?.();
        setImmediate(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, `${name} failed to stop cleanly`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  start().then(
    (running) => {
      service = running;
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.name === 'ConfigError' ? error.message : error.stack ?? error.message) : String(error);
      process.stderr.write(`${name}: failed to start: ${message}\n`);
      process.exit(1);
    },
  );
}
