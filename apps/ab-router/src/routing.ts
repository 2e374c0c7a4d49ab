/**
 * Which model version answers a request. Pure: given the request, what is served and the running
 * experiments, returns the routed targets (the one that answers first, then any shadow copies) or
 * a PlatformError. A pin wins over experiments; an experiment wins over the default alias.
 */
import { PlatformError, type Experiment, type InferenceRequest, type ModelVersionInfo, type Routing } from '@mlops/schemas';
import { assign } from './assignment';

export interface ServedModels {
  aliasTarget(modelName: string, alias: string): string | undefined;
  servedVersion(modelName: string, version: string): ModelVersionInfo | undefined;
}

export interface RouteTarget {
  modelName: string;
  modelVersion: string;
  routing: Routing;
}

export interface RunningExperiments {
  /** The running experiment that splits a model's unpinned traffic; at most one per model. */
  runningFor(modelName: string): Experiment | undefined;
}

export interface RouteDefaults {
  modelName: string;
  alias: string;
  experiments?: RunningExperiments;
  /** Uniform in [0, 1), for anonymous requests. */
  random?: () => number;
}

/** A version id or an alias to a served version id. */
function servedTarget(served: ServedModels, modelName: string, versionOrAlias: string): string | undefined {
  const version = served.servedVersion(modelName, versionOrAlias) ? versionOrAlias : served.aliasTarget(modelName, versionOrAlias);
  return version && served.servedVersion(modelName, version) ? version : undefined;
}

/**
 * The experiment's targets, or undefined when one of its variants is not served (then the request
 * takes the default route and stays out of the experiment, so the comparison stays fair).
 */
function experimentTargets(request: InferenceRequest, modelName: string, experiment: Experiment, served: ServedModels, random: () => number): RouteTarget[] | undefined {
  const { variant, shadowVariant } = assign(experiment, request.subjectId, random);
  const reason = (experiment.spec.kind ?? 'ab') === 'ab' ? 'experiment' : 'rollout';
  const targets: RouteTarget[] = [];
  for (const [name, shadow] of [[variant, false], ...(shadowVariant ? [[shadowVariant, true] as const] : [])] as const) {
    const version = servedTarget(served, modelName, experiment.spec.variants[name]);
    if (!version) return undefined;
    targets.push({ modelName, modelVersion: version, routing: { reason, experimentId: experiment.experimentId, variant: name, shadow } });
  }
  return targets;
}

export function route(request: InferenceRequest, served: ServedModels, defaults: RouteDefaults): RouteTarget[] {
  const modelName = request.modelName ?? defaults.modelName;
  if (!request.modelVersion) {
    const experiment = defaults.experiments?.runningFor(modelName);
    const targets = experiment && experimentTargets(request, modelName, experiment, served, defaults.random ?? Math.random);
    if (targets) return targets;
  }
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
