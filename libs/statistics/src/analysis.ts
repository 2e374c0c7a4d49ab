/**
 * The analysis of an experiment from per-variant counts or means: each treatment against the
 * control, with the SRM check, the effect and its interval, fixed-horizon and always-valid
 * p-values corrected for the number of treatments, the effect size, the achieved power and a
 * decision (see decision.ts). The ab-router feeds it and acts on the decisions.
 *
 * Choices, each for a reason:
 * - Intervals are at level 1 − alpha/m for m treatments (Bonferroni-simultaneous), so they agree
 *   with the corrected decisions; conservative under Holm or BH.
 * - Achieved power is the power to detect the minimum detectable effect at the current group
 *   sizes and per-comparison level alpha/m — not the "observed power", which only restates p.
 * - The mSPRT mixing variance defaults to MDE², which puts its power where the experiment needs it.
 * - A variant too small for its test (proportions: no observations; means: fewer than 2, or no
 *   variance in either group) makes its comparison `ready: false` and 'keep-running'; it still
 *   counts in m, with p = 1, so corrections never get laxer as data arrives.
 */
import { checkAlpha, checkCount, checkPositive, checkProbability, fail } from './errors';
import { sampleRatioMismatch, SRM_THRESHOLD, type SampleRatioCheck } from './chi-squared';
import { adjustPValues, type CorrectionMethod } from './corrections';
import { decide, type Decision, type StoppingRule } from './decision';
import { welchTTest, welchVariance, type MeanSample } from './means';
import { powerForMeans, powerForProportions } from './power';
import { rate, twoProportionZTest, type Interval, type ProportionSample } from './proportions';
import { msprtPValue } from './sequential';

export interface ProportionVariant extends ProportionSample {
  name: string;
}

export interface MeanVariant extends MeanSample {
  name: string;
}

export type ExperimentData =
  | { metric: 'proportion'; control: ProportionVariant; treatments: ProportionVariant[] }
  | { metric: 'mean'; control: MeanVariant; treatments: MeanVariant[] };

export interface AnalysisOptions {
  /** Smallest effect worth detecting, absolute, in metric units (e.g. 0.02 = two accuracy points). */
  minimumDetectableEffect: number;
  /** Planned size per variant (the horizon), e.g. the experiment's `minimum_sample_size`. */
  minimumSampleSize: number;
  alpha?: number;
  /** Target power at the horizon; futility stops need it (default 0.8). */
  power?: number;
  correction?: CorrectionMethod;
  stopping?: StoppingRule;
  /** False for metrics where lower wins (latency, error rate). */
  higherIsBetter?: boolean;
  /** Expected traffic weights by variant name (e.g. { v1: 50, v2: 50 }); default equal. */
  trafficAllocation?: Readonly<Record<string, number>>;
  /**
   * Randomization units assigned per variant, for the sample-ratio check; default the metric's
   * sample sizes. Where a subject is assigned once and sends many requests, the subject is the
   * unit: request counts then vary far more than a multinomial split of requests would, and a
   * check on them flags a healthy split.
   */
  allocationUnits?: Readonly<Record<string, number>>;
  /** τ² of the mSPRT normal mixture, squared metric units; default MDE². */
  mixingVariance?: number;
  /** Unadjusted always-valid p-values from the previous analysis, by treatment name. */
  previousSequentialPValues?: Readonly<Record<string, number>>;
  /** No decision before each group has this many observations (default 100). */
  minimumSamplesToDecide?: number;
}

interface ComparisonBase {
  treatment: string;
  control: string;
  sampleSizes: { control: number; treatment: number };
  decision: Decision;
  reason: string;
}

export interface ReadyComparison extends ComparisonBase {
  ready: true;
  srm: SampleRatioCheck;
  estimate: { control: number; treatment: number; difference: number; ci: Interval; ciLevel: number };
  pValues: { fixedHorizon: number; fixedHorizonAdjusted: number; sequential: number; sequentialAdjusted: number };
  effectSize: { measure: 'cohens_h' | 'cohens_d'; value: number };
  /** Power to detect the minimum detectable effect at the current sizes. */
  power: number;
}

export interface PendingComparison extends ComparisonBase {
  ready: false;
}

export type TreatmentComparison = ReadyComparison | PendingComparison;

export interface ExperimentAnalysis {
  metric: ExperimentData['metric'];
  alpha: number;
  correction: CorrectionMethod;
  stopping: StoppingRule;
  mixingVariance: number;
  /** SRM over all variants at once; null while no variant has data. */
  srm: SampleRatioCheck | null;
  comparisons: TreatmentComparison[];
}

/** The test-specific evidence for one comparison, before corrections and the decision. */
interface RawComparison {
  estimate: { control: number; treatment: number; difference: number; ci: Interval };
  fixedHorizonP: number;
  variance: number;
  effectSize: ReadyComparison['effectSize'];
  power: number;
}

interface Resolved {
  alpha: number;
  perComparisonAlpha: number;
  mde: number;
}

function compareProportions(control: ProportionVariant, treatment: ProportionVariant, r: Resolved): RawComparison | null {
  if (control.total === 0 || treatment.total === 0) return null;
  const test = twoProportionZTest(control, treatment, r.perComparisonAlpha);
  const pc = rate(control);
  const pooled = (control.successes + treatment.successes) / (control.total + treatment.total);
  // Detect the MDE upwards unless that leaves [0, 1].
  const target = pc + r.mde <= 1 ? pc + r.mde : pc - r.mde;
  return {
    estimate: { control: pc, treatment: rate(treatment), difference: test.difference, ci: test.ci },
    fixedHorizonP: test.pValue,
    variance: pooled * (1 - pooled) * (1 / control.total + 1 / treatment.total),
    effectSize: { measure: 'cohens_h', value: test.cohensH },
    power: powerForProportions({
      controlRate: pc,
      treatmentRate: Math.min(1, Math.max(0, target)),
      controlSize: control.total,
      treatmentSize: treatment.total,
      alpha: r.perComparisonAlpha,
    }),
  };
}

function compareMeans(control: MeanVariant, treatment: MeanVariant, r: Resolved): RawComparison | null {
  if (control.n < 2 || treatment.n < 2 || (control.sd === 0 && treatment.sd === 0)) return null;
  const test = welchTTest(control, treatment, r.perComparisonAlpha);
  return {
    estimate: { control: control.mean, treatment: treatment.mean, difference: test.difference, ci: test.ci },
    fixedHorizonP: test.pValue,
    variance: welchVariance(control, treatment).variance,
    effectSize: { measure: 'cohens_d', value: test.cohensD },
    power: powerForMeans({
      difference: r.mde,
      controlSd: control.sd,
      treatmentSd: treatment.sd,
      controlSize: control.n,
      treatmentSize: treatment.n,
      alpha: r.perComparisonAlpha,
    }),
  };
}

function sizeOf(variant: ProportionVariant | MeanVariant): number {
  return 'total' in variant ? variant.total : variant.n;
}

function checkProportionVariant(v: ProportionVariant): void {
  checkCount(v.total, `${v.name} total`);
  checkCount(v.successes, `${v.name} successes`);
  if (v.successes > v.total) fail('STATS_ERR_INVALID_COUNTS', `${v.name} successes (${v.successes}) exceed its total (${v.total})`);
}

function checkMeanVariant(v: MeanVariant): void {
  checkCount(v.n, `${v.name} size`);
  if (!Number.isFinite(v.mean) || !(v.sd >= 0 && Number.isFinite(v.sd))) {
    fail('STATS_ERR_INVALID_ARGUMENT', `${v.name} needs a finite mean and a non-negative sd, got ${v.mean} and ${v.sd}`);
  }
}

function checkVariants(data: ExperimentData): void {
  if (data.treatments.length === 0) fail('STATS_ERR_INVALID_ARGUMENT', 'an experiment needs at least one treatment');
  const names = [data.control, ...data.treatments].map((v) => v.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) fail('STATS_ERR_INVALID_ARGUMENT', `variant name '${duplicate}' appears twice`);
  if (data.metric === 'proportion') [data.control, ...data.treatments].forEach(checkProportionVariant);
  else [data.control, ...data.treatments].forEach(checkMeanVariant);
}

function weightOf(options: AnalysisOptions, name: string): number {
  if (!options.trafficAllocation) return 1;
  const weight = options.trafficAllocation[name];
  if (weight === undefined) fail('STATS_ERR_INVALID_ARGUMENT', `trafficAllocation has no weight for variant '${name}'`);
  return checkPositive(weight, `trafficAllocation.${name}`);
}

function unitsOf(options: AnalysisOptions, name: string): number {
  const units = options.allocationUnits?.[name];
  if (units === undefined) fail('STATS_ERR_INVALID_ARGUMENT', `allocationUnits has no count for variant '${name}'`);
  return checkCount(units, `allocationUnits.${name}`);
}

/** Analyses every treatment of an experiment against its control. */
export function analyzeExperiment(data: ExperimentData, options: AnalysisOptions): ExperimentAnalysis {
  checkVariants(data);
  const alpha = checkAlpha(options.alpha ?? 0.05);
  const mde = checkPositive(options.minimumDetectableEffect, 'minimumDetectableEffect');
  const targetPower = checkProbability(options.power ?? 0.8, 'power');
  const correction = options.correction ?? 'holm';
  const stopping = options.stopping ?? 'sequential';
  const mixingVariance = checkPositive(options.mixingVariance ?? mde * mde, 'mixingVariance');
  const rule = {
    alpha,
    targetPower,
    stopping,
    minimumSampleSize: checkCount(options.minimumSampleSize, 'minimumSampleSize', 1),
    minimumSamplesToDecide: checkCount(options.minimumSamplesToDecide ?? 100, 'minimumSamplesToDecide'),
    higherIsBetter: options.higherIsBetter ?? true,
  };
  const m = data.treatments.length;
  const resolved: Resolved = { alpha, perComparisonAlpha: alpha / m, mde };
  const variants = [data.control, ...data.treatments];
  const sizes = variants.map(sizeOf);
  const weights = variants.map((v) => weightOf(options, v.name));
  const units = options.allocationUnits ? variants.map((v) => unitsOf(options, v.name)) : sizes;
  const overallSrm = units.some((n) => n > 0) ? sampleRatioMismatch(units, weights, SRM_THRESHOLD) : null;

  const raws =
    data.metric === 'proportion'
      ? data.treatments.map((treatment) => compareProportions(data.control, treatment, resolved))
      : data.treatments.map((treatment) => compareMeans(data.control, treatment, resolved));
  const sequential = raws.map((raw, i) => {
    if (!raw) return 1;
    const previous = options.previousSequentialPValues?.[data.treatments[i].name] ?? 1;
    return msprtPValue({ estimate: raw.estimate.difference, variance: raw.variance }, { mixingVariance }, previous);
  });
  const fixedAdjusted = adjustPValues(raws.map((raw) => raw?.fixedHorizonP ?? 1), correction);
  const sequentialAdjusted = adjustPValues(sequential, correction);

  const comparisons = data.treatments.map((treatment, i): TreatmentComparison => {
    const base = {
      treatment: treatment.name,
      control: data.control.name,
      sampleSizes: { control: sizes[0], treatment: sizes[i + 1] },
    };
    const raw = raws[i];
    if (!raw) return { ...base, ready: false, decision: 'keep-running', reason: 'not enough data for the test yet' };
    const srm = sampleRatioMismatch([units[0], units[i + 1]], [weights[0], weights[i + 1]], SRM_THRESHOLD);
    const pValues = {
      fixedHorizon: raw.fixedHorizonP,
      fixedHorizonAdjusted: fixedAdjusted[i],
      sequential: sequential[i],
      sequentialAdjusted: sequentialAdjusted[i],
    };
    const outcome = decide(
      {
        sampleRatioMismatch: srm.mismatch || (overallSrm?.mismatch ?? false),
        smallerGroupSize: Math.min(sizes[0], sizes[i + 1]),
        difference: raw.estimate.difference,
        fixedHorizonAdjustedP: pValues.fixedHorizonAdjusted,
        sequentialAdjustedP: pValues.sequentialAdjusted,
        power: raw.power,
      },
      rule,
    );
    return {
      ...base,
      ready: true,
      srm,
      estimate: { ...raw.estimate, ciLevel: 1 - resolved.perComparisonAlpha },
      pValues,
      effectSize: raw.effectSize,
      power: raw.power,
      ...outcome,
    };
  });
  return { metric: data.metric, alpha, correction, stopping, mixingVariance, srm: overallSrm, comparisons };
}
