/**
 * What both architectures share: an embedding table updated sparsely (sparse-table.ts) plus dense
 * TensorFlow.js variables updated by tf's Adam, one training step, inference, and checkpoints that
 * hold weights and both optimizers' state (so a resumed run continues exactly).
 *
 * A subclass says which table rows a batch reads (`tableRows`) and computes logits from those
 * rows, gathered into a small tensor, and each item's index into it (`forward`).
 */
import * as tf from '@tensorflow/tfjs';
import { ADAM_DEFAULTS, SparseAdamTable } from './sparse-table';
import type { Architecture, StepResult, TokenBatch, TrainableModel, WeightArrays } from './trainable-model';

export abstract class TableModel<Features> implements TrainableModel {
  abstract readonly architecture: Architecture;
  abstract readonly description: Record<string, number | string>;
  protected readonly optimizer = tf.train.adam(0.001, ADAM_DEFAULTS.beta1, ADAM_DEFAULTS.beta2, ADAM_DEFAULTS.epsilon);
  protected stepCount = 0;
  /** Distinguishes this model's variables from another model's in the same process. */
  private readonly instance = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

  protected constructor(
    readonly table: SparseAdamTable,
    protected readonly numLabels: number,
    protected readonly seed: number,
  ) {}

  protected abstract readonly dense: Record<string, tf.Variable>;

  /** Per-batch inputs of `forward` and the table rows they read, item by item. */
  protected abstract features(batch: TokenBatch): { features: Features; rows: Int32Array };

  /** Logits [batch, labels] from `rows` ([distinct rows, dim]) and each item's index into it. */
  protected abstract forward(rows: tf.Tensor2D, local: Int32Array, features: Features, training: boolean): tf.Tensor2D;

  abstract exportOnnx(metadata: Record<string, string>): Uint8Array;

  /** A variable holding `values`. Made inside tidy: the variable shares the initial tensor's data, and that tensor must not outlive it. */
  protected variable(name: string, values: Float32Array, shape: number[]): tf.Variable {
    return tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${name}-${this.instance}`));
  }

  trainStep(batch: TokenBatch, labels: Int32Array, learningRate: number): StepResult {
    this.stepCount++;
    const { features, rows: tableRows } = this.features(batch);
    const { unique, local } = this.table.localize(tableRows);
    const rows = tf.tidy(() => tf.variable(tf.tensor2d(this.table.gather(unique), [unique.length, this.table.dim]), true, `rows-${this.instance}-${this.stepCount}`));
    // tf's Adam reads its (protected) rate on every applyGradients; the loop decays it per step.
    (this.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
    const { value, grads, correct } = tf.tidy(() => {
      const target = tf.tensor1d(labels, 'int32');
      const predicted: tf.Tensor[] = [];
      const result = tf.variableGrads(() => {
        const logits = this.forward(rows, local, features, true);
        predicted.push(tf.keep(tf.argMax(logits, 1)));
        return tf.losses.softmaxCrossEntropy(tf.oneHot(target, this.numLabels), logits) as tf.Scalar;
      }, [rows, ...Object.values(this.dense)]);
      const hits = tf.sum(tf.cast(tf.equal(predicted[0], target), 'int32'));
      predicted[0].dispose(); // kept out of variableGrads' scope, so tidy does not own it
      return { value: result.value, grads: result.grads, correct: hits };
    });
    const rowGradient = grads[rows.name];
    const denseGrads = Object.entries(grads).filter(([name]) => name !== rows.name).map(([name, tensor]) => ({ name, tensor }));
    this.optimizer.applyGradients(denseGrads);
    this.table.applyGradient(unique, rowGradient.dataSync() as Float32Array, { learningRate, ...ADAM_DEFAULTS });
    const result = { loss: value.dataSync()[0], correct: correct.dataSync()[0] };
    tf.dispose([value, correct, rows, ...Object.values(grads)]);
    return result;
  }

  logits(batch: TokenBatch): Float32Array {
    const { features, rows: tableRows } = this.features(batch);
    const { unique, local } = this.table.localize(tableRows);
    const logits = tf.tidy(() => this.forward(tf.tensor2d(this.table.gather(unique), [unique.length, this.table.dim]), local, features, false));
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return values;
  }

  protected read(name: string): Float32Array {
    return Float32Array.from(this.dense[name].dataSync());
  }

  async checkpoint(): Promise<WeightArrays> {
    const table = this.table.state();
    const dense = Object.fromEntries(Object.entries(this.dense).map(([name, variable]) => [`dense/${name}`, variable.dataSync() as Float32Array]));
    // tf's Adam: [iterations, first moments..., second moments...], in the order of our variables.
    const adam = await this.optimizer.getWeights();
    const optimizerState = Object.fromEntries(adam.map((weight, i) => [`adam/${i}`, Float32Array.from(weight.tensor.dataSync())]));
    adam[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the moments are the live variables
    return {
      'table/values': table.values,
      'table/m': table.firstMoment,
      'table/v': table.secondMoment,
      'table/step': Float32Array.of(table.step),
      step: Float32Array.of(this.stepCount),
      ...dense,
      ...optimizerState,
    };
  }

  async restore(state: WeightArrays): Promise<void> {
    this.table.restore({ values: state['table/values'], firstMoment: state['table/m'], secondMoment: state['table/v'], step: state['table/step'][0] });
    this.stepCount = state.step[0];
    const variables = Object.entries(this.dense);
    for (const [name, variable] of variables) {
      const values = state[`dense/${name}`];
      if (!values || values.length !== variable.size) throw new Error(`checkpoint weight ${name}: expected ${variable.size} values, got ${values?.length ?? 'none'}`);
      tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
    }
    if (!state['adam/0']) return;
    // setWeights makes new moment variables from our tensors and drops the old ones without freeing them.
    const previous = await this.optimizer.getWeights();
    const moments = [...variables, ...variables].map(([, variable], i) => ({ name: variable.name, tensor: tf.tensor(state[`adam/${i + 1}`], variable.shape) }));
    const iterations = tf.scalar(state['adam/0'][0], 'int32');
    await this.optimizer.setWeights([{ name: 'iter', tensor: iterations }, ...moments]);
    tf.dispose([iterations, ...moments.map((m) => m.tensor), ...previous.map((p) => p.tensor)]);
  }

  dispose(): void {
    for (const variable of Object.values(this.dense)) variable.dispose();
    this.optimizer.dispose();
  }
}
