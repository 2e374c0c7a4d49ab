/**
 * One pino root per process; modules take `.child({ component })`. Log fields used across the
 * platform: requestId, topic, partition, offset, modelVersion.
 */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(options: { app: string; level?: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      name: options.app,
      level: options.level ?? 'info',
      base: { app: options.app, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
