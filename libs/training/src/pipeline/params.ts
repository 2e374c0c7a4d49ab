/**
 * The parameters of one training run, with defaults that carry units. A `training.requests`
 * message's `params` and `mlops train --param k=v` override them; unknown keys are an error.
 * The defaults are the measured best fast configuration on this 2-core machine (see README).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { assertValid } from '@mlops/schemas';

const Fraction = (value: number, description: string) => Type.Number({ minimum: 0, maximum: 1, default: value, description });

export const TrainingParams = Type.Object(
  {
    architecture: Type.Union([Type.Literal('auto'), Type.Literal('embedding-bag'), Type.Literal('transformer')], {
      default: 'auto',
      description: "'auto': the transformer when a GPU backend works, else the embedding bag (better accuracy within the CPU time budget)",
    }),
    /** Labelled data file (.tsv/.csv/.jsonl); empty means SST-2's train.tsv under SST2_DIR. */
    dataset: Type.String({ default: '' }),
    vocabulary: Type.Union([Type.Literal('bert'), Type.Literal('learned')], { default: 'bert', description: "'bert': VOCAB_FILE; 'learned': WordPiece learned from the training split" }),
    vocabSize: Type.Integer({ minimum: 200, maximum: 100_000, default: 8000, description: 'tokens, for a learned vocabulary' }),
    maxLength: Type.Integer({ minimum: 8, maximum: 512, default: 64, description: 'tokens, [CLS] and [SEP] included' }),
    epochs: Type.Integer({ minimum: 1, maximum: 100, default: 8 }),
    batchSize: Type.Integer({ minimum: 1, maximum: 1024, default: 64, description: 'examples per step' }),
    learningRate: Type.Number({ exclusiveMinimum: 0, maximum: 1, default: 0.01, description: 'peak rate; decays linearly to 0' }),
    patience: Type.Integer({ minimum: 1, maximum: 20, default: 2, description: 'epochs without a lower validation loss before stopping' }),
    maxTrainingMinutes: Type.Number({ exclusiveMinimum: 0, maximum: 24 * 60, default: 20, description: 'minutes of training before the loop stops' }),
    seed: Type.Integer({ minimum: 0, default: 13 }),
    validationFraction: Fraction(0.05, 'share of the data for validation (early stopping, tuning)'),
    testFraction: Fraction(0.1, 'share of the data for the final test (gates only)'),
    dim: Type.Integer({ minimum: 8, maximum: 1024, default: 64, description: 'embedding / hidden width' }),
    hiddenDim: Type.Integer({ minimum: 0, maximum: 4096, default: 0, description: 'embedding bag: width of the hidden ReLU layer, 0 for none; transformer: FFN width (0 = 4 × dim)' }),
    bigramBuckets: Type.Integer({ minimum: 0, maximum: 2_000_000, default: 100_000, description: 'rows of the hashed bigram table (embedding bag)' }),
    layers: Type.Integer({ minimum: 1, maximum: 12, default: 2, description: 'transformer blocks' }),
    heads: Type.Integer({ minimum: 1, maximum: 16, default: 2, description: 'attention heads' }),
    dropout: Fraction(0.1, 'dropout while training'),
    tuningTrials: Type.Integer({ minimum: 0, maximum: 200, default: 0, description: 'successive-halving trials before the final run; 0 turns tuning off' }),
    tuningEta: Type.Integer({ minimum: 2, maximum: 8, default: 3, description: 'keep 1/eta of the trials per rung' }),
    tuningFixed: Type.Array(Type.String(), { default: [], description: 'parameters tuning leaves at their value' }),
    tuningMinEpochs: Type.Integer({ minimum: 1, maximum: 20, default: 1, description: 'epochs of the first rung' }),
    promote: Type.Boolean({ default: false, description: "move 'production' to the new version when it passes every gate ('candidate' always moves)" }),
    minAccuracy: Fraction(0.85, 'gate: lowest test accuracy'),
    minF1: Fraction(0.85, 'gate: lowest test F1 of POSITIVE'),
    maxRegression: Fraction(0.005, "gate: tolerated test-accuracy drop against 'production'"),
    maxP95LatencyMs: Type.Number({ exclusiveMinimum: 0, default: 20, description: 'gate: p95 single-sentence latency, ms' }),
  },
  { additionalProperties: false },
);
export type TrainingParams = Static<typeof TrainingParams>;

/** Defaults overlaid with `overrides`, validated; throws a VALIDATION_ERROR naming the bad key. */
export function resolveTrainingParams(overrides: Record<string, unknown> = {}): TrainingParams {
  const withDefaults = Value.Default(TrainingParams, structuredClone(overrides)) as Record<string, unknown>;
  return Object.freeze(assertValid(TrainingParams, withDefaults, 'training params'));
}

/** `key=value` pairs from the command line, with numbers and booleans parsed; `a,b` is a list. */
export function parseParamPairs(pairs: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new RangeError(`'${pair}' is not key=value`);
    const raw = pair.slice(eq + 1);
    params[pair.slice(0, eq)] = raw.includes(',') ? raw.split(',').filter(Boolean) : raw === 'true' ? true : raw === 'false' ? false : raw !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  }
  return params;
}

/** The quick default `npm start` trains on a fresh clone: a few epochs, well inside a few minutes. */
export const QUICK_PARAMS: Readonly<Record<string, unknown>> = { epochs: 3, maxTrainingMinutes: 3, promote: true };
