/**
 * The feature views the platform ships with, declared in code. A YAML file (config
 * `featureViewsFile`) adds views or replaces one of these by name; a changed definition gets a
 * new version and the old one stays readable.
 */
import fs from 'node:fs';
import YAML from 'yaml';
import { ConfigError } from '@mlops/config';
import type { FeatureSpec, FeatureViewDefinition } from '@mlops/schemas';
import { TRANSFORMATIONS } from '../transformations';
import { windowSpec } from '../materialize/aggregate-state';
import { durationMs, type SourceTopics } from './feature-view';

const OWNER = 'ml-platform';

/** Every feature a transformation produces with these windows, as definition entries. */
function allFeatures(name: string, windows: string[]): FeatureSpec[] {
  const transformation = TRANSFORMATIONS.get(name);
  if (!transformation) throw new RangeError(`no transformation '${name}'`);
  return transformation.features(windows.map((w) => windowSpec(w, durationMs(w))));
}

export function builtinDefinitions(topics: SourceTopics): FeatureViewDefinition[] {
  const predictions = { topic: topics.PredictionLog, schema: 'PredictionLog' as const, schema_version: 1 };
  const feedback = { topic: topics.Feedback, schema: 'Feedback' as const, schema_version: 1 };
  return [
    {
      name: 'subject_activity',
      entity_key: 'subject_id',
      description: 'What each end user asked for lately: request counts, mean confidence and NEGATIVE share over 5 min, 1 h and 24 h.',
      owner: OWNER,
      sources: [predictions],
      transformation: { name: 'subject_activity', windows: ['5m', '1h', '24h'] },
      features: allFeatures('subject_activity', ['5m', '1h', '24h']),
      ttl: '2d',
    },
    {
      name: 'model_quality',
      entity_key: 'model_version',
      description: 'How each model version behaves live: confidence distribution, NEGATIVE share, and accuracy on labelled feedback.',
      owner: OWNER,
      sources: [predictions, feedback],
      transformation: { name: 'model_quality', windows: ['1h'] },
      features: allFeatures('model_quality', ['1h']),
      ttl: '30d',
    },
    {
      name: 'text_stats',
      entity_key: 'text_hash',
      description: 'Per text (SHA-256 prefix of its UTF-8): length, WordPiece token count, OOV rate, times scored.',
      owner: OWNER,
      sources: [predictions],
      transformation: { name: 'text_stats' },
      features: allFeatures('text_stats', []),
      ttl: '7d',
    },
  ];
}

/** Built-in views, with the YAML file's views added or put in their place by name. */
export function loadDefinitions(file: string | undefined, topics: SourceTopics): unknown[] {
  const byName = new Map<string, unknown>(builtinDefinitions(topics).map((d) => [d.name, d]));
  if (file) {
    let parsed: unknown;
    try {
      parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new ConfigError(`featureViewsFile ${file} cannot be read: ${(error as Error).message}`);
    }
    // Shape only here; each view is checked in full (and named in the message) by resolveFeatureView.
    const views = (parsed as { feature_views?: unknown } | null)?.feature_views;
    if (!Array.isArray(views)) throw new ConfigError(`featureViewsFile ${file} must hold a list under feature_views`);
    for (const view of views as Array<{ name?: unknown }>) byName.set(String(view?.name), view);
  }
  return [...byName.values()];
}
