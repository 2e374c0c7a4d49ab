/**
 * An ONNX Runtime session on a worker thread. onnxruntime-node runs a session synchronously on the
 * calling thread, so a model run of tens of milliseconds would stall everything else a service does
 * meanwhile (Kafka fetches, heartbeats, sending the previous batch's replies). On a worker the event
 * loop keeps moving while the model computes, and the next batch is ready when the model is.
 *
 * Part of the onnxruntime-node adapter: the worker loads the package by the path this module resolves,
 * so it runs the same way from sources (tsx) and from a bundle (the package stays external).
 */
import { Worker } from 'node:worker_threads';

export interface SessionTensor {
  data: BigInt64Array;
  dims: number[];
}

export interface SessionOutput {
  data: Float32Array;
  dims: readonly number[];
}

/** Serializable ONNX Runtime session options (the subset the classifier sets). */
export type PlainSessionOptions = object;

/** The worker's own code: plain JavaScript, evaluated by `new Worker(..., { eval: true })`. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ortPath);
let session;
ort.InferenceSession.create(workerData.model, workerData.options).then(
  (opened) => {
    session = opened;
    parentPort.postMessage({ type: 'ready', inputNames: opened.inputNames, outputNames: opened.outputNames });
  },
  (error) => parentPort.postMessage({ type: 'failed', message: String(error && error.message || error) }),
);
// One message at a time, in order: a release waits for the runs sent before it.
let queue = Promise.resolve();
parentPort.on('message', (message) => {
  queue = queue.then(() => (message.type === 'release' ? release() : run(message)));
});
async function release() {
  if (session) await session.release();
  parentPort.close();
}
async function run(message) {
  try {
    const feeds = {};
    for (const [name, tensor] of Object.entries(message.feeds)) feeds[name] = new ort.Tensor('int64', tensor.data, tensor.dims);
    const output = (await session.run(feeds, [message.output]))[message.output];
    const data = output.data;
    parentPort.postMessage({ type: 'result', id: message.id, data, dims: output.dims }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ type: 'result', id: message.id, error: String(error && error.message || error) });
  }
}
`;

interface Pending {
  resolve: (output: SessionOutput) => void;
  reject: (error: Error) => void;
}

export class WorkerSession {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {
    worker.on('message', (message: { type: string; id: number; error?: string } & SessionOutput) => {
      if (message.type !== 'result') return;
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (this.pending.size === 0) worker.unref();
      if (message.error !== undefined) waiting?.reject(new Error(message.error));
      else waiting?.resolve({ data: message.data, dims: message.dims });
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the ONNX Runtime worker exited (code ${code})`)));
    // An idle session must not keep the process alive; a run in progress does (see run()).
    worker.unref();
  }

  static async create(model: string | Uint8Array, options: PlainSessionOptions): Promise<WorkerSession> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ortPath: require.resolve('onnxruntime-node'), model, options } });
    const opened = await new Promise<{ inputNames: string[]; outputNames: string[] }>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: { type: string; message?: string; inputNames: string[]; outputNames: string[] }) => {
        if (message.type === 'ready') resolve(message);
        else reject(new Error(message.message));
      });
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return new WorkerSession(worker, opened.inputNames, opened.outputNames);
  }

  /** True once the worker has died (a crash in native code, or killed): every run would fail. */
  get dead(): boolean {
    return this.failure !== null;
  }

  /** Runs the session on the worker; the inputs are copied, the output is handed over. */
  run(feeds: Record<string, SessionTensor>, output: string): Promise<SessionOutput> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ type: 'run', id, feeds, output });
    });
  }

  /** Releases the session and ends the worker once runs in progress have finished. */
  async release(): Promise<void> {
    if (this.failure) return;
    const released = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref();
    this.worker.postMessage({ type: 'release' });
    await released;
  }
}
