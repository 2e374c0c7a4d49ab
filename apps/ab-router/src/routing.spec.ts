import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlatformError, type InferenceRequest, type ModelVersionInfo } from '@mlops/schemas';
import { route, type ServedModels } from './routing';

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
