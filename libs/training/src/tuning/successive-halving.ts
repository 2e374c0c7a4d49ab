/**
 * Successive halving (Jamieson & Talwalkar): sample `trials` configurations, train each for a few
 * epochs, keep the best 1/eta by validation loss, give the survivors eta× the epochs, and repeat
 * until one is left or the epoch cap is reached. Seeded; scored on the validation split only (the
 * test split is for the final gates). The evaluator decides where trials run: here, one after
 * another, or across trainer replicas through the trials topic.
 */
import { seededRandom } from '../random';
import type { Architecture } from '../tfjs/trainable-model';
import { sampleTrial, type TrialOverrides } from './search-space';

export interface TrialSpec {
  trialId: string;
  rung: number;
  epochs: number;
  overrides: TrialOverrides;
}

export interface TrialResult extends TrialSpec {
  validationLoss: number;
  validationAccuracy: number;
  durationMs: number;
  /** Who ran it (a trainer instance id), when trials are distributed. */
  worker?: string;
}

export type TrialEvaluator = (trials: TrialSpec[]) => Promise<TrialResult[]>;

export interface TuningOptions {
  trials: number;
  /** Keep 1/eta of the trials per rung; survivors get eta× the epochs. */
  eta: number;
  minEpochs: number;
  maxEpochs: number;
  seed: number;
  architecture: Architecture;
  /** Parameters not to search (they keep the run's value). */
  fixed?: readonly string[];
}

export interface TuningReport {
  options: TuningOptions;
  best: TrialResult;
  /** Every trial of every rung, in the order they were scored. */
  results: TrialResult[];
  durationMs: number;
}

export async function successiveHalving(options: TuningOptions, evaluate: TrialEvaluator): Promise<TuningReport> {
  if (options.trials < 1 || options.eta < 2) throw new RangeError(`tuning needs trials >= 1 and eta >= 2 (got ${options.trials}, ${options.eta})`);
  const started = Date.now();
  const random = seededRandom(options.seed);
  const sample = () => Object.fromEntries(Object.entries(sampleTrial(random, options.architecture)).filter(([key]) => !options.fixed?.includes(key)));
  let survivors = Array.from({ length: options.trials }, (_, i) => ({ trialId: `t${i}`, overrides: sample() }));
  const results: TrialResult[] = [];
  let epochs = options.minEpochs;
  for (let rung = 0; ; rung++) {
    const scored = await evaluate(survivors.map((s) => ({ ...s, rung, epochs })));
    results.push(...scored);
    scored.sort((a, b) => a.validationLoss - b.validationLoss);
    const keep = Math.max(1, Math.floor(scored.length / options.eta));
    if (scored.length === 1 || epochs >= options.maxEpochs) break;
    survivors = scored.slice(0, keep).map(({ trialId, overrides }) => ({ trialId, overrides }));
    epochs = Math.min(options.maxEpochs, epochs * options.eta);
  }
  const lastRung = Math.max(...results.map((r) => r.rung));
  const best = results.filter((r) => r.rung === lastRung).sort((a, b) => a.validationLoss - b.validationLoss)[0];
  return { options, best, results, durationMs: Date.now() - started };
}
