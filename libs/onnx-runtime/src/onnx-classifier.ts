/**
 * The onnxruntime-node adapter: the only file, with its worker (session-worker.ts), that imports the
 * native package. One session per model version, created with `create()` and released with
 * `dispose()`; on the calling thread, or on a worker thread so a service's event loop keeps moving
 * while the model runs.
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
}

/** What the classifier needs of a session, on this thread or on a worker. */
interface Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
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
  private constructor(
    private readonly session: Session,
    readonly numLabels: number,
    private readonly wantsTokenTypeIds: boolean,
  ) {}

  /** `model` is a file path or the ONNX bytes (the trainer checks an export before writing it). */
  static async create(model: string | Uint8Array, options: ClassifierOptions): Promise<OnnxClassifier> {
    const modelPath = typeof model === 'string' ? model : 'the exported model';
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads || os.availableParallelism(),
      interOpNumThreads: 1,
    };
    const session = options.thread === 'worker' ? await WorkerSession.create(model, sessionOptions) : await CallerSession.create(model, sessionOptions);
    for (const name of ['input_ids', 'attention_mask']) {
      if (!session.inputNames.includes(name)) {
        await session.release();
        throw new Error(`${modelPath}: the model has no '${name}' input (inputs: ${session.inputNames.join(', ')})`);
      }
    }
    if (!session.outputNames.includes('logits')) {
      await session.release();
      throw new Error(`${modelPath}: the model has no 'logits' output (outputs: ${session.outputNames.join(', ')})`);
    }
    return new OnnxClassifier(session, options.numLabels, session.inputNames.includes('token_type_ids'));
  }

  /** Row-major logits, [batchSize, numLabels]. */
  async logits(batch: EncodedBatch): Promise<Float32Array> {
    const dims = [batch.batchSize, batch.sequenceLength];
    const feeds: Record<string, SessionTensor> = {
      input_ids: { data: batch.inputIds, dims },
      attention_mask: { data: batch.attentionMask, dims },
    };
    if (this.wantsTokenTypeIds) feeds.token_type_ids = { data: new BigInt64Array(batch.inputIds.length), dims };
    const logits = await this.session.run(feeds, 'logits');
    if (logits.dims[0] !== batch.batchSize || logits.dims[1] !== this.numLabels) {
      throw new Error(`logits have shape [${logits.dims.join(', ')}], expected [${batch.batchSize}, ${this.numLabels}]`);
    }
    return logits.data;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
