/**
 * A feature view definition checked against the transformation it names and the topics this
 * instance reads, and resolved into what materialization and serving need (windows in ms, TTL,
 * the selected features). A definition that does not fit stops the process with a message
 * naming the view and the field.
 */
import { ConfigError } from '@mlops/config';
import { assertValid, FeatureViewDefinition, PlatformError, type FeatureSpec, type FeatureViewDefinition as Definition } from '@mlops/schemas';
import { windowSpec } from '../materialize/aggregate-state';
import { TRANSFORMATIONS, type Transformation, type WindowSpec } from '../transformations';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `5m`, `1h`, `7d` in ms (the schema's DURATION_PATTERN has already checked the form). */
export function durationMs(duration: string): number {
  const match = /^(\d+)([smhd])$/.exec(duration);
  if (!match) throw new RangeError(`'${duration}' is not a duration such as 30s, 5m, 1h or 7d`);
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** The topics this instance consumes, by the schema of their messages. */
export interface SourceTopics {
  PredictionLog: string;
  Feedback: string;
}

export interface ResolvedFeatureView {
  name: string;
  definition: Definition;
  transformation: Transformation;
  windows: WindowSpec[];
  ttlMs: number;
  /** The features the definition selects, in its order. */
  features: FeatureSpec[];
  readsPredictions: boolean;
  readsFeedback: boolean;
}

/** A resolved view with the version the registry gave its definition. */
export interface MaterializedView extends ResolvedFeatureView {
  version: number;
  /** Versions that differ only in metadata share stored values: this is the version whose keys hold them. */
  storageVersion: number;
}

function fail(definition: { name?: unknown }, message: string): never {
  throw new ConfigError(`feature view '${String(definition.name ?? '?')}': ${message}`);
}

/** `topics` is omitted when reading a stored version back: only a view to be materialized must match what this instance reads. */
export function resolveFeatureView(input: unknown, topics?: SourceTopics): ResolvedFeatureView {
  let definition: Definition;
  try {
    definition = assertValid(FeatureViewDefinition, input, 'definition');
  } catch (error) {
    fail((input ?? {}) as { name?: unknown }, error instanceof PlatformError ? error.message : String(error));
  }
  const transformation = TRANSFORMATIONS.get(definition.transformation.name);
  if (!transformation) fail(definition, `transformation.name '${definition.transformation.name}' is not one of ${[...TRANSFORMATIONS.keys()].join(', ')}`);
  if (definition.entity_key !== transformation.entityKey) {
    fail(definition, `entity_key '${definition.entity_key}' does not match transformation ${transformation.name}, which is keyed by ${transformation.entityKey}`);
  }
  for (const source of definition.sources) {
    if (source.schema_version !== 1) fail(definition, `sources: ${source.schema} schema version ${source.schema_version} is not known (this build reads version 1)`);
    if (topics && source.topic !== topics[source.schema]) fail(definition, `sources: ${source.schema} is read from topic '${topics[source.schema]}', not '${source.topic}'`);
  }
  for (const schema of transformation.sourceSchemas) {
    if (!definition.sources.some((s) => s.schema === schema)) fail(definition, `sources: transformation ${transformation.name} needs a ${schema} source`);
  }
  const windowNames = definition.transformation.windows ?? [];
  if (new Set(windowNames).size !== windowNames.length) fail(definition, 'transformation.windows: a window is listed twice');
  const windows = windowNames.map((name) => windowSpec(name, durationMs(name)));
  const available = new Map(transformation.features(windows).map((f) => [f.name, f]));
  for (const feature of definition.features) {
    const known = available.get(feature.name);
    if (!known) fail(definition, `features: '${feature.name}' is not produced by ${transformation.name} with windows [${windowNames.join(', ')}]; it produces ${[...available.keys()].join(', ')}`);
    if (known.type !== feature.type) fail(definition, `features: '${feature.name}' is ${known.type}, not ${feature.type}`);
  }
  const ttlMs = durationMs(definition.ttl);
  const longest = Math.max(0, ...windows.map((w) => w.lengthMs));
  if (ttlMs < longest) fail(definition, `ttl ${definition.ttl} is shorter than the longest window; values would expire before their window fills`);
  return {
    name: definition.name,
    definition,
    transformation,
    windows,
    ttlMs,
    features: definition.features,
    readsPredictions: definition.sources.some((s) => s.schema === 'PredictionLog'),
    readsFeedback: definition.sources.some((s) => s.schema === 'Feedback'),
  };
}
