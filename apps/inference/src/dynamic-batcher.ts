/**
 * Dynamic batching for one model version, in the manner of Triton's dynamic batcher.
 *
 * Requests queue up; whenever the model has room (fewer than `maxConcurrentBatches` batches
 * running, one per model session) the batcher takes up to `maxBatchSize` sequences and runs them.
 * While batches run, new requests accumulate, so batches fill by themselves under load and an idle
 * model adds no delay. A batch takes no more than its session's fair share of the work in hand, so
 * a backlog runs in the largest batches while a moderate load stays spread over all sessions.
 * `maxQueueDelayMs` > 0 lets a partial batch wait that long for company. The queue is bounded (`maxQueuedSequences`): past it, `enqueue` refuses with
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
  /** `alone`: nothing else runs or waits, so the batch may take every core (a solo session). */
  predict(texts: string[], options?: { alone?: boolean }): Promise<Prediction[]>;
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
  /** Batches run at the same time (the model's sessions); default 1. */
  maxConcurrentBatches?: number;
  maxQueueDelayMs: number;
  maxQueuedSequences: number;
}

export class DynamicBatcher {
  private readonly queue: Queued[] = [];
  private queuedSequences = 0;
  private runningSequences = 0;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;

  constructor(
    private readonly runner: BatchRunner,
    private readonly options: BatcherOptions,
    private readonly observer: BatchObserver = {},
  ) {}

  get pendingSequences(): number {
    return this.queuedSequences;
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.running.size === 0;
  }

  enqueue(item: BatchItem): Promise<BatchResult> {
    if (this.queuedSequences + item.texts.length > this.options.maxQueuedSequences) {
      return Promise.reject(new PlatformError('OVERLOADED', `the model queue is full (${this.queuedSequences} sequences waiting)`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ ...item, enqueuedAt: performance.now(), resolve, reject });
      this.queuedSequences += item.texts.length;
      this.schedulePump();
    });
  }

  /** Resolves once everything queued so far has run (for graceful shutdown and hot swap). */
  async drain(): Promise<void> {
    while (!this.idle) {
      if (this.running.size > 0) await Promise.race(this.running);
      else await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /**
   * Runs queued work on the free batch slots. From `enqueue` it is deferred to the end of the
   * current turn, so the requests of one Kafka fetch (enqueued in one go) form one batch instead of
   * the first running alone.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const freeSlots = (this.options.maxConcurrentBatches ?? 1) - this.running.size;
    if (freeSlots <= 0 || this.queue.length === 0) return;
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
    const batches = this.takeBatches(freeSlots);
    const alone = batches.length === 1 && this.running.size === 0 && this.queue.length === 0;
    for (const batch of batches) {
      const running: Promise<void> = this.runBatch(batch, alone).finally(() => {
        this.running.delete(running);
        this.pump();
      });
      this.running.add(running);
    }
  }

  /**
   * Work for up to `slots` batches: the oldest requests, at most `slots × maxBatchSize` sequences,
   * shared evenly between the slots so every free session computes. Within that take, requests are
   * grouped by text length, so a batch's rows pad to similar lengths.
   */
  private takeBatches(slots: number): Queued[][] {
    const taken = this.takeBatch(slots * this.batchLimit());
    if (slots === 1 || taken.length <= 1) return taken.length > 0 ? [taken] : [];
    const sequences = taken.reduce((sum, item) => sum + item.texts.length, 0);
    const perBatch = Math.ceil(sequences / Math.min(slots, taken.length));
    taken.sort((a, b) => textLength(a) - textLength(b));
    const batches: Queued[][] = [];
    let current: Queued[] = [];
    let size = 0;
    for (const item of taken) {
      if (current.length > 0 && size + item.texts.length > perBatch) {
        batches.push(current);
        current = [];
        size = 0;
      }
      current.push(item);
      size += item.texts.length;
    }
    batches.push(current);
    // Whole requests may not pack into `slots` even shares: what is left over waits at the front.
    for (const extra of batches.splice(slots).reverse()) {
      this.queue.unshift(...extra);
      this.queuedSequences += extra.reduce((sum, item) => sum + item.texts.length, 0);
    }
    return batches;
  }

  /**
   * The most sequences one batch takes now: `maxBatchSize`, and no more than an even share of the
   * sequences in hand (queued and running) over the sessions. A session freeing up with 40 queued
   * while the other computes 24 takes 32, not 40: the other, freeing next, finds work alongside
   * instead of running a handful (and the 40 wait no longer than their neighbours). Under a backlog
   * the share exceeds `maxBatchSize` and batches are full.
   */
  private batchLimit(): number {
    const sessions = this.options.maxConcurrentBatches ?? 1;
    const share = Math.ceil((this.queuedSequences + this.runningSequences) / sessions);
    return Math.max(1, Math.min(this.options.maxBatchSize, share));
  }

  /** Oldest first, whole requests only, up to `limit` sequences (a larger request runs alone). */
  private takeBatch(limit: number): Queued[] {
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
      if (batch.length > 0 && sequences + next.texts.length > limit) break;
      this.queue.shift();
      this.queuedSequences -= next.texts.length;
      batch.push(next);
      sequences += next.texts.length;
    }
    return batch;
  }

  private async runBatch(batch: Queued[], alone: boolean): Promise<void> {
    if (batch.length === 0) return;
    const startedAt = performance.now();
    const texts = batch.flatMap((item) => item.texts);
    this.runningSequences += texts.length;
    try {
      const predictions = await this.runner.predict(texts, { alone });
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
    } finally {
      this.runningSequences -= texts.length;
    }
  }
}

/** Characters in a request's longest text: a cheap stand-in for its token length. */
function textLength(item: Queued): number {
  let longest = 0;
  for (const text of item.texts) longest = Math.max(longest, text.length);
  return longest;
}
