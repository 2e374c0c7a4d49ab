import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformError, type Experiment, type ExperimentCommand } from '@mlops/schemas';
import { applyCommand, MAX_DECISIONS, withChange } from './experiment-state';
import { experimentOf, specOf } from './spec-fixtures';

const command = (type: ExperimentCommand['type'], extra: Partial<ExperimentCommand> = {}): ExperimentCommand => ({
  schemaVersion: 1,
  commandId: `c-${type}`,
  type,
  experimentId: 'exp-1',
  requestedBy: 'alice',
  at: 5,
  ...extra,
});
const context = (runningOn: Experiment | undefined = undefined) => ({ defaultModelName: 'm', runningOn: () => runningOn, now: 10 });
const rejects = (fn: () => unknown, code: string, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof PlatformError && e.code === code && pattern.test(e.message));

test('create makes a draft on the default model with the creation logged; start and stop follow', () => {
  const draft = applyCommand(undefined, command('create', { spec: specOf() }), context());
  assert.equal(draft.status, 'draft');
  assert.equal(draft.spec.model_name, 'm');
  assert.deepEqual(draft.decisions.map((d) => d.action), ['created']);
  const started = applyCommand(draft, command('start'), context());
  assert.equal(started.status, 'running');
  assert.equal(started.revision, draft.revision + 1);
  const stopped = applyCommand(started, command('stop', { reason: 'holiday traffic' }), context());
  assert.equal(stopped.status, 'stopped');
  assert.deepEqual(stopped.decisions.at(-1), { at: 10, action: 'stopped', actor: 'alice', reason: 'holiday traffic' });
});

test('a spec whose names disagree is refused with every problem named', () => {
  const spec = specOf({ variants: { control: 'v1' }, traffic_allocation: { control: 50, other: 50 } });
  rejects(() => applyCommand(undefined, command('create', { spec }), context()), 'VALIDATION_ERROR', /no model version for 'treatment'.*unknown variant 'other'/);
});

test('only one experiment splits a model at a time: starting a second names the first', () => {
  const draft = applyCommand(undefined, command('create', { spec: specOf() }), context());
  rejects(() => applyCommand(draft, command('start'), context(experimentOf({ experiment_id: 'other' }))), 'VALIDATION_ERROR', /experiment other already splits/);
});

test('commands that do not fit the state are refused: unknown id, duplicate create, stop a draft', () => {
  rejects(() => applyCommand(undefined, command('start'), context()), 'NOT_FOUND', /no experiment exp-1/);
  const draft = applyCommand(undefined, command('create', { spec: specOf() }), context());
  rejects(() => applyCommand(draft, command('create', { spec: specOf() }), context()), 'VALIDATION_ERROR', /already exists/);
  rejects(() => applyCommand(draft, command('stop'), context()), 'VALIDATION_ERROR', /is draft; only a running experiment can be stopped/);
});

test('promote completes with the winner; blue-green promote switches and rollback switches back', () => {
  const promoted = applyCommand(experimentOf(), command('promote'), context());
  assert.deepEqual([promoted.status, promoted.liveVariant], ['completed', 'treatment']);
  const blueGreen = experimentOf({ kind: 'blue-green' });
  const green = applyCommand(blueGreen, command('promote'), context());
  assert.deepEqual([green.status, green.liveVariant, green.decisions.at(-1)?.action], ['running', 'treatment', 'switched']);
  const blue = applyCommand(green, command('rollback'), context());
  assert.deepEqual([blue.status, blue.liveVariant], ['running', 'control']);
  rejects(() => applyCommand(experimentOf({ treatment_variants: ['a', 'b'], variants: { control: 'v1', a: 'v2', b: 'v3' } }), command('promote'), context()), 'VALIDATION_ERROR', /name the variant/);
});

test('the decision log keeps the newest entries only', () => {
  let experiment = experimentOf();
  for (let i = 0; i < MAX_DECISIONS + 20; i++) experiment = withChange(experiment, {}, { action: 'analysis', actor: 'auto', reason: `look ${i}` }, i);
  assert.equal(experiment.decisions.length, MAX_DECISIONS);
  assert.equal(experiment.decisions.at(-1)?.reason, `look ${MAX_DECISIONS + 19}`);
});
