/**
 * Experiments and rollouts: the definition an operator writes (in `config/ab_test_config.yaml`, in
 * the admin API body and in `experiments.commands`, always with the product's snake_case YAML
 * names), the commands the gateway sends the ab-router, and the state the ab-router publishes on
 * the compacted `experiments.events` (camelCase like every Kafka message, one snapshot per
 * experiment id, so a reader replaying the topic ends with the latest state of each).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ErrorDetail, MESSAGE_SCHEMA_VERSION } from './messages';

const EpochMs = (description: string) => Type.Integer({ minimum: 0, description: `${description} (epoch ms)` });
const Name = (description: string) => Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-zA-Z0-9._-]+$', description });

export const EXPERIMENT_KINDS = ['ab', 'canary', 'blue-green', 'shadow'] as const;
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number];

/** Metrics a variant is measured on; the first analysable one in `success_metrics` decides. */
export const SUCCESS_METRICS = ['accuracy', 'f1_score', 'confidence', 'latency', 'error_rate'] as const;
export type SuccessMetric = (typeof SUCCESS_METRICS)[number];

export const EXPERIMENT_STATUSES = ['draft', 'running', 'stopped', 'completed', 'rolled-back'] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** One of a closed set of strings, typed as that set. */
const literals = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const Guardrails = Type.Object(
  {
    max_error_rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of routed requests without a prediction (0..1)' })),
    max_latency_p95_ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'ms' })),
    max_accuracy_drop: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Largest accuracy loss against control, absolute (0.02 = 2 points)' })),
    min_samples: Type.Optional(Type.Integer({ minimum: 1, description: 'Observations a variant needs before its guardrails are judged; default 50' })),
  },
  { additionalProperties: false },
);
export type Guardrails = Static<typeof Guardrails>;

/** One experiment or rollout, in the product's YAML shape. Semantic checks: `experimentSpecProblems`. */
export const ExperimentSpec = Type.Object(
  {
    experiment_id: Name('Unique id; also the salt of sticky assignment'),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    kind: Type.Optional(literals(EXPERIMENT_KINDS)),
    model_name: Type.Optional(Name('The model whose unpinned traffic this experiment splits; the platform default when omitted')),
    control_variant: Name('The variant that answers today'),
    treatment_variants: Type.Array(Name('A challenger'), { minItems: 1, maxItems: 5 }),
    variants: Type.Record(Type.String(), Name('Model version or alias'), { description: 'variant -> model version (or alias) it serves' }),
    traffic_allocation: Type.Optional(Type.Record(Type.String(), Type.Number({ minimum: 0 }), { description: 'variant -> weight; equal when omitted' })),
    success_metrics: Type.Array(literals(SUCCESS_METRICS), { minItems: 1, maxItems: 5 }),
    minimum_sample_size: Type.Integer({ minimum: 1, description: 'Planned observations per variant (the horizon)' }),
    minimum_detectable_effect: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Absolute, metric units; default 0.02' })),
    alpha: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    power: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
    correction: Type.Optional(literals(['bonferroni', 'holm', 'bh'] as const)),
    stopping: Type.Optional(literals(['sequential', 'fixed-horizon'] as const)),
    auto_decide: Type.Optional(Type.Boolean({ description: 'Promote the winner or roll back on a decision (default false: decisions are only logged)' })),
    auto_start: Type.Optional(Type.Boolean({ description: 'From the YAML file: start as soon as it is loaded' })),
    ramp: Type.Optional(Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 100 }), { minItems: 1, maxItems: 20, description: 'canary: percent of traffic per step' })),
    ramp_step_min_samples: Type.Optional(Type.Integer({ minimum: 1, description: 'canary: predictions the canary needs at a step before it advances; default 100' })),
    shadow_percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'shadow: share of requests mirrored; default 100' })),
    guardrails: Type.Optional(Guardrails),
  },
  { additionalProperties: false, $id: 'ExperimentSpec' },
);
export type ExperimentSpec = Static<typeof ExperimentSpec>;

/** What the schema cannot say: names that agree, weights that add up, a ramp that ends at 100. */
export function experimentSpecProblems(spec: ExperimentSpec): string[] {
  const problems: string[] = [];
  const names = [spec.control_variant, ...spec.treatment_variants];
  const kind = spec.kind ?? 'ab';
  if (new Set(names).size !== names.length) problems.push('variant names must be distinct');
  for (const name of names) if (!spec.variants[name]) problems.push(`variants has no model version for '${name}'`);
  for (const name of Object.keys(spec.variants)) if (!names.includes(name)) problems.push(`variants names '${name}', which is neither control nor treatment`);
  if (spec.traffic_allocation) {
    for (const name of Object.keys(spec.traffic_allocation)) if (!names.includes(name)) problems.push(`traffic_allocation names unknown variant '${name}'`);
    const total = names.reduce((sum, name) => sum + (spec.traffic_allocation?.[name] ?? 0), 0);
    if (!(total > 0)) problems.push('traffic_allocation must give some variant a positive weight');
    if (kind === 'ab' && names.some((name) => !(spec.traffic_allocation?.[name] ?? 0))) problems.push('every variant of an A/B test needs a positive weight');
  }
  if (kind !== 'ab' && spec.treatment_variants.length !== 1) problems.push(`a ${kind} rollout has exactly one treatment variant`);
  const ramp = spec.ramp;
  if (ramp) {
    if (kind !== 'canary') problems.push('ramp is for canary rollouts');
    if (ramp.some((step, i) => i > 0 && step <= ramp[i - 1])) problems.push('ramp steps must increase');
    if (ramp.at(-1) !== 100) problems.push('ramp must end at 100');
  }
  if (spec.shadow_percent !== undefined && kind !== 'shadow') problems.push('shadow_percent is for shadow rollouts');
  return problems;
}

/** Running totals of one variant, from `predictions.log` and the feedback joined to it. */
export const VariantMetrics = Type.Object(
  {
    modelVersion: Type.Optional(Type.String({ description: 'The version that produced the latest prediction' })),
    assigned: Type.Integer({ minimum: 0, description: 'Requests the routers sent to it' }),
    units: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Randomization units the routers assigned to it: subjects (each counted once per router), plus requests without a subject id' }),
    ),
    predictions: Type.Integer({ minimum: 0, description: 'Requests it answered (predictions.log)' }),
    texts: Type.Integer({ minimum: 0 }),
    confidenceSum: Type.Number(),
    confidenceSumSquares: Type.Number(),
    latencySumMs: Type.Number(),
    latencySumSquaresMs: Type.Number(),
    /** Counts per bucket of LATENCY_BUCKETS_MS (the last is +Inf). */
    latencyBuckets: Type.Array(Type.Integer({ minimum: 0 })),
    labelled: Type.Integer({ minimum: 0, description: 'Texts with feedback joined to this variant' }),
    correct: Type.Integer({ minimum: 0 }),
    truePositives: Type.Integer({ minimum: 0 }),
    falsePositives: Type.Integer({ minimum: 0 }),
    falseNegatives: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type VariantMetrics = Static<typeof VariantMetrics>;

/** Upper bounds (ms) of the latency histogram kept per variant. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, Infinity] as const;

export const DECISION_ACTIONS = ['created', 'started', 'stopped', 'analysis', 'ramp-up', 'promoted', 'rolled-back', 'switched'] as const;
export type DecisionAction = (typeof DECISION_ACTIONS)[number];

/** An entry of the experiment's decision log: what was done, by whom, why, on which evidence. */
export const DecisionRecord = Type.Object(
  {
    at: EpochMs('When it was decided'),
    action: literals(DECISION_ACTIONS),
    actor: Type.String({ description: "'auto' for the ab-router's own decisions, else who asked" }),
    variant: Type.Optional(Type.String()),
    reason: Type.String(),
    evidence: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);
export type DecisionRecord = Static<typeof DecisionRecord>;

/** One look at the primary metric, for charts of the metric and its interval over time. */
export const AnalysisPoint = Type.Object(
  {
    at: EpochMs('When the analysis ran'),
    values: Type.Record(Type.String(), Type.Object({ n: Type.Integer(), value: Type.Union([Type.Number(), Type.Null()]) })),
    comparisons: Type.Array(
      Type.Object({
        treatment: Type.String(),
        difference: Type.Number(),
        ci: Type.Tuple([Type.Number(), Type.Number()]),
        pValue: Type.Number({ description: 'Corrected always-valid p-value' }),
      }),
    ),
  },
  { additionalProperties: false },
);
export type AnalysisPoint = Static<typeof AnalysisPoint>;

export const Experiment = Type.Object(
  {
    experimentId: Type.String(),
    spec: ExperimentSpec,
    status: literals(EXPERIMENT_STATUSES),
    /** Increases with every change; a reader keeps the highest it has seen. */
    revision: Type.Integer({ minimum: 0 }),
    createdAt: EpochMs('Created'),
    updatedAt: EpochMs('Last change'),
    startedAt: Type.Optional(EpochMs('Started')),
    endedAt: Type.Optional(EpochMs('Stopped, completed or rolled back')),
    /** canary: index into `spec.ramp` of the current step. */
    rampStep: Type.Integer({ minimum: 0 }),
    /** The last command applied, so a redelivered (or doubly led) command is applied once. */
    lastCommandId: Type.Optional(Type.String()),
    /** canary: the canary's prediction count when the current step began. */
    rampStepPredictions: Type.Integer({ minimum: 0 }),
    /** blue-green: the variant answering; others: the winner once promoted. */
    liveVariant: Type.String(),
    metrics: Type.Record(Type.String(), VariantMetrics),
    /** The latest analysis from `@mlops/statistics` (`ExperimentAnalysis`) with its primary metric. */
    analysis: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    history: Type.Array(AnalysisPoint, { description: 'Bounded; older looks are thinned out' }),
    decisions: Type.Array(DecisionRecord, { description: 'Bounded; the newest are kept' }),
  },
  { additionalProperties: false },
);
export type Experiment = Static<typeof Experiment>;

export const EXPERIMENT_COMMAND_TYPES = ['create', 'start', 'stop', 'promote', 'rollback'] as const;
export type ExperimentCommandType = (typeof EXPERIMENT_COMMAND_TYPES)[number];

/** `experiments.commands`: what the gateway (admin API) asks the ab-router to do. */
export const ExperimentCommand = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    commandId: Type.String({ minLength: 1, maxLength: 200 }),
    type: literals(EXPERIMENT_COMMAND_TYPES),
    experimentId: Name('The experiment'),
    spec: Type.Optional(ExperimentSpec),
    /** promote: the variant to promote (default: the best treatment); rollback: ignored. */
    variant: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String({ maxLength: 1000 })),
    requestedBy: Type.String({ minLength: 1, maxLength: 200 }),
    at: EpochMs('When it was asked for'),
  },
  { additionalProperties: false, $id: 'ExperimentCommand' },
);
export type ExperimentCommand = Static<typeof ExperimentCommand>;

/**
 * `experiments.events` (compacted). Key: the experiment id for its state; `<id>#rejected` for the
 * latest refused command; `<id>/<instance>` for a router instance's running assignment counts.
 */
export const ExperimentEvent = Type.Union(
  [
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        type: Type.Literal('experiment-state'),
        experiment: Experiment,
        commandId: Type.Optional(Type.String({ description: 'The command this change answers' })),
        at: EpochMs('Event time'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        type: Type.Literal('command-rejected'),
        experimentId: Type.String(),
        commandId: Type.String(),
        error: ErrorDetail,
        at: EpochMs('Event time'),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
        type: Type.Literal('assignment-counts'),
        experimentId: Type.String(),
        instanceId: Type.String(),
        counts: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'variant -> requests this instance assigned (cumulative)' }),
        units: Type.Optional(
          Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'variant -> randomization units this instance assigned: new subjects, plus requests without a subject id (cumulative)' }),
        ),
        at: EpochMs('Event time'),
      },
      { additionalProperties: false },
    ),
  ],
  { $id: 'ExperimentEvent' },
);
export type ExperimentEvent = Static<typeof ExperimentEvent>;

export function experimentEventKey(event: ExperimentEvent): string {
  if (event.type === 'experiment-state') return event.experiment.experimentId;
  if (event.type === 'command-rejected') return `${event.experimentId}#rejected`;
  return `${event.experimentId}/${event.instanceId}`;
}
