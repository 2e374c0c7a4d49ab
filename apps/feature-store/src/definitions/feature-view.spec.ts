import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '@mlops/config';
import { builtinDefinitions, loadDefinitions } from './builtin-views';
import { durationMs, resolveFeatureView } from './feature-view';
import { canonicalJson, fingerprints } from './registry';

const topics = { PredictionLog: 'predictions.log', Feedback: 'feedback' };
const builtin = (name: string) => {
  const found = builtinDefinitions(topics).find((d) => d.name === name);
  if (!found) throw new Error(`no built-in view ${name}`);
  return structuredClone(found);
};
const subjectActivity = () => builtin('subject_activity');

function rejects(definition: unknown, message: RegExp) {
  assert.throws(() => resolveFeatureView(definition, topics), (e: unknown) => e instanceof ConfigError && message.test(e.message));
}

test('the built-in views resolve with their windows, TTL and sources', () => {
  const views = builtinDefinitions(topics).map((d) => resolveFeatureView(d, topics));
  assert.deepEqual(views.map((v) => v.name), ['subject_activity', 'model_quality', 'text_stats']);
  const subject = views[0];
  assert.deepEqual(subject.windows.map((w) => w.lengthMs), [300_000, 3_600_000, 86_400_000]);
  assert.equal(subject.ttlMs, 2 * 86_400_000);
  assert.ok(subject.features.some((f) => f.name === 'negative_share_24h'));
  assert.equal(views[1].readsFeedback, true);
  assert.equal(views[2].readsFeedback, false);
});

test('a feature the transformation does not produce is named in the error, with what it does produce', () => {
  const d = subjectActivity();
  d.features.push({ name: 'request_count_2h', type: 'int64' });
  rejects(d, /feature view 'subject_activity': features: 'request_count_2h' is not produced by subject_activity with windows \[5m, 1h, 24h\]/);
});

test('a feature declared with the wrong type, an entity key that does not match, or a TTL shorter than a window is refused', () => {
  const typed = subjectActivity();
  typed.features[0].type = 'string';
  rejects(typed, /'request_count_5m' is int64, not string/);
  const keyed = subjectActivity();
  keyed.entity_key = 'user_id';
  rejects(keyed, /entity_key 'user_id' does not match transformation subject_activity, which is keyed by subject_id/);
  const short = subjectActivity();
  short.ttl = '1h';
  rejects(short, /ttl 1h is shorter than the longest window/);
});

test('a source on another topic than this instance reads, or a missing feedback source, is refused', () => {
  const elsewhere = subjectActivity();
  elsewhere.sources[0].topic = 'predictions.other';
  rejects(elsewhere, /PredictionLog is read from topic 'predictions.log', not 'predictions.other'/);
  const quality = builtin('model_quality');
  quality.sources = quality.sources.filter((s) => s.schema !== 'Feedback');
  rejects(quality, /transformation model_quality needs a Feedback source/);
  rejects({ ...subjectActivity(), ttl: '2 days' }, /ttl: must match pattern/);
});

test('durations are read in their unit', () => {
  assert.equal(durationMs('30s'), 30_000);
  assert.equal(durationMs('7d'), 7 * 86_400_000);
  assert.throws(() => durationMs('1w'), RangeError);
});

test('a YAML view replaces the built-in of its name and adds new ones', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fs-views-')), 'views.yaml');
  fs.writeFileSync(
    file,
    `feature_views:
  - name: subject_activity
    entity_key: subject_id
    owner: growth-team
    sources: [{ topic: predictions.log, schema: PredictionLog, schema_version: 1 }]
    transformation: { name: subject_activity, windows: [10m] }
    features:
      - { name: request_count_10m, type: int64 }
    ttl: 1d
`,
  );
  const views = loadDefinitions(file, topics).map((d) => resolveFeatureView(d, topics));
  assert.equal(views.length, 3);
  const replaced = views.find((v) => v.name === 'subject_activity');
  assert.deepEqual(replaced?.features.map((f) => f.name), ['request_count_10m']);
  assert.equal(replaced?.definition.owner, 'growth-team');
  fs.writeFileSync(file, 'views: []\n');
  assert.throws(() => loadDefinitions(file, topics), /must hold a list under feature_views/);
});

test('fingerprints ignore key order; metadata changes keep the data fingerprint, transformation changes do not', () => {
  const d = subjectActivity();
  const reordered = Object.fromEntries(Object.entries(d).reverse()) as typeof d;
  assert.equal(canonicalJson(reordered), canonicalJson(d));
  const base = fingerprints(d);
  const described = fingerprints({ ...d, description: 'new words' });
  assert.notEqual(described.fingerprint, base.fingerprint);
  assert.equal(described.dataFingerprint, base.dataFingerprint);
  const rewindowed = fingerprints({ ...d, transformation: { name: 'subject_activity', windows: ['5m'] } });
  assert.notEqual(rewindowed.dataFingerprint, base.dataFingerprint);
});
