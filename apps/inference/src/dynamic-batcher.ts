/**
 * Dynamic batching for one model version, in the manner of Triton's dynamic batcher.
 *
 * Requests queue up; whenever the model is idle the batcher takes up to `maxBatchSize` sequences
 * and runs them. While a batch runs, new requests accumulate, so batches fill by themselves under
 * load and an idle model adds no delay. `maxQueueDelayMs` > 0 lets a partial batch wait that long
 * for company. The queue is bounded (`maxQueuedSequences`): past it, `enqueue` refuses with
 * OVERLOADED at once instead of letting memory and latency grow.
 *
 * A request's texts always run in one model batch, so one request sees one model version.
 */
import { PlatformError, type Prediction } from '@mlops/schemas';

export interface BatchItem {
  texts: string[];
  /** Epoch ms after which nobody waits for the answer. */
  deadline: number;
}

export interface BatchResult {
  predictions: Prediction[];
  queueMs: number;
  inferenceMs: number;
  batchSize: number;
}

export interface BatchRunner {
  predict(texts: string[]): Promise<Prediction[]>;
}

export interface BatchObserver {
  onBatch?(stats: { batchSize: number; queueMs: number[]; inferenceMs: number }): void;
}

interface Queued extends BatchItem {
  enqueuedAt: number;
  resolve: (result: BatchResult) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  maxBatchSize: number;
  maxQueueDelayMs: number;
  maxQueuedSequences: number;
}

export class DynamicBatcher {
  private readonly queue: Queued[] = [];
  private queuedSequences = 0;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly runner: BatchRunner,
    private readonly options: BatcherOptions,
    private readonly observer: BatchObserver = {},
  ) {}

  get pendingSequences(): number {
    return this.queuedSequences;
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.running === null;
  }

  enqueue(item: BatchItem): Promise<BatchResult> {
    if (this.queuedSequences + item.texts.length > this.options.maxQueuedSequences) {
      return Promise.reject(new PlatformError('OVERLOADED', `the model queue is full (${this.queuedSequences} sequences waiting)`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, enqueuedAt: performance.now(), resolve, reject });
      this.queuedSequences += item.texts.length;
      this.pump();
    });
  }

  /** Resolves once everything queued so far has run (for graceful shutdown and hot swap). */
  async drain(): Promise<void> {
    while (!this.idle) {
      if (this.running) await this.running;
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private pump(): void {
    if (this.running || this.queue.length === 0) return;
    const waitedMs = performance.now() - this.queue[0].enqueuedAt;
    const full = this.queuedSequences >= this.options.maxBatchSize;
    if (!full && waitedMs < this.options.maxQueueDelayMs) {
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.options.maxQueueDelayMs - waitedMs);
      return;
    }
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.running = this.runBatch(this.takeBatch()).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  /** Oldest first, whole requests only, up to maxBatchSize sequences (a larger request runs alone). */
  private takeBatch(): Queued[] {
    const batch: Queued[] = [];
    let sequences = 0;
    const now = Date.now();
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (next.deadline <= now) {
        this.queue.shift();
        this.queuedSequences -= next.texts.length;
        next.reject(new PlatformError('DEADLINE_EXCEEDED', 'the request deadline passed while it waited for the model'));
        continue;
      }
      if (batch.length > 0 && sequences + next.texts.length > this.options.maxBatchSize) break;
      this.queue.shift();
      this.queuedSequences -= next.texts.length;
      batch.push(next);
      sequences += next.texts.length;
    }
    return batch;
  }

  private async runBatch(batch: Queued[]): Promise<void> {
    if (batch.length === 0) return;
    const startedAt = performance.now();
    const texts = batch.flatMap((item) => item.texts);
    try {
      const predictions = await this.runner.predict(texts);
      const inferenceMs = performance.now() - startedAt;
      const queueMs = batch.map((item) => startedAt - item.enqueuedAt);
      this.observer.onBatch?.({ batchSize: texts.length, queueMs, inferenceMs });
      let offset = 0;
      batch.forEach((item, i) => {
        item.resolve({ predictions: predictions.slice(offset, offset + item.texts.length), queueMs: queueMs[i], inferenceMs, batchSize: texts.length });
        offset += item.texts.length;
      });
    } catch (error) {
      const failure = new PlatformError('INFERENCE_FAILED', `the model failed on a batch of ${texts.length}: ${(error as Error).message}`, { cause: error });
      for (const item of batch) item.reject(failure);
    }
  }
}
