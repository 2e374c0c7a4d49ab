/**
 * The feature store's contracts: feature view definitions (the YAML a team writes, and what the
 * API shows), the HTTP bodies of its API (snake_case, like the rest of the product's API), the
 * offline snapshot files the trainer reads, and the drift events it publishes on
 * `features.events` (camelCase, like every Kafka message). Times on HTTP are ISO 8601 UTC; in
 * Kafka messages, epoch ms.
 */
import { createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { MESSAGE_SCHEMA_VERSION } from './messages';

/** The `text_hash` entity key of a text: the first 32 hex digits of the SHA-256 of its UTF-8 bytes. */
export function textHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}

const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });
const EpochMs = (description: string) => Type.Integer({ minimum: 0, description: `${description} (epoch ms)` });
const FeatureViewName = Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'snake_case, unique in the store' });
/** `30s`, `5m`, `1h`, `7d`. */
export const DURATION_PATTERN = '^[1-9][0-9]{0,6}(s|m|h|d)$';
const Duration = Type.String({ pattern: DURATION_PATTERN, description: 'A span such as 30s, 5m, 1h or 7d' });
const EntityValue = Type.String({ minLength: 1, maxLength: 200 });

export const FEATURE_TYPES = ['int64', 'float64', 'string', 'float64_list'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** The message schemas a feature view may read; the name is the schema's `$id` in messages.ts. */
export const FEATURE_SOURCE_SCHEMAS = ['PredictionLog', 'Feedback'] as const;

export const FeatureSpec = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }),
    type: Type.Union(FEATURE_TYPES.map((t) => Type.Literal(t))),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type FeatureSpec = Static<typeof FeatureSpec>;

export const FeatureSource = Type.Object(
  {
    topic: Type.String({ minLength: 1, maxLength: 249, pattern: '^[a-zA-Z0-9._-]+$' }),
    schema: Type.Union(FEATURE_SOURCE_SCHEMAS.map((s) => Type.Literal(s))),
    schema_version: Type.Integer({ minimum: 1, description: 'The message schemaVersion the view was written for' }),
  },
  { additionalProperties: false },
);
export type FeatureSource = Static<typeof FeatureSource>;

/**
 * A feature view as declared in code or YAML. Transformations are built into the feature store and
 * named here (a YAML file cannot carry code); `windows` are the sliding windows of its aggregates.
 */
export const FeatureViewDefinition = Type.Object(
  {
    name: FeatureViewName,
    entity_key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'e.g. subject_id, model_version, text_hash' }),
    description: Type.Optional(Type.String({ maxLength: 1000 })),
    owner: Type.String({ minLength: 1, maxLength: 200 }),
    sources: Type.Array(FeatureSource, { minItems: 1, maxItems: 4 }),
    transformation: Type.Object(
      {
        name: Type.String({ minLength: 1, maxLength: 64 }),
        windows: Type.Optional(Type.Array(Duration, { maxItems: 6, description: 'Sliding windows of the aggregates' })),
      },
      { additionalProperties: false },
    ),
    features: Type.Array(FeatureSpec, { minItems: 1, maxItems: 200 }),
    ttl: Duration,
    tags: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false, $id: 'FeatureViewDefinition' },
);
export type FeatureViewDefinition = Static<typeof FeatureViewDefinition>;

/** A YAML file of definitions: `feature_views: [...]`. */
export const FeatureViewsFile = Type.Object({ feature_views: Type.Array(FeatureViewDefinition, { minItems: 1 }) }, { additionalProperties: false });

export const FeatureViewVersion = Type.Object(
  {
    name: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    /** Versions that differ only in description, owner or tags share the stored values. */
    storage_version: Type.Integer({ minimum: 1 }),
    fingerprint: Type.String({ description: 'sha256 of the whole definition' }),
    data_fingerprint: Type.String({ description: 'sha256 of what decides the stored values' }),
    created_at: Timestamp,
    definition: FeatureViewDefinition,
  },
  { $id: 'FeatureViewVersion' },
);
export type FeatureViewVersion = Static<typeof FeatureViewVersion>;

export const FeatureViewSummary = Type.Object({
  name: Type.String(),
  entity_key: Type.String(),
  latest_version: Type.Integer(),
  /** The version this instance materializes (undefined when it materializes none of this view). */
  materialized_version: Type.Optional(Type.Integer()),
  owner: Type.String(),
  description: Type.String(),
  features: Type.Array(Type.String()),
});
export type FeatureViewSummary = Static<typeof FeatureViewSummary>;

export const FeatureViewListResponse = Type.Object({ feature_views: Type.Array(FeatureViewSummary) }, { $id: 'FeatureViewListResponse' });
export type FeatureViewListResponse = Static<typeof FeatureViewListResponse>;

export const FeatureViewResponse = Type.Object(
  { name: Type.String(), latest_version: Type.Integer(), versions: Type.Array(FeatureViewVersion) },
  { $id: 'FeatureViewResponse' },
);
export type FeatureViewResponse = Static<typeof FeatureViewResponse>;

export const LineageResponse = Type.Object(
  {
    feature_view: Type.String(),
    version: Type.Integer(),
    storage_version: Type.Integer(),
    created_at: Timestamp,
    sources: Type.Array(FeatureSource),
    transformation: Type.String(),
    computed_from_model_versions: Type.Array(Type.String(), { description: 'Model versions whose predictions fed these values' }),
    served_to_model_versions: Type.Array(Type.String(), { description: 'Model versions that read these features online' }),
    trained_model_versions: Type.Array(Type.String(), { description: 'Model versions trained on an export of these features' }),
    exports: Type.Array(Type.String(), { description: 'Offline snapshot ids that include this version' }),
  },
  { $id: 'LineageResponse' },
);
export type LineageResponse = Static<typeof LineageResponse>;

export const FeatureValue = Type.Union([Type.Number(), Type.String(), Type.Array(Type.Number()), Type.Null()]);
export type FeatureValue = Static<typeof FeatureValue>;

export const ONLINE_MAX_ENTITIES = 1000;

export const OnlineFeaturesRequest = Type.Object(
  {
    feature_view: FeatureViewName,
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Default: the latest version' })),
    entities: Type.Array(EntityValue, { minItems: 1, maxItems: ONLINE_MAX_ENTITIES }),
    features: Type.Optional(Type.Array(Type.String(), { minItems: 1, description: 'Default: every feature of the view' })),
    model_version: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The model that will use the values (recorded in lineage)' })),
  },
  { additionalProperties: false, $id: 'OnlineFeaturesRequest' },
);
export type OnlineFeaturesRequest = Static<typeof OnlineFeaturesRequest>;

export const ENTITY_STATUSES = ['found', 'missing', 'expired'] as const;

export const OnlineEntityResult = Type.Object({
  entity: Type.String(),
  /** missing: never seen (or evicted); expired: last event older than the view's TTL. */
  status: Type.Union(ENTITY_STATUSES.map((s) => Type.Literal(s))),
  features: Type.Optional(Type.Record(Type.String(), FeatureValue)),
  event_timestamp: Type.Optional(Timestamp),
  freshness_seconds: Type.Optional(Type.Number({ description: 'Age of the newest event behind the values' })),
});
export type OnlineEntityResult = Static<typeof OnlineEntityResult>;

export const OnlineFeaturesResponse = Type.Object(
  {
    feature_view: Type.String(),
    version: Type.Integer(),
    entity_key: Type.String(),
    results: Type.Array(OnlineEntityResult, { description: 'One per requested entity, in request order' }),
    missing: Type.Array(Type.String(), { description: 'Entities without values (missing or expired)' }),
    timestamp: Timestamp,
  },
  { $id: 'OnlineFeaturesResponse' },
);
export type OnlineFeaturesResponse = Static<typeof OnlineFeaturesResponse>;

export const EXPORT_MAX_ROWS = 1_000_000;

export const ExportSpineRow = Type.Object(
  {
    entities: Type.Record(Type.String(), EntityValue, { description: 'entity key -> value, e.g. {"subject_id": "u1"}' }),
    event_timestamp: Timestamp,
    label: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);

export const ExportRequest = Type.Object(
  {
    feature_views: Type.Array(
      Type.Object({ name: FeatureViewName, version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
      { minItems: 1, maxItems: 20 },
    ),
    /** The rows to label: labelled feedback from the stream, or rows given here (Feast's entity dataframe). */
    spine: Type.Union([
      Type.Object(
        { source: Type.Literal('feedback'), from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) },
        { additionalProperties: false },
      ),
      Type.Object({ rows: Type.Array(ExportSpineRow, { minItems: 1, maxItems: 100_000 }) }, { additionalProperties: false }),
    ]),
    model_name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    model_version: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'The version to be trained on it (recorded in lineage)' })),
  },
  { additionalProperties: false, $id: 'ExportRequest' },
);
export type ExportRequest = Static<typeof ExportRequest>;

/** One line of `rows.jsonl` in a snapshot: features as they were at `event_timestamp`, never later. */
export const SnapshotRow = Type.Object(
  {
    event_timestamp: Timestamp,
    label: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    entities: Type.Record(Type.String(), Type.String()),
    /** view -> feature -> value; a view is null when its entity had no live value at that instant. */
    features: Type.Record(Type.String(), Type.Union([Type.Record(Type.String(), FeatureValue), Type.Null()])),
  },
  { $id: 'SnapshotRow' },
);
export type SnapshotRow = Static<typeof SnapshotRow>;

export const SNAPSHOT_ROWS_FILE = 'rows.jsonl';
export const SNAPSHOT_MANIFEST_FILE = 'manifest.json';

export const SnapshotManifest = Type.Object(
  {
    export_id: Type.String(),
    created_at: Timestamp,
    format: Type.Literal('jsonl'),
    rows_file: Type.Literal(SNAPSHOT_ROWS_FILE),
    rows: Type.Integer({ minimum: 0 }),
    point_in_time: Type.Literal(true),
    feature_views: Type.Array(
      Type.Object({ name: Type.String(), version: Type.Integer(), storage_version: Type.Integer(), entity_key: Type.String(), features: Type.Array(Type.String()) }),
    ),
    spine: Type.String({ description: "'feedback' or 'rows'" }),
    rows_without_features: Type.Record(Type.String(), Type.Integer(), { description: 'Per view, rows whose entity had no value then' }),
    model_name: Type.Optional(Type.String()),
    model_version: Type.Optional(Type.String()),
  },
  { $id: 'SnapshotManifest' },
);
export type SnapshotManifest = Static<typeof SnapshotManifest>;

export const ExportResponse = Type.Object(
  { export_id: Type.String(), directory: Type.String(), manifest: SnapshotManifest },
  { $id: 'ExportResponse' },
);
export type ExportResponse = Static<typeof ExportResponse>;

export const DRIFT_TESTS = ['ks', 'chi_squared'] as const;

export const FeatureDriftResult = Type.Object({
  feature: Type.String(),
  model_version: Type.Optional(Type.String()),
  test: Type.Union(DRIFT_TESTS.map((t) => Type.Literal(t))),
  psi: Type.Number(),
  statistic: Type.Number(),
  p_value: Type.Number(),
  detected: Type.Boolean(),
  live_size: Type.Integer(),
  reference_size: Type.Integer(),
  evaluated_at: Timestamp,
});
export type FeatureDriftResult = Static<typeof FeatureDriftResult>;

export const DriftReportResponse = Type.Object(
  {
    enabled: Type.Boolean(),
    reason: Type.Optional(Type.String({ description: 'Why drift monitoring is off' })),
    reference: Type.Optional(
      Type.Object({
        id: Type.String(),
        source: Type.String(),
        texts: Type.Integer(),
        built_at: Timestamp,
        model_name: Type.Optional(Type.String({ description: 'The model whose training data the reference is' })),
        model_version: Type.Optional(Type.String({ description: 'Its version (production when the reference was built)' })),
        data_hash: Type.Optional(Type.String({ description: "Content hash of that training data, as the version's lineage records it" })),
        fallback_reason: Type.Optional(Type.String({ description: "Why the reference is not the production model's training data" })),
      }),
    ),
    thresholds: Type.Object({ psi: Type.Number(), p_value: Type.Number() }),
    windows_evaluated: Type.Integer(),
    features: Type.Array(FeatureDriftResult),
    prediction_confidence: Type.Array(FeatureDriftResult),
  },
  { $id: 'DriftReportResponse' },
);
export type DriftReportResponse = Static<typeof DriftReportResponse>;

export const DATA_QUALITY_CHECKS = [
  'schema_violation',
  'empty_text',
  'replacement_character',
  'control_characters',
  'no_letters',
  'non_latin_script',
  'prediction_count_mismatch',
  'late_event',
  'future_event',
  'volume_spike',
  'volume_drop',
] as const;
export type DataQualityCheck = (typeof DATA_QUALITY_CHECKS)[number];

export const QualityReportResponse = Type.Object(
  {
    since: Timestamp,
    events: Type.Integer({ description: 'predictions.log messages seen by this instance' }),
    texts: Type.Integer(),
    issues: Type.Record(Type.String(), Type.Integer(), { description: 'check -> count' }),
    volume: Type.Object({
      bucket_seconds: Type.Number(),
      last_bucket_events: Type.Integer(),
      baseline_events: Type.Number({ description: 'Moving average of earlier buckets' }),
    }),
  },
  { $id: 'QualityReportResponse' },
);
export type QualityReportResponse = Static<typeof QualityReportResponse>;

/** `features.events`: drift of a monitored feature (or of a model version's confidence) began or ended. */
export const FeatureDriftEvent = Type.Object(
  {
    schemaVersion: Type.Literal(MESSAGE_SCHEMA_VERSION),
    type: Type.Union([Type.Literal('drift-detected'), Type.Literal('drift-resolved')]),
    eventId: Type.String({ minLength: 1, maxLength: 200 }),
    feature: Type.String({ description: 'text_length, token_count, oov_rate, vocabulary, predicted_label or prediction_confidence' }),
    modelVersion: Type.Optional(Type.String()),
    test: Type.Union(DRIFT_TESTS.map((t) => Type.Literal(t))),
    psi: Type.Number(),
    statistic: Type.Number(),
    pValue: Type.Number(),
    psiThreshold: Type.Number(),
    pValueThreshold: Type.Number(),
    liveSize: Type.Integer({ minimum: 0 }),
    referenceId: Type.String({ description: 'The reference profile compared against' }),
    at: EpochMs('When the window was evaluated'),
  },
  { additionalProperties: false, $id: 'FeatureDriftEvent' },
);
export type FeatureDriftEvent = Static<typeof FeatureDriftEvent>;
