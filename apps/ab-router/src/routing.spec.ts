import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformError, type Experiment, type InferenceRequest, type ModelVersionInfo } from '@mlops/schemas';
import { route, type ServedModels } from './routing';
import { experimentOf } from './spec-fixtures';

function served(versions: string[], aliases: Record<string, string>): ServedModels {
  const info = (v: string) => ({ modelName: 'm', modelVersion: v }) as ModelVersionInfo;
  return {
    aliasTarget: (model, alias) => (model === 'm' ? aliases[alias] : undefined),
    servedVersion: (model, v) => (model === 'm' && versions.includes(v) ? info(v) : undefined),
  };
}

const request = (extra: Partial<InferenceRequest> = {}): InferenceRequest => ({
  schemaVersion: 1,
  requestId: 'r',
  texts: ['t'],
  deadline: Date.now() + 1000,
  replyTo: { topic: 'x' },
  ...extra,
});
const defaults = { modelName: 'm', alias: 'production' };

test('an unpinned request goes to the version behind the production alias', () => {
  const [target] = route(request(), served(['v1', 'v2'], { production: 'v1' }), defaults);
  assert.equal(target.modelVersion, 'v1');
  assert.deepEqual(target.routing, { reason: 'alias', alias: 'production', shadow: false });
});

test('a pinned version that is served wins; an alias can be pinned too', () => {
  assert.equal(route(request({ modelVersion: 'v2' }), served(['v1', 'v2'], { production: 'v1' }), defaults)[0].modelVersion, 'v2');
  const [viaAlias] = route(request({ modelVersion: 'candidate' }), served(['v1', 'v2'], { production: 'v1', candidate: 'v2' }), defaults);
  assert.equal(viaAlias.modelVersion, 'v2');
  assert.equal(viaAlias.routing.alias, 'candidate');
});

test('an unknown pinned version is a MODEL_NOT_FOUND error naming it', () => {
  assert.throws(
    () => route(request({ modelVersion: 'v9' }), served(['v1'], { production: 'v1' }), defaults),
    (e: unknown) => e instanceof PlatformError && e.code === 'MODEL_NOT_FOUND' && /'v9'/.test(e.message),
  );
});

test('no production alias yet is NO_MODEL_SERVING (retryable)', () => {
  assert.throws(() => route(request(), served([], {}), defaults), (e: unknown) => e instanceof PlatformError && e.code === 'NO_MODEL_SERVING' && e.retryable);
});

const running = (experiment: Experiment | undefined) => ({ runningFor: (model: string) => (experiment?.spec.model_name === model ? experiment : undefined) });

test('an unpinned request of a model with a running experiment goes to its variant, tagged with the experiment', () => {
  const experiment = experimentOf();
  const experiments = running(experiment);
  const targets = route(request({ subjectId: 'user-1' }), served(['v1', 'v2'], { production: 'v1' }), { ...defaults, experiments });
  assert.equal(targets.length, 1);
  assert.deepEqual(targets[0].routing, { reason: 'experiment', experimentId: 'exp-1', variant: 'treatment', shadow: false }); // user-1 hashes to 0.58
  assert.equal(targets[0].modelVersion, 'v2');
  // A pin wins over the experiment; other models are not in it.
  assert.equal(route(request({ subjectId: 'user-1', modelVersion: 'v1' }), served(['v1', 'v2'], { production: 'v1' }), { ...defaults, experiments })[0].routing.reason, 'pinned');
  assert.equal(route(request({ modelName: 'other' }), { ...served([], {}), aliasTarget: () => 'x', servedVersion: () => ({}) as ModelVersionInfo }, { ...defaults, experiments })[0].routing.reason, 'alias');
});

test('a shadow rollout answers with control and sends a shadow copy to the treatment', () => {
  const experiments = running(experimentOf({ kind: 'shadow', variants: { control: 'production', treatment: 'candidate' } }));
  const targets = route(request(), served(['v1', 'v2'], { production: 'v1', candidate: 'v2' }), { ...defaults, experiments, random: () => 0.5 });
  assert.deepEqual(
    targets.map((t) => [t.modelVersion, t.routing.reason, t.routing.variant, t.routing.shadow]),
    [
      ['v1', 'rollout', 'control', false],
      ['v2', 'rollout', 'treatment', true],
    ],
  );
});

test('while a variant is not served, requests take the default route and stay out of the experiment', () => {
  const experiments = running(experimentOf());
  const [target] = route(request({ subjectId: 'user-1' }), served(['v1'], { production: 'v1' }), { ...defaults, experiments });
  assert.deepEqual(target.routing, { reason: 'alias', alias: 'production', shadow: false });
});
