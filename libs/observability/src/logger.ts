/**
 * One pino root per process; modules take `.child({ component })`. Log fields used across the
 * platform: requestId, topic, partition, offset, modelVersion.
 */
import fs from 'node:fs';
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
    options.destination ?? stdoutDestination(),
  );
}

/**
 * Asynchronous stdout, flushed synchronously at exit by pino. That flush (sonic-boom 4) retries a
 * failed write every 100 ms whatever the error, so a process whose stdout reader has gone (its
 * parent killed) would never exit. It is skipped when stdout refuses even an empty write (EPIPE
 * on the socket a Node parent gives its child): what it holds cannot be written anywhere.
 */
function stdoutDestination(): pino.DestinationStream {
  const fd = 1;
  const destination = pino.destination({ fd, sync: false });
  const flushSync = destination.flushSync.bind(destination);
  destination.flushSync = () => {
    try {
      fs.writeSync(fd, '');
    } catch {
      return;
    }
    flushSync();
  };
  return destination;
}
