/**
 * The onnxruntime-node adapter: the only file that imports the native package. One session per
 * model version, created with `create()` and released with `dispose()`.
 */
import * as ort from 'onnxruntime-node';
import os from 'node:os';

export interface EncodedBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
}

export class OnnxClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly numLabels: number,
    private readonly wantsTokenTypeIds: boolean,
  ) {}

  /** `model` is a file path or the ONNX bytes (the trainer checks an export before writing it). */
  static async create(model: string | Uint8Array, options: { intraOpThreads?: number; numLabels: number }): Promise<OnnxClassifier> {
    const modelPath = typeof model === 'string' ? model : 'the exported model';
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.intraOpThreads || os.availableParallelism(),
      interOpNumThreads: 1,
    };
    const session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
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
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', batch.inputIds, dims),
      attention_mask: new ort.Tensor('int64', batch.attentionMask, dims),
    };
    if (this.wantsTokenTypeIds) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(batch.inputIds.length), dims);
    const output = await this.session.run(feeds, ['logits']);
    const logits = output.logits;
    if (logits.dims[0] !== batch.batchSize || logits.dims[1] !== this.numLabels) {
      throw new Error(`logits have shape [${logits.dims.join(', ')}], expected [${batch.batchSize}, ${this.numLabels}]`);
    }
    return logits.data as Float32Array;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
