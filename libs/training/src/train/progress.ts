/**
 * Training progress: on a terminal, one line rewritten in place (epoch, step, loss, accuracy,
 * ETA); otherwise the same figures as structured log lines, at most one every `intervalMs`, plus
 * one per epoch.
 */
export interface StepProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Running means over the epoch so far. */
  loss: number;
  accuracy: number;
  /** ms until the planned epochs end at the current pace (early stopping may end sooner). */
  etaMs: number;
}

/** One finished epoch: its training and validation figures. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  validationLoss: number;
  validationAccuracy: number;
  epochMs: number;
}

export interface EpochProgress extends EpochRecord {
  /** The validation loss is the lowest so far. */
  improved: boolean;
}

export interface ProgressReporter {
  step(progress: StepProgress): void;
  epoch(progress: EpochProgress): void;
  message(text: string, fields?: Record<string, unknown>): void;
}

/** Anything with pino's `info(fields, message)`. */
export interface StructuredLog {
  info(fields: Record<string, unknown>, message: string): void;
}

export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

export class TerminalProgress implements ProgressReporter {
  private lastDraw = 0;
  constructor(private readonly stream: NodeJS.WriteStream) {}

  step(p: StepProgress): void {
    const now = Date.now();
    if (now - this.lastDraw < 100 && p.step < p.stepsPerEpoch) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round((width * p.step) / p.stepsPerEpoch);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    const line = `epoch ${p.epoch}/${p.epochs} ${bar} step ${p.step}/${p.stepsPerEpoch}  loss ${p.loss.toFixed(4)}  acc ${(100 * p.accuracy).toFixed(1)}%  ETA ${formatDuration(p.etaMs)}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns || 120) - 1)}\x1b[K`);
  }

  epoch(p: EpochProgress): void {
    this.stream.write(
      `\r\x1b[Kepoch ${p.epoch}: train loss ${p.trainLoss.toFixed(4)} acc ${(100 * p.trainAccuracy).toFixed(1)}% | validation loss ${p.validationLoss.toFixed(4)} acc ${(100 * p.validationAccuracy).toFixed(2)}%${p.improved ? ' (best)' : ''} | ${formatDuration(p.epochMs)}\n`,
    );
  }

  message(text: string): void {
    this.stream.write(`\r\x1b[K${text}\n`);
  }
}

export class LogProgress implements ProgressReporter {
  private lastStepLog = 0;
  constructor(private readonly log: StructuredLog, private readonly intervalMs = 10_000) {}

  step(p: StepProgress): void {
    const now = Date.now();
    if (now - this.lastStepLog < this.intervalMs) return;
    this.lastStepLog = now;
    this.log.info(
      { event: 'training-step', ...p, etaMs: Math.round(p.etaMs) },
      `epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch} loss ${p.loss.toFixed(4)} accuracy ${(100 * p.accuracy).toFixed(1)}% ETA ${formatDuration(p.etaMs)}`,
    );
  }

  epoch(p: EpochProgress): void {
    this.log.info(
      { event: 'training-epoch', ...p },
      `epoch ${p.epoch}: train loss ${p.trainLoss.toFixed(4)}, validation loss ${p.validationLoss.toFixed(4)} accuracy ${(100 * p.validationAccuracy).toFixed(2)}%${p.improved ? ' (best)' : ''}, ${formatDuration(p.epochMs)}`,
    );
  }

  message(text: string, fields: Record<string, unknown> = {}): void {
    this.log.info(fields, text);
  }
}

/** Reports nothing: for tests and tuning trials. */
const ignore = (): void => undefined;
export const SILENT_PROGRESS: ProgressReporter = { step: ignore, epoch: ignore, message: ignore };

/** A terminal gets the live line; anything else gets structured lines through `log`. */
export function progressFor(stream: NodeJS.WriteStream, log: StructuredLog): ProgressReporter {
  return stream.isTTY ? new TerminalProgress(stream) : new LogProgress(log);
}
