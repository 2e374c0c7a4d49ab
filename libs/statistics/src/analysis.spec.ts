import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeExperiment, type AnalysisOptions, type ExperimentData, type ReadyComparison, type TreatmentComparison } from './analysis';
import { adjustPValues } from './corrections';
import { twoProportionZTest } from './proportions';
import { welchTTest } from './means';
import { assertRejects } from '../testdata/rejects';
import { assertAllClose, assertClose } from '../testdata/golden';

const plan: AnalysisOptions = { minimumDetectableEffect: 0.02, minimumSampleSize: 10_000 };

function proportions(control: [number, number], ...treatments: [number, number][]): ExperimentData {
  return {
    metric: 'proportion',
    control: { name: 'distilbert_v1', successes: control[0], total: control[1] },
    treatments: treatments.map(([successes, total], i) => ({ name: `distilbert_v${i + 2}`, successes, total })),
  };
}

function ready(comparison: TreatmentComparison | undefined): ReadyComparison {
  assert.ok(comparison?.ready, `comparison is not ready: ${comparison?.reason}`);
  return comparison;
}

test('a clear lift ships the treatment, with the evidence of the two-proportion test', () => {
  const analysis = analyzeExperiment(proportions([4800, 10_000], [5300, 10_000]), plan);
  const c = ready(analysis.comparisons[0]);
  assert.equal(c.decision, 'ship-treatment');
  assert.match(c.reason, /treatment is better \(sequential adjusted p = .* < 0.05\)/);
  assert.deepEqual(c.sampleSizes, { control: 10_000, treatment: 10_000 });
  const z = twoProportionZTest({ successes: 4800, total: 10_000 }, { successes: 5300, total: 10_000 });
  assertClose(c.pValues.fixedHorizon, z.pValue, 'fixed-horizon p');
  assertAllClose(c.estimate.ci, z.ci, 'interval');
  assert.equal(c.effectSize.measure, 'cohens_h');
  assertClose(c.effectSize.value, z.cohensH, "Cohen's h");
  assert.ok(c.pValues.sequential >= c.pValues.fixedHorizon, 'the always-valid p-value is the more conservative');
  assert.ok(c.power > 0.8 && c.srm.mismatch === false && analysis.srm?.mismatch === false);
  assert.equal(analysis.mixingVariance, 0.02 ** 2);
});

test('a significant loss stops the experiment as harmful', () => {
  const c = ready(analyzeExperiment(proportions([5300, 10_000], [4800, 10_000]), plan).comparisons[0]);
  assert.equal(c.decision, 'stop');
  assert.match(c.reason, /treatment is worse/);
});

test('no effect at the planned horizon with enough power stops for futility', () => {
  const c = ready(analyzeExperiment(proportions([5000, 12_000], [5010, 12_000]), plan).comparisons[0]);
  assert.equal(c.decision, 'stop');
  assert.ok(c.power >= 0.8);
  assert.match(c.reason, /no significant effect with power 0\.880 to detect the minimum detectable effect/);
});

test('before the horizon a null result keeps running, and so does a tiny sample with a big effect', () => {
  assert.equal(analyzeExperiment(proportions([500, 1000], [505, 1000]), plan).comparisons[0].decision, 'keep-running');
  const tiny = analyzeExperiment(proportions([10, 50], [40, 50]), plan).comparisons[0];
  assert.equal(tiny.decision, 'keep-running');
  assert.match(tiny.reason, /fewer than 100 observations/);
});

test('a sample ratio mismatch stops the comparison whatever the effect', () => {
  const c = ready(analyzeExperiment(proportions([4800, 10_000], [5600, 11_000]), plan).comparisons[0]);
  assert.equal(c.srm.mismatch, true);
  assert.equal(c.decision, 'stop');
  assert.match(c.reason, /sample ratio mismatch/);
  // The same sizes are fine when the allocation says 10:11.
  const allocated = analyzeExperiment(proportions([4800, 10_000], [5600, 11_000]), {
    ...plan,
    trafficAllocation: { distilbert_v1: 10, distilbert_v2: 11 },
  });
  assert.equal(allocated.comparisons[0].decision, 'ship-treatment');
});

test('with allocation units the sample-ratio check counts subjects, not their requests', () => {
  // 127 and 173 subjects sending two requests each: as requests (254 vs 346) the split is
  // p = 0.0002, a mismatch; as subjects p = 0.008, a fair draw for a 50/50 split.
  const data = proportions([130, 254], [170, 346]);
  assert.equal(ready(analyzeExperiment(data, { ...plan, minimumSamplesToDecide: 10 }).comparisons[0]).srm.mismatch, true);
  const bySubject = analyzeExperiment(data, { ...plan, minimumSamplesToDecide: 10, allocationUnits: { distilbert_v1: 127, distilbert_v2: 173 } });
  const c = ready(bySubject.comparisons[0]);
  assert.equal(c.srm.mismatch, false);
  assert.ok(c.srm.pValue > 0.001 && c.srm.pValue < 0.01, `p = ${c.srm.pValue}`);
  assert.deepEqual(c.sampleSizes, { control: 254, treatment: 346 }, 'the test itself still counts requests');
  assert.doesNotMatch(c.reason, /sample ratio mismatch/);
  assertRejects(() => analyzeExperiment(data, { ...plan, allocationUnits: { distilbert_v1: 127 } }), 'STATS_ERR_INVALID_ARGUMENT', /allocationUnits has no count for variant 'distilbert_v2'/);
});

test('the fixed-horizon rule ignores early looks and decides at the horizon', () => {
  const early = analyzeExperiment(proportions([2400, 5000], [2800, 5000]), { ...plan, stopping: 'fixed-horizon' });
  assert.equal(early.comparisons[0].decision, 'keep-running');
  assert.match(early.comparisons[0].reason, /read at 10000 per variant/);
  const atHorizon = analyzeExperiment(proportions([4800, 10_000], [5000, 10_000]), { ...plan, stopping: 'fixed-horizon' });
  assert.equal(atHorizon.comparisons[0].decision, 'ship-treatment');
});

test('p-values are corrected over all treatments and intervals widen to 1 − alpha/m', () => {
  const analysis = analyzeExperiment(proportions([4800, 10_000], [4950, 10_000], [5000, 10_000], [4790, 10_000]), plan);
  const comparisons = analysis.comparisons.map(ready);
  const raw = comparisons.map((c) => c.pValues.fixedHorizon);
  assertAllClose(comparisons.map((c) => c.pValues.fixedHorizonAdjusted), adjustPValues(raw, 'holm'), 'Holm-adjusted');
  assertAllClose(
    comparisons.map((c) => c.pValues.sequentialAdjusted),
    adjustPValues(comparisons.map((c) => c.pValues.sequential), 'holm'),
    'Holm-adjusted sequential',
  );
  assertClose(comparisons[0].estimate.ciLevel, 1 - 0.05 / 3, 'interval level');
  const alone = ready(analyzeExperiment(proportions([4800, 10_000], [4950, 10_000]), plan).comparisons[0]);
  assert.ok(comparisons[0].estimate.ci[1] - comparisons[0].estimate.ci[0] > alone.estimate.ci[1] - alone.estimate.ci[0]);
});

test('for latency lower is better: a faster treatment ships, with Welch evidence and Cohen\'s d', () => {
  const data: ExperimentData = {
    metric: 'mean',
    control: { name: 'v1', mean: 120, sd: 30, n: 3000 },
    treatments: [{ name: 'v2', mean: 110, sd: 28, n: 3000 }],
  };
  const c = ready(analyzeExperiment(data, { minimumDetectableEffect: 5, minimumSampleSize: 2000, higherIsBetter: false }).comparisons[0]);
  assert.equal(c.decision, 'ship-treatment');
  const welch = welchTTest(data.control, data.treatments[0]);
  assertClose(c.pValues.fixedHorizon, welch.pValue, 'Welch p');
  assert.equal(c.effectSize.measure, 'cohens_d');
  assertClose(c.effectSize.value, welch.cohensD, "Cohen's d");
});

test('a variant without data is pending, keeps running, and still counts in the correction', () => {
  const analysis = analyzeExperiment(proportions([4800, 10_000], [5300, 10_000], [0, 0]), plan);
  const pending = analysis.comparisons[1];
  assert.equal(pending.ready, false);
  assert.equal(pending.decision, 'keep-running');
  const first = ready(analysis.comparisons[0]);
  assertClose(first.pValues.fixedHorizonAdjusted, Math.min(1, first.pValues.fixedHorizon * 2), 'Holm with m = 2');
});

test('the always-valid p-value carries over from the previous analysis and never rises', () => {
  const first = ready(analyzeExperiment(proportions([4800, 10_000], [5300, 10_000]), plan).comparisons[0]);
  const later = ready(
    analyzeExperiment(proportions([9800, 20_000], [9850, 20_000]), {
      ...plan,
      previousSequentialPValues: { distilbert_v2: first.pValues.sequential },
    }).comparisons[0],
  );
  assert.equal(later.pValues.sequential, first.pValues.sequential);
});

test('inconsistent experiments and plans are rejected with the bad value named', () => {
  assertRejects(() => analyzeExperiment(proportions([1, 10]), plan), 'STATS_ERR_INVALID_ARGUMENT', /at least one treatment/);
  assertRejects(() => analyzeExperiment(proportions([11, 10], [1, 10]), plan), 'STATS_ERR_INVALID_COUNTS', /distilbert_v1 successes \(11\)/);
  assertRejects(() => analyzeExperiment(proportions([1, 10], [1, 10]), { ...plan, minimumDetectableEffect: 0 }), 'STATS_ERR_INVALID_ARGUMENT', /minimumDetectableEffect/);
  assertRejects(() => analyzeExperiment(proportions([1, 10], [1, 10]), { ...plan, alpha: 5 }), 'STATS_ERR_INVALID_ALPHA', /got 5/);
  assertRejects(
    () => analyzeExperiment(proportions([1, 10], [1, 10]), { ...plan, trafficAllocation: { distilbert_v1: 1 } }),
    'STATS_ERR_INVALID_ARGUMENT',
    /no weight for variant 'distilbert_v2'/,
  );
  const twins: ExperimentData = { metric: 'proportion', control: { name: 'a', successes: 1, total: 2 }, treatments: [{ name: 'a', successes: 1, total: 2 }] };
  assertRejects(() => analyzeExperiment(twins, plan), 'STATS_ERR_INVALID_ARGUMENT', /'a' appears twice/);
});
