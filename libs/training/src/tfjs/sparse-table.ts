/**
 * An embedding table updated sparsely with Adam ("lazy Adam"): only the rows a batch touched move,
 * with per-row first and second moments and the global step for bias correction (TensorFlow
 * Addons' LazyAdam). A dense Adam step over a 130,000 × 64 table cost ≈ 230 ms on `wasm`; this
 * one costs the batch's rows. TensorFlow.js still computes the gradient of those rows.
 */
export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: Omit<AdamSettings, 'learningRate'> = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

export class SparseAdamTable {
  readonly values: Float32Array;
  private readonly firstMoment: Float32Array;
  private readonly secondMoment: Float32Array;
  /** Global step count, for bias correction. */
  step = 0;
  /** Scratch: table row → index in the current batch's unique rows, -1 when absent. */
  private readonly slot: Int32Array;

  constructor(readonly rows: number, readonly dim: number, init: (index: number) => number) {
    this.values = Float32Array.from({ length: rows * dim }, (_, i) => init(i));
    this.firstMoment = new Float32Array(rows * dim);
    this.secondMoment = new Float32Array(rows * dim);
    this.slot = new Int32Array(rows).fill(-1);
  }

  /** The batch's distinct rows, and each item's index among them. */
  localize(tableRows: Int32Array): { unique: Int32Array; local: Int32Array } {
    const unique: number[] = [];
    const local = new Int32Array(tableRows.length);
    for (let i = 0; i < tableRows.length; i++) {
      const row = tableRows[i];
      if (this.slot[row] < 0) {
        this.slot[row] = unique.length;
        unique.push(row);
      }
      local[i] = this.slot[row];
    }
    for (const row of unique) this.slot[row] = -1;
    return { unique: Int32Array.from(unique), local };
  }

  /** The values of `rows`, [rows.length, dim], row-major. */
  gather(rows: Int32Array): Float32Array {
    const out = new Float32Array(rows.length * this.dim);
    for (let i = 0; i < rows.length; i++) out.set(this.values.subarray(rows[i] * this.dim, (rows[i] + 1) * this.dim), i * this.dim);
    return out;
  }

  /** One Adam step on `rows` with their gradient ([rows.length, dim]); other rows stay as they are. */
  applyGradient(rows: Int32Array, gradient: Float32Array, adam: AdamSettings): void {
    this.step++;
    const { learningRate, beta1, beta2, epsilon } = adam;
    const correctedRate = (learningRate * Math.sqrt(1 - beta2 ** this.step)) / (1 - beta1 ** this.step);
    const { dim, values, firstMoment: m, secondMoment: v } = this;
    for (let i = 0; i < rows.length; i++) {
      const base = rows[i] * dim;
      const from = i * dim;
      for (let k = 0; k < dim; k++) {
        const g = gradient[from + k];
        const j = base + k;
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        values[j] -= (correctedRate * m[j]) / (Math.sqrt(v[j]) + epsilon);
      }
    }
  }

  /** Values and optimizer state, for checkpoints. */
  state(): { values: Float32Array; firstMoment: Float32Array; secondMoment: Float32Array; step: number } {
    return { values: this.values, firstMoment: this.firstMoment, secondMoment: this.secondMoment, step: this.step };
  }

  restore(state: { values: Float32Array; firstMoment: Float32Array; secondMoment: Float32Array; step: number }): void {
    if (state.values.length !== this.values.length) throw new Error(`table checkpoint has ${state.values.length} values, expected ${this.values.length}`);
    this.values.set(state.values);
    this.firstMoment.set(state.firstMoment);
    this.secondMoment.set(state.secondMoment);
    this.step = state.step;
  }
}
