/**
 * Automated decisions (pure): from an experiment's metrics, the analysis of its primary metric
 * (`@mlops/statistics`), its guardrails and its kind, what to do next — keep running, ramp a
 * canary up, promote the winner, roll back, or stop — and the evidence for it.
 *
 * - The primary metric is the first analysable one of `success_metrics` (accuracy or error rate as
 *   proportions; confidence or latency as means). f1_score is reported, not tested.
 * - Canaries always act (that is what a canary is); other kinds act only with `auto_decide`, and
 *   otherwise log a recommendation whenever it changes.
 * - A canary advances one ramp step once it has `ramp_step_min_samples` new predictions and every
 *   guardrail holds; it rolls back when a guardrail breaks, on significant harm, or on an SRM.
 */
import { analyzeExperiment, StatisticsError, type ExperimentAnalysis, type ExperimentData, type TreatmentComparison } from '@mlops/statistics';
import type { AnalysisPoint, Experiment, SuccessMetric, VariantMetrics } from '@mlops/schemas';
import { rampOf, variantShares } from './assignment';
import { kindOf, withChange } from './experiment-state';
import { emptyVariantMetrics, summarizeVariant, type VariantSummary } from './variant-metrics';

export const MAX_HISTORY = 200;
const DEFAULT_GUARDRAIL_MIN_SAMPLES = 50;
const DEFAULT_RAMP_STEP_MIN_SAMPLES = 100;

type PrimaryMetric = Exclude<SuccessMetric, 'f1_score'>;
const PRIMARY: Record<PrimaryMetric, { higherIsBetter: boolean }> = {
  accuracy: { higherIsBetter: true },
  error_rate: { higherIsBetter: false },
  confidence: { higherIsBetter: true },
  latency: { higherIsBetter: false },
};

export function primaryMetric(experiment: Pick<Experiment, 'spec'>): PrimaryMetric {
  return (experiment.spec.success_metrics.find((m) => m !== 'f1_score') ?? 'accuracy') as PrimaryMetric;
}

export type ActionType = 'none' | 'ramp-up' | 'promote' | 'rollback' | 'stop';

export interface Evaluation {
  analysis: Record<string, unknown>;
  point?: AnalysisPoint;
  action: { type: ActionType; variant?: string; reason: string };
  /** What the experiment would do with auto_decide, for the log when it does not act. */
  recommendation: string;
}

const variantNames = (experiment: Experiment) => [experiment.spec.control_variant, ...experiment.spec.treatment_variants];
const metricsOf = (experiment: Experiment, variant: string): VariantMetrics => experiment.metrics[variant] ?? emptyVariantMetrics();

function dataFor(metric: PrimaryMetric, experiment: Experiment): ExperimentData {
  const names = variantNames(experiment);
  if (metric === 'accuracy' || metric === 'error_rate') {
    const variants = names.map((name) => {
      const m = metricsOf(experiment, name);
      const s = summarizeVariant(m);
      return metric === 'accuracy' ? { name, successes: m.correct, total: m.labelled } : { name, successes: s.errors, total: m.assigned };
    });
    return { metric: 'proportion', control: variants[0], treatments: variants.slice(1) };
  }
  const variants = names.map((name) => {
    const s = summarizeVariant(metricsOf(experiment, name));
    const sample = metric === 'confidence' ? s.confidence : s.latencyMs;
    return { name, ...(sample ?? { mean: 0, sd: 0, n: 0 }) };
  });
  return { metric: 'mean', control: variants[0], treatments: variants.slice(1) };
}

/**
 * Expected split for the SRM check. A/B: the configured weights; shadow: every request plus the
 * mirrored share. Canary and blue-green change their split over time, so their cumulative counts
 * are checked against what the routers actually assigned (this catches lost predictions).
 */
function expectedAllocation(experiment: Experiment): Record<string, number> | undefined {
  const names = variantNames(experiment);
  switch (kindOf(experiment)) {
    case 'ab':
      return Object.fromEntries(variantShares(experiment).map((s) => [s.variant, s.share]));
    case 'shadow':
      return { [names[0]]: 100, [names[1]]: experiment.spec.shadow_percent ?? 100 };
    default: {
      const counts = names.map((name) => Math.max(metricsOf(experiment, name).assigned, metricsOf(experiment, name).predictions));
      return counts.every((c) => c > 0) ? Object.fromEntries(names.map((name, i) => [name, counts[i]])) : undefined;
    }
  }
}

/**
 * An A/B test's randomization units per variant (subjects, see AssignmentCounter) for the SRM
 * check, once the routers count them; undefined before, and for rollouts, whose split is checked
 * in requests (expectedAllocation).
 */
function allocationUnits(experiment: Experiment): Record<string, number> | undefined {
  if (kindOf(experiment) !== 'ab') return undefined;
  const names = variantNames(experiment);
  const counted: [string, number][] = [];
  for (const name of names) {
    const units = metricsOf(experiment, name).units;
    if (units === undefined) return undefined;
    counted.push([name, units]);
  }
  return counted.every(([, n]) => n === 0) ? undefined : Object.fromEntries(counted);
}

function analyse(experiment: Experiment, metric: PrimaryMetric): ExperimentAnalysis | { error: string } {
  const allocation = expectedAllocation(experiment);
  const units = allocationUnits(experiment);
  if (!allocation) return { error: 'a variant has no traffic yet' };
  const spec = experiment.spec;
  const previous = (experiment.analysis?.comparisons ?? []) as { treatment: string; ready: boolean; pValues?: { sequential: number } }[];
  try {
    return analyzeExperiment(dataFor(metric, experiment), {
      minimumDetectableEffect: spec.minimum_detectable_effect ?? 0.02,
      minimumSampleSize: spec.minimum_sample_size,
      alpha: spec.alpha,
      power: spec.power,
      correction: spec.correction,
      stopping: spec.stopping,
      higherIsBetter: PRIMARY[metric].higherIsBetter,
      trafficAllocation: allocation,
      ...(units ? { allocationUnits: units } : {}),
      previousSequentialPValues: Object.fromEntries(previous.filter((c) => c.pValues).map((c) => [c.treatment, c.pValues?.sequential ?? 1])),
    });
  } catch (error) {
    if (error instanceof StatisticsError) return { error: `${error.code}: ${error.message}` };
    throw error;
  }
}

/** Guardrail breaches of one treatment against control, each as a sentence. */
export function guardrailBreaches(experiment: Experiment, treatment: string): string[] {
  const rails = experiment.spec.guardrails ?? {};
  const minSamples = rails.min_samples ?? DEFAULT_GUARDRAIL_MIN_SAMPLES;
  const t = summarizeVariant(metricsOf(experiment, treatment));
  const c = summarizeVariant(metricsOf(experiment, experiment.spec.control_variant));
  const breaches: string[] = [];
  if (rails.max_error_rate !== undefined && t.requests >= minSamples && t.errorRate !== null && t.errorRate > rails.max_error_rate) {
    breaches.push(`${treatment} error rate ${t.errorRate.toFixed(4)} > ${rails.max_error_rate}`);
  }
  if (rails.max_latency_p95_ms !== undefined && t.predictions >= minSamples && t.latencyP95Ms !== null && t.latencyP95Ms > rails.max_latency_p95_ms) {
    breaches.push(`${treatment} p95 latency ≤ ${t.latencyP95Ms} ms bucket > ${rails.max_latency_p95_ms} ms`);
  }
  const labelled = Math.min(metricsOf(experiment, treatment).labelled, metricsOf(experiment, experiment.spec.control_variant).labelled);
  if (rails.max_accuracy_drop !== undefined && labelled >= minSamples && t.accuracy !== null && c.accuracy !== null && c.accuracy - t.accuracy > rails.max_accuracy_drop) {
    breaches.push(`${treatment} accuracy ${t.accuracy.toFixed(4)} is ${(c.accuracy - t.accuracy).toFixed(4)} below control (limit ${rails.max_accuracy_drop})`);
  }
  return breaches;
}

function isHarm(comparison: TreatmentComparison, analysis: ExperimentAnalysis, higherIsBetter: boolean): boolean {
  if (!comparison.ready) return false;
  if (comparison.srm.mismatch) return true;
  const worse = higherIsBetter ? comparison.estimate.difference < 0 : comparison.estimate.difference > 0;
  return worse && comparison.pValues.sequentialAdjusted < analysis.alpha;
}

function historyPoint(experiment: Experiment, metric: PrimaryMetric, analysis: ExperimentAnalysis, now: number): AnalysisPoint {
  const data = dataFor(metric, experiment);
  const values = Object.fromEntries(
    [data.control, ...data.treatments].map((v) => {
      const n = 'total' in v ? v.total : v.n;
      const value = n === 0 ? null : 'total' in v ? v.successes / v.total : v.mean;
      return [v.name, { n, value }];
    }),
  );
  const comparisons = analysis.comparisons.flatMap((c) =>
    c.ready ? [{ treatment: c.treatment, difference: c.estimate.difference, ci: c.estimate.ci, pValue: c.pValues.sequentialAdjusted }] : [],
  );
  return { at: now, values, comparisons };
}

function decideAction(experiment: Experiment, analysis: ExperimentAnalysis | undefined, higherIsBetter: boolean, breaches: string[]): Evaluation['action'] {
  const kind = kindOf(experiment);
  const [treatment] = experiment.spec.treatment_variants;
  if (breaches.length > 0) return { type: 'rollback', reason: `guardrail broken: ${breaches.join('; ')}` };
  const comparisons = analysis?.comparisons ?? [];
  const harmed = analysis ? comparisons.find((c) => isHarm(c, analysis, higherIsBetter)) : undefined;
  if (kind === 'canary') {
    if (harmed) return { type: 'rollback', reason: `canary ${harmed.treatment}: ${harmed.reason}` };
    const fresh = metricsOf(experiment, treatment).predictions - experiment.rampStepPredictions;
    const needed = experiment.spec.ramp_step_min_samples ?? DEFAULT_RAMP_STEP_MIN_SAMPLES;
    const ramp = rampOf(experiment);
    if (fresh < needed) return { type: 'none', reason: `canary at ${ramp[experiment.rampStep]}% has ${fresh} of ${needed} predictions for this step` };
    if (experiment.rampStep < ramp.length - 1) return { type: 'ramp-up', variant: treatment, reason: `guardrails hold after ${fresh} predictions at ${ramp[experiment.rampStep]}%` };
    return { type: 'promote', variant: treatment, reason: `canary served 100% for ${fresh} predictions with guardrails holding` };
  }
  if (kind === 'blue-green' || comparisons.length === 0 || comparisons.some((c) => c.decision === 'keep-running')) {
    return { type: 'none', reason: comparisons.find((c) => c.decision === 'keep-running')?.reason ?? 'no decision yet' };
  }
  const shipping = comparisons
    .filter((c): c is Extract<TreatmentComparison, { ready: true }> => c.ready && c.decision === 'ship-treatment')
    .sort((a, b) => (higherIsBetter ? b.estimate.difference - a.estimate.difference : a.estimate.difference - b.estimate.difference));
  if (shipping.length > 0) return { type: 'promote', variant: shipping[0].treatment, reason: shipping[0].reason };
  return { type: 'stop', reason: comparisons.map((c) => `${c.treatment}: ${c.reason}`).join('; ') };
}

export function evaluateExperiment(experiment: Experiment, now: number): Evaluation {
  const metric = primaryMetric(experiment);
  const { higherIsBetter } = PRIMARY[metric];
  const result = analyse(experiment, metric);
  const analysis = 'error' in result ? undefined : result;
  const kind = kindOf(experiment);
  // Blue-green: only the live green side can break a guardrail; blue is the way back.
  const judged = kind === 'blue-green' ? experiment.spec.treatment_variants.filter((t) => t === experiment.liveVariant) : experiment.spec.treatment_variants;
  const breaches = judged.flatMap((t) => guardrailBreaches(experiment, t));
  const decided = decideAction(experiment, analysis, higherIsBetter, breaches);
  const recommendation = decided.type === 'none' ? 'keep running' : `${decided.type}${decided.variant ? ` ${decided.variant}` : ''}: ${decided.reason}`;
  const acts = experiment.spec.auto_decide ?? kind === 'canary';
  const summaries: Record<string, VariantSummary> = Object.fromEntries(variantNames(experiment).map((v) => [v, summarizeVariant(metricsOf(experiment, v))]));
  return {
    analysis: { primaryMetric: metric, higherIsBetter, recommendation, guardrailBreaches: breaches, summaries, ...result },
    point: analysis ? historyPoint(experiment, metric, analysis, now) : undefined,
    action: acts || decided.type === 'none' ? decided : { type: 'none', reason: `auto_decide is off; recommendation: ${recommendation}` },
    recommendation,
  };
}

/** Keeps the newest points; beyond the bound, every other point of the older half goes. */
export function appendHistory(history: AnalysisPoint[], point: AnalysisPoint): AnalysisPoint[] {
  const next = [...history, point];
  if (next.length <= MAX_HISTORY) return next;
  const half = Math.floor(next.length / 2);
  return [...next.slice(0, half).filter((_, i) => i % 2 === 0), ...next.slice(half)];
}

/** The snapshot after an evaluation: analysis and history updated, the action applied and logged. */
export function applyEvaluation(experiment: Experiment, evaluation: Evaluation, now: number): Experiment {
  const { action } = evaluation;
  const evidence = { analysis: evaluation.analysis };
  const change: Partial<Experiment> = { analysis: evaluation.analysis, history: evaluation.point ? appendHistory(experiment.history, evaluation.point) : experiment.history };
  const [treatment] = experiment.spec.treatment_variants;
  const control = experiment.spec.control_variant;
  switch (action.type) {
    case 'ramp-up':
      return withChange(
        experiment,
        { ...change, rampStep: experiment.rampStep + 1, rampStepPredictions: metricsOf(experiment, treatment).predictions },
        { action: 'ramp-up', actor: 'auto', variant: treatment, reason: `${action.reason}; now ${rampOf(experiment)[experiment.rampStep + 1]}%`, evidence },
        now,
      );
    case 'promote':
      return withChange(experiment, { ...change, status: 'completed', endedAt: now, liveVariant: action.variant ?? treatment }, { action: 'promoted', actor: 'auto', variant: action.variant, reason: action.reason, evidence }, now);
    case 'rollback': {
      // Blue-green switches back to blue and stays ready to switch again; the others end.
      const ends = kindOf(experiment) === 'blue-green' ? {} : { status: 'rolled-back' as const, endedAt: now };
      return withChange(experiment, { ...change, ...ends, liveVariant: control }, { action: 'rolled-back', actor: 'auto', variant: control, reason: action.reason, evidence }, now);
    }
    case 'stop':
      return withChange(experiment, { ...change, status: 'stopped', endedAt: now }, { action: 'stopped', actor: 'auto', reason: action.reason, evidence }, now);
    case 'none': {
      // Log a recommendation only when it changes, so the log reads as a list of events.
      const previous = experiment.analysis?.recommendation;
      const changed = evaluation.recommendation !== previous && evaluation.recommendation !== 'keep running';
      return withChange(experiment, change, changed ? { action: 'analysis', actor: 'auto', reason: evaluation.recommendation, evidence } : undefined, now);
    }
  }
}
