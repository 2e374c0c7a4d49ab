/**
 * The decision rule of an experiment analysis, for one treatment versus control. Pure: it sees
 * only the evidence already computed, so a logged analysis can be re-decided and audited.
 */
export const DECISIONS = ['keep-running', 'ship-treatment', 'stop'] as const;
export type Decision = (typeof DECISIONS)[number];

/**
 * 'sequential': read the always-valid (mSPRT) p-value at every look and stop as soon as it is
 * significant; peeking is safe. 'fixed-horizon': read the classical p-value once, when every
 * variant has reached the planned minimum sample size; earlier looks never decide.
 */
export type StoppingRule = 'sequential' | 'fixed-horizon';

export interface DecisionEvidence {
  /** Sample-ratio mismatch in this comparison or in the experiment as a whole. */
  sampleRatioMismatch: boolean;
  /** The smaller of the two group sizes. */
  smallerGroupSize: number;
  /** Treatment − control, metric units. */
  difference: number;
  fixedHorizonAdjustedP: number;
  sequentialAdjustedP: number;
  /** Power to detect the minimum detectable effect at the current sizes. */
  power: number;
}

export interface DecisionRule {
  alpha: number;
  targetPower: number;
  stopping: StoppingRule;
  /** Planned per-variant sample size (the horizon). */
  minimumSampleSize: number;
  /** No decision before every group has this many observations (plug-in variances settle). */
  minimumSamplesToDecide: number;
  higherIsBetter: boolean;
}

export interface DecisionOutcome {
  decision: Decision;
  reason: string;
}

function format(p: number): string {
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

function onSignificance(evidence: DecisionEvidence, rule: DecisionRule, p: number, test: string): DecisionOutcome {
  const better = rule.higherIsBetter ? evidence.difference > 0 : evidence.difference < 0;
  return better
    ? { decision: 'ship-treatment', reason: `treatment is better (${test} adjusted p = ${format(p)} < ${rule.alpha})` }
    : { decision: 'stop', reason: `treatment is worse (${test} adjusted p = ${format(p)} < ${rule.alpha})` };
}

export function decide(evidence: DecisionEvidence, rule: DecisionRule): DecisionOutcome {
  if (evidence.sampleRatioMismatch) {
    return { decision: 'stop', reason: 'sample ratio mismatch: assignment or logging is broken, so the comparison cannot be trusted' };
  }
  if (evidence.smallerGroupSize < rule.minimumSamplesToDecide) {
    return { decision: 'keep-running', reason: `fewer than ${rule.minimumSamplesToDecide} observations in a group` };
  }
  const horizonReached = evidence.smallerGroupSize >= rule.minimumSampleSize;
  if (rule.stopping === 'fixed-horizon') {
    if (!horizonReached) {
      return { decision: 'keep-running', reason: `fixed-horizon test is read at ${rule.minimumSampleSize} per variant` };
    }
    if (evidence.fixedHorizonAdjustedP < rule.alpha) return onSignificance(evidence, rule, evidence.fixedHorizonAdjustedP, 'fixed-horizon');
    return { decision: 'stop', reason: `no significant effect at the planned horizon (adjusted p = ${format(evidence.fixedHorizonAdjustedP)})` };
  }
  if (evidence.sequentialAdjustedP < rule.alpha) return onSignificance(evidence, rule, evidence.sequentialAdjustedP, 'sequential');
  if (horizonReached && evidence.power >= rule.targetPower) {
    return {
      decision: 'stop',
      reason: `no significant effect with power ${evidence.power.toFixed(3)} to detect the minimum detectable effect`,
    };
  }
  return { decision: 'keep-running', reason: horizonReached ? 'underpowered for the minimum detectable effect' : 'not significant yet' };
}
