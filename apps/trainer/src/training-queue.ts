/**
 * The trainer's run queue: one run at a time, in arrival order, and at most one active or waiting
 * run per model. A trigger for a model that is already training or waiting is a duplicate and
 * starts nothing (several alerts, a retried message, or a schedule tick during a long run).
 */
import type { TrainingRequest } from '@mlops/schemas';

export type SubmitResult = 'accepted' | 'duplicate' | 'stopped';

export class TrainingQueue {
  private readonly waiting: TrainingRequest[] = [];
  private active: TrainingRequest | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly execute: (request: TrainingRequest) => Promise<void>) {}

  get activeRun(): TrainingRequest | undefined {
    return this.active;
  }

  get waitingRuns(): readonly TrainingRequest[] {
    return this.waiting;
  }

  /** True once stop() was called: a run in progress should end at its next step. */
  get isStopping(): boolean {
    return this.stopped;
  }

  submit(request: TrainingRequest): SubmitResult {
    if (this.stopped) return 'stopped';
    const busy = this.active?.modelName === request.modelName || this.waiting.some((r) => r.modelName === request.modelName);
    if (busy) return 'duplicate';
    this.waiting.push(request);
    this.running ??= this.drain();
    return 'accepted';
  }

  private async drain(): Promise<void> {
    while (!this.stopped && this.waiting.length > 0) {
      this.active = this.waiting.shift();
      try {
        await this.execute(this.active as TrainingRequest);
      } finally {
        this.active = undefined;
      }
    }
    this.running = undefined;
  }

  /** Takes no new runs, drops waiting ones, and resolves when the active run has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.waiting.length = 0;
    await this.running;
  }

  /** Resolves when nothing is active or waiting (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }
}
