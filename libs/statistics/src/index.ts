export { STATISTICS_ERROR_CODES, StatisticsError, type StatisticsErrorCode } from './errors';
export { lnGamma, lnBeta, incompleteGamma, incompleteBeta, type Tails } from './special-functions';
export {
  normalPdf,
  normalCdf,
  normalSf,
  normalQuantile,
  tPdf,
  tCdf,
  tSf,
  tQuantile,
  chiSquaredPdf,
  chiSquaredCdf,
  chiSquaredSf,
  chiSquaredQuantile,
  betaPdf,
  betaCdf,
  betaSf,
  betaQuantile,
  kolmogorovSf,
} from './distributions';
export {
  rate,
  wilsonInterval,
  newcombeInterval,
  cohensH,
  twoProportionZTest,
  type Interval,
  type ProportionSample,
  type TwoProportionTest,
} from './proportions';
export { summarize, pooledSd, cohensD, welchVariance, welchTTest, type MeanSample, type WelchTest } from './means';
export {
  chiSquaredGoodnessOfFit,
  chiSquaredHomogeneity,
  sampleRatioMismatch,
  SRM_THRESHOLD,
  type ChiSquaredTest,
  type SampleRatioCheck,
} from './chi-squared';
export { mannWhitneyU, type MannWhitneyMethod, type MannWhitneyTest } from './mann-whitney';
export {
  CORRECTION_METHODS,
  isCorrectionMethod,
  adjustPValues,
  bonferroni,
  holm,
  benjaminiHochberg,
  type CorrectionMethod,
} from './corrections';
export {
  sampleSizeForProportions,
  sampleSizeForMeans,
  powerForProportions,
  powerForMeans,
  type ProportionDesign,
  type MeanDesign,
  type ProportionPowerInput,
  type MeanPowerInput,
} from './power';
export {
  msprtInverseLikelihoodRatio,
  msprtPValue,
  msprtPValues,
  type SequentialLook,
  type MsprtOptions,
} from './sequential';
export {
  bayesianProportions,
  UNIFORM_PRIOR,
  type BetaPrior,
  type BayesianComparison,
  type PosteriorSummary,
} from './bayesian';
export {
  populationStabilityIndex,
  psiFromCounts,
  categoricalDrift,
  ksTwoSample,
  DEFAULT_PSI_BINS,
  DEFAULT_PSI_EPSILON,
  KS_EXACT_MAX_SIZE,
  type PsiResult,
  type CategoricalDrift,
  type KsMethod,
  type KsTest,
} from './drift';
export { decide, DECISIONS, type Decision, type DecisionEvidence, type DecisionRule, type DecisionOutcome, type StoppingRule } from './decision';
export {
  analyzeExperiment,
  type ExperimentData,
  type ProportionVariant,
  type MeanVariant,
  type AnalysisOptions,
  type ExperimentAnalysis,
  type TreatmentComparison,
  type ReadyComparison,
  type PendingComparison,
} from './analysis';
export { seededRandom } from './random';
