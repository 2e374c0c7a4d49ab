/**
 * One live window against the reference, per feature: PSI with a two-sample KS test for numeric
 * features, PSI with a chi-squared test of homogeneity for categorical ones (statistics from
 * `@mlops/statistics`). Drift is reported when both agree: PSI at or above its threshold (0.1 by
 * default, Evidently's) and p below its threshold (0.05). Either alone misleads on this traffic:
 * with thousands of tokens per window a chi-squared test rejects for shifts too small to matter,
 * and PSI on a small window wanders above 0.1 by chance.
 */
import { categoricalDrift, ksTwoSample, populationStabilityIndex, StatisticsError } from '@mlops/statistics';
import type { FeatureDriftResult } from '@mlops/schemas';

export interface DriftThresholds {
  psi: number;
  pValue: number;
  /** Quantile bins of the reference for PSI. */
  bins: number;
}

interface Common {
  feature: string;
  modelVersion?: string;
  thresholds: DriftThresholds;
  now: number;
}

function result(common: Common, test: FeatureDriftResult['test'], psi: number, statistic: number, pValue: number, liveSize: number, referenceSize: number): FeatureDriftResult {
  const drift: FeatureDriftResult = {
    feature: common.feature,
    test,
    psi,
    statistic,
    p_value: pValue,
    detected: psi >= common.thresholds.psi && pValue < common.thresholds.pValue,
    live_size: liveSize,
    reference_size: referenceSize,
    evaluated_at: new Date(common.now).toISOString(),
  };
  if (common.modelVersion !== undefined) drift.model_version = common.modelVersion;
  return drift;
}

/** Undefined when the samples cannot be compared (e.g. an empty live sample). */
export function numericDrift(common: Common, reference: readonly number[], live: readonly number[]): FeatureDriftResult | undefined {
  try {
    const psi = populationStabilityIndex(reference, live, { bins: common.thresholds.bins });
    const ks = ksTwoSample(reference, live);
    return result(common, 'ks', psi.psi, ks.statistic, ks.pValue, live.length, reference.length);
  } catch (error) {
    if (error instanceof StatisticsError) return undefined;
    throw error;
  }
}

/** Undefined when the counts cannot be compared (no live observations, or a single category). */
export function categoricalDriftResult(common: Common, reference: Readonly<Record<string, number>>, live: Readonly<Record<string, number>>): FeatureDriftResult | undefined {
  const total = (counts: Readonly<Record<string, number>>) => Object.values(counts).reduce((a, b) => a + b, 0);
  try {
    const drift = categoricalDrift(reference, live);
    return result(common, 'chi_squared', drift.psi, drift.chiSquared.statistic, drift.chiSquared.pValue, total(live), total(reference));
  } catch (error) {
    if (error instanceof StatisticsError) return undefined;
    throw error;
  }
}

/** Live token counts over the reference's categories: its top-K tokens, the rest as `other`. */
export function toReferenceCategories(live: ReadonlyMap<string, number>, reference: Readonly<Record<string, number>>, other: string): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(Object.keys(reference).map((token) => [token, 0]));
  for (const [token, count] of live) {
    if (token !== other && Object.hasOwn(counts, token)) counts[token] += count;
    else counts[other] = (counts[other] ?? 0) + count;
  }
  return counts;
}
