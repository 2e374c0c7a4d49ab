/**
 * The onnxruntime-node adapter: the only file, with its worker (session-worker.ts), that imports the
 * native package. A classifier is one model version, created with `create()` and released with
 * `dispose()`; its sessions run on the calling thread, or on worker threads so a service's event
 * loop keeps moving while the model runs.
 *
 * Several sessions of one model (`sessions` > 1, each with `intraOpThreads`) run batches side by
 * side. On a small machine shared with other processes, two single-threaded sessions beat one
 * two-threaded session: no barrier between threads waits for a thread the OS preempted, and one
 * session computes while the other's results travel back (tools/bench/README.md, "What each
 * change bought").
 *
 * With `soloThreads`, a further session holds all of those threads and runs a batch that arrives
 * while the model is otherwise idle: one text at concurrency 1 then computes on every core (about
 * 11 ms instead of 20 for DistilBERT-base on two cores) instead of on one while the others idle.
 * A run that arrives meanwhile starts beside it on a parallel session rather than wait: in process,
 * waiting cost 5-13% of the throughput at concurrency 2, sharing the cores for a moment nothing
 * measurable. It costs one more copy of the weights in memory.
 */
import * as ort from 'onnxruntime-node';
import os from 'node:os';
import { WorkerSession, type PlainSessionOptions, type SessionOutput, type SessionTensor } from './session-worker';

export interface EncodedBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
}

export interface ClassifierOptions {
  /** Intra-op threads; 0 or absent = one per core. */
  intraOpThreads?: number;
  numLabels: number;
  /** 'worker' runs the session off the calling thread (for services); default 'caller'. */
  thread?: 'caller' | 'worker';
  /** Sessions of the model that run batches in parallel (worker threads only); default 1. */
  sessions?: number;
  /** Threads of a further session for a batch that arrives while the model is idle (worker threads only); 0 or absent: none. */
  soloThreads?: number;
}

export interface RunOptions {
  /** Take the solo session (every thread) if there is one and no other run is in progress: for work nothing else waits behind. */
  solo?: boolean;
}

/** What the classifier needs of a session, on this thread or on a worker. */
interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** A session that can no longer run (its worker died); the classifier opens a new one. */
  readonly dead?: boolean;
  run(feeds: Record<string, SessionTensor>, output: string): Promise<SessionOutput>;
  release(): Promise<void>;
}

class CallerSession implements Session {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(model: string | Uint8Array, options: PlainSessionOptions): Promise<CallerSession> {
    const sessionOptions = options as ort.InferenceSession.SessionOptions;
    return new CallerSession(typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions));
  }

  get inputNames() {
    return this.session.inputNames;
  }

  get outputNames() {
    return this.session.outputNames;
  }

  async run(feeds: Record<string, SessionTensor>, output: string): Promise<SessionOutput> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(feeds)) tensors[name] = new ort.Tensor('int64', tensor.data, tensor.dims);
    const result = (await this.session.run(tensors, [output]))[output];
    return { data: result.data as Float32Array, dims: result.dims };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export class OnnxClassifier {
  /** Runs in progress per session, to send each run to the least busy one. */
  private readonly busy: number[];
  /** A session being opened in place of a dead one, per index. */
  private readonly reopening: (Promise<Session> | undefined)[] = [];
  /** Runs started per session (the parallel ones, then the solo one). */
  private readonly started: number[];

  /**
   * `sessions` holds the parallel sessions, then the solo one if there is one; `open(i)` opens a
   * fresh session like `sessions[i]`.
   */
  private constructor(
    private readonly sessions: Session[],
    private readonly open: (index: number) => Promise<Session>,
    /** How many of `sessions` run batches side by side (the rest is the solo session). */
    readonly parallelism: number,
    readonly numLabels: number,
    private readonly wantsTokenTypeIds: boolean,
  ) {
    this.busy = sessions.map(() => 0);
    this.started = sessions.map(() => 0);
  }

  /** Runs started so far per session: the parallel sessions, then the solo one if open. */
  get runsPerSession(): readonly number[] {
    return [...this.started];
  }

  /** Whether a solo session (every thread, for a batch that arrives while the model is idle) is open. */
  get hasSoloSession(): boolean {
    return this.sessions.length > this.parallelism;
  }

  /** `model` is a file path or the ONNX bytes (the trainer checks an export before writing it). */
  static async create(model: string | Uint8Array, options: ClassifierOptions): Promise<OnnxClassifier> {
    const modelPath = typeof model === 'string' ? model : 'the exported model';
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads || os.availableParallelism(),
      interOpNumThreads: 1,
    };
    const count = options.sessions ?? 1;
    const soloThreads = options.soloThreads ?? 0;
    if ((count > 1 || soloThreads > 0) && options.thread !== 'worker') {
      const what = count > 1 ? `${count} sessions need` : 'a solo session needs';
      throw new Error(`${what} thread 'worker': sessions on the calling thread cannot run side by side`);
    }
    // The solo session's threads sleep between parallel sections instead of spinning: it runs when
    // the machine is otherwise quiet, and a spinning thread would take CPU from whatever wakes next.
    const soloOptions = { ...sessionOptions, intraOpNumThreads: soloThreads, extra: { session: { intra_op: { allow_spinning: '0' } } } };
    // Sessions 0..count-1 run side by side; index `count` is the solo session.
    const open = (index: number): Promise<Session> => {
      if (index === count) return WorkerSession.create(model, soloOptions);
      return options.thread === 'worker' ? WorkerSession.create(model, sessionOptions) : CallerSession.create(model, sessionOptions);
    };
    const total = count + (soloThreads > 0 ? 1 : 0);
    const first = await open(0);
    const problem = signatureProblem(first);
    if (problem) {
      await first.release();
      throw new Error(`${modelPath}: ${problem}`);
    }
    const sessions: Session[] = [first];
    try {
      while (sessions.length < total) sessions.push(await open(sessions.length));
    } catch (error) {
      await Promise.all(sessions.map((s) => s.release()));
      throw error;
    }
    return new OnnxClassifier(sessions, open, count, options.numLabels, first.inputNames.includes('token_type_ids'));
  }

  /** Closes the solo session (a model too small for threads to pay); runs use the parallel sessions. */
  async closeSoloSession(): Promise<void> {
    if (!this.hasSoloSession) return;
    const [solo] = this.sessions.splice(this.parallelism);
    this.busy.splice(this.parallelism);
    this.started.splice(this.parallelism);
    await solo.release();
  }

  /** Row-major logits, [batchSize, numLabels]. */
  async logits(batch: EncodedBatch, options: RunOptions = {}): Promise<Float32Array> {
    const dims = [batch.batchSize, batch.sequenceLength];
    const feeds: Record<string, SessionTensor> = {
      input_ids: { data: batch.inputIds, dims },
      attention_mask: { data: batch.attentionMask, dims },
    };
    if (this.wantsTokenTypeIds) feeds.token_type_ids = { data: new BigInt64Array(batch.inputIds.length), dims };
    const solo = options.solo === true && this.hasSoloSession && this.busy.every((runs) => runs === 0);
    let chosen = solo ? this.parallelism : 0;
    if (!solo) for (let i = 1; i < this.parallelism; i++) if (this.busy[i] < this.busy[chosen]) chosen = i;
    this.busy[chosen] += 1;
    this.started[chosen] += 1;
    const logits = await this.runOn(chosen, feeds).finally(() => (this.busy[chosen] -= 1));
    if (logits.dims[0] !== batch.batchSize || logits.dims[1] !== this.numLabels) {
      throw new Error(`logits have shape [${logits.dims.join(', ')}], expected [${batch.batchSize}, ${this.numLabels}]`);
    }
    return logits.data;
  }

  /** Runs on one session, first replacing it if its worker has died (the batch that saw it die failed). */
  private async runOn(index: number, feeds: Record<string, SessionTensor>): Promise<SessionOutput> {
    if (this.sessions[index].dead) {
      this.reopening[index] ??= this.open(index)
        .then((fresh) => (this.sessions[index] = fresh))
        .finally(() => (this.reopening[index] = undefined));
      await this.reopening[index];
    }
    return this.sessions[index].run(feeds, 'logits');
  }

  async dispose(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.release()));
  }
}

/** What keeps a model from being served as a classifier, if anything. */
function signatureProblem(session: Session): string | undefined {
  for (const name of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(name)) return `the model has no '${name}' input (inputs: ${session.inputNames.join(', ')})`;
  }
  if (!session.outputNames.includes('logits')) return `the model has no 'logits' output (outputs: ${session.outputNames.join(', ')})`;
  return undefined;
}
