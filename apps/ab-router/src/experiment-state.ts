/**
 * The life of an experiment as a pure state machine: commands (create, start, stop, promote,
 * rollback) and automated decisions turn one `Experiment` snapshot into the next, each change
 * with a record in its decision log. Side effects (moving aliases, publishing) are the
 * controller's.
 *
 *   draft --start--> running --stop--> stopped
 *                    running --promote--> completed      (blue-green: switches, stays running)
 *                    running --rollback--> rolled-back   (blue-green: switches back, stays running)
 */
import {
  PlatformError,
  experimentSpecProblems,
  type DecisionAction,
  type DecisionRecord,
  type Experiment,
  type ExperimentCommand,
  type ExperimentSpec,
} from '@mlops/schemas';

/** Decision log entries kept per experiment; the oldest go first. */
export const MAX_DECISIONS = 100;

export function kindOf(experiment: Pick<Experiment, 'spec'>): NonNullable<ExperimentSpec['kind']> {
  return experiment.spec.kind ?? 'ab';
}

export function newExperiment(spec: ExperimentSpec, defaultModelName: string, actor: string, now: number): Experiment {
  const problems = experimentSpecProblems(spec);
  if (problems.length > 0) throw new PlatformError('VALIDATION_ERROR', `experiment ${spec.experiment_id}: ${problems.join('; ')}`);
  return {
    experimentId: spec.experiment_id,
    spec: { ...spec, model_name: spec.model_name ?? defaultModelName },
    status: 'draft',
    revision: 1,
    createdAt: now,
    updatedAt: now,
    rampStep: 0,
    rampStepPredictions: 0,
    liveVariant: spec.control_variant,
    metrics: {},
    history: [],
    decisions: [{ at: now, action: 'created', actor, reason: spec.description ?? 'created' }],
  };
}

/** The next snapshot: revision bumped, the decision appended (log bounded). */
export function withChange(experiment: Experiment, change: Partial<Experiment>, decision: Omit<DecisionRecord, 'at'> | undefined, now: number): Experiment {
  const decisions = decision ? [...experiment.decisions, { at: now, ...decision }].slice(-MAX_DECISIONS) : experiment.decisions;
  return { ...experiment, ...change, decisions, revision: experiment.revision + 1, updatedAt: now };
}

function requireStatus(experiment: Experiment, allowed: Experiment['status'][], verb: string): void {
  if (!allowed.includes(experiment.status)) {
    throw new PlatformError('VALIDATION_ERROR', `experiment ${experiment.experimentId} is ${experiment.status}; only a ${allowed.join(' or ')} experiment can be ${verb}`);
  }
}

/** The variant a promotion moves to: the one asked for, else the analysis' best shipping treatment, else the only treatment. */
export function promotionTarget(experiment: Experiment, asked?: string): string {
  const treatments = experiment.spec.treatment_variants;
  if (asked !== undefined) {
    if (!treatments.includes(asked)) throw new PlatformError('VALIDATION_ERROR', `experiment ${experiment.experimentId} has no treatment '${asked}'`);
    return asked;
  }
  const comparisons = (experiment.analysis?.comparisons ?? []) as { treatment: string; decision: string; estimate?: { difference: number } }[];
  const higherIsBetter = experiment.analysis?.higherIsBetter !== false;
  const shipping = comparisons
    .filter((c) => c.decision === 'ship-treatment' && c.estimate)
    .sort((a, b) => (higherIsBetter ? 1 : -1) * ((b.estimate?.difference ?? 0) - (a.estimate?.difference ?? 0)));
  if (shipping.length > 0) return shipping[0].treatment;
  if (treatments.length === 1) return treatments[0];
  throw new PlatformError('VALIDATION_ERROR', `experiment ${experiment.experimentId} has several treatments and none has won yet: name the variant to promote`);
}

export interface CommandContext {
  defaultModelName: string;
  /** The experiment already running on a model, if any. */
  runningOn(modelName: string): Experiment | undefined;
  now: number;
}

/** The snapshot a command produces; a PlatformError when the command does not apply. */
export function applyCommand(current: Experiment | undefined, command: ExperimentCommand, context: CommandContext): Experiment {
  const { now } = context;
  const actor = command.requestedBy;
  if (command.type === 'create') {
    if (current) throw new PlatformError('VALIDATION_ERROR', `experiment ${command.experimentId} already exists (${current.status})`);
    if (!command.spec || command.spec.experiment_id !== command.experimentId) {
      throw new PlatformError('VALIDATION_ERROR', `a create command carries the spec of experiment ${command.experimentId}`);
    }
    return newExperiment(command.spec, context.defaultModelName, actor, now);
  }
  if (!current) throw new PlatformError('NOT_FOUND', `no experiment ${command.experimentId}`);
  const reason = command.reason ?? `${command.type} requested`;
  const decision = (action: DecisionAction, variant?: string) => ({ action, actor, reason, ...(variant ? { variant } : {}) });
  const blueGreen = kindOf(current) === 'blue-green';
  switch (command.type) {
    case 'start': {
      requireStatus(current, ['draft'], 'started');
      const modelName = current.spec.model_name ?? context.defaultModelName;
      const other = context.runningOn(modelName);
      if (other && other.experimentId !== current.experimentId) {
        throw new PlatformError('VALIDATION_ERROR', `experiment ${other.experimentId} already splits the traffic of ${modelName}; stop it first`);
      }
      return withChange(current, { status: 'running', startedAt: now }, decision('started'), now);
    }
    case 'stop':
      requireStatus(current, ['running'], 'stopped');
      return withChange(current, { status: 'stopped', endedAt: now }, decision('stopped'), now);
    case 'promote': {
      requireStatus(current, ['running'], 'promoted');
      const variant = promotionTarget(current, command.variant);
      if (blueGreen) return withChange(current, { liveVariant: variant }, decision('switched', variant), now);
      return withChange(current, { status: 'completed', endedAt: now, liveVariant: variant }, decision('promoted', variant), now);
    }
    case 'rollback': {
      requireStatus(current, ['running'], 'rolled back');
      const control = current.spec.control_variant;
      if (blueGreen) return withChange(current, { liveVariant: control }, decision('rolled-back', control), now);
      return withChange(current, { status: 'rolled-back', endedAt: now, liveVariant: control }, decision('rolled-back', control), now);
    }
    default:
      throw new PlatformError('VALIDATION_ERROR', `unknown command '${String(command.type)}'`);
  }
}
