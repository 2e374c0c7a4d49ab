/**
 * Which model version answers a request. Pure: given the request and what is served, returns the
 * routed targets (the one that answers first, then any shadow copies) or a PlatformError.
 * Experiments and rollouts add their decisions here.
 */
import { PlatformError, type InferenceRequest, type ModelVersionInfo, type Routing } from '@mlops/schemas';

export interface ServedModels {
  aliasTarget(modelName: string, alias: string): string | undefined;
  servedVersion(modelName: string, version: string): ModelVersionInfo | undefined;
}

export interface RouteTarget {
  modelName: string;
  modelVersion: string;
  routing: Routing;
}

export function route(request: InferenceRequest, served: ServedModels, defaults: { modelName: string; alias: string }): RouteTarget[] {
  const modelName = request.modelName ?? defaults.modelName;
  if (request.modelVersion) {
    // A pin may name a version or an alias (e.g. "candidate").
    const version = served.servedVersion(modelName, request.modelVersion) ? request.modelVersion : served.aliasTarget(modelName, request.modelVersion);
    if (!version || !served.servedVersion(modelName, version)) {
      throw new PlatformError('MODEL_NOT_FOUND', `model ${modelName} has no served version '${request.modelVersion}'`);
    }
    const reason = version === request.modelVersion ? 'pinned' : 'alias';
    return [{ modelName, modelVersion: version, routing: { reason, ...(reason === 'alias' ? { alias: request.modelVersion } : {}), shadow: false } }];
  }
  const version = served.aliasTarget(modelName, defaults.alias);
  if (!version || !served.servedVersion(modelName, version)) {
    throw new PlatformError('NO_MODEL_SERVING', `model ${modelName} has no served version behind the '${defaults.alias}' alias yet`);
  }
  return [{ modelName, modelVersion: version, routing: { reason: 'alias', alias: defaults.alias, shadow: false } }];
}
