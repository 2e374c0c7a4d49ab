/**
 * Offline export for training: for every spine row (an entity set and an instant, usually a label
 * and the time it was given) the values each feature view had at that instant, computed from the
 * offline log of applied updates. Only updates with event time <= the row's instant are folded,
 * so no value from after the label leaks into its row; a value older than the view's TTL at that
 * instant is null, as it would have been online.
 *
 * Files, written to a temporary folder and renamed into place so a reader never sees half:
 *   <exportDir>/<export id>/rows.jsonl     one SnapshotRow per line
 *   <exportDir>/<export id>/manifest.json  SnapshotManifest
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import {
  EXPORT_MAX_ROWS,
  PlatformError,
  SNAPSHOT_MANIFEST_FILE,
  SNAPSHOT_ROWS_FILE,
  type ExportRequest,
  type ExportResponse,
  type SnapshotManifest,
  type SnapshotRow,
} from '@mlops/schemas';
import type { MaterializedView } from '../definitions/feature-view';
import type { FeatureRegistry } from '../definitions/registry';
import type { ViewCatalog } from '../definitions/view-catalog';
import { applyDelta, type Delta } from '../materialize/aggregate-state';
import { valuesAt } from '../materialize/online-store';
import type { StoreKeys } from '../store-keys';
import type { LabelLog } from './label-log';
import { readStream } from './stream-reader';

export interface ExportDeps {
  redis: Redis;
  keys: StoreKeys;
  catalog: ViewCatalog;
  registry: FeatureRegistry;
  labels: LabelLog;
  exportDir: string;
  clock: () => number;
}

interface SpineRow {
  time: number;
  entities: Record<string, string>;
  label?: string;
  text?: string;
  requestId?: string;
}

async function buildSpine(spine: ExportRequest['spine'], labels: LabelLog): Promise<SpineRow[]> {
  if ('rows' in spine) return spine.rows.map((r) => ({ time: Date.parse(r.event_timestamp), entities: r.entities, label: r.label }));
  const from = spine.from ? Date.parse(spine.from) : Number.NEGATIVE_INFINITY;
  const to = spine.to ? Date.parse(spine.to) : Number.POSITIVE_INFINITY;
  const rows: SpineRow[] = [];
  for await (const label of labels.rows()) {
    if (label.labelled_at < from || label.labelled_at > to) continue;
    if (rows.length >= EXPORT_MAX_ROWS) throw new PlatformError('PAYLOAD_TOO_LARGE', `more than ${EXPORT_MAX_ROWS} labelled rows; narrow spine.from/to`);
    const entities: Record<string, string> = { text_hash: label.text_hash, model_version: label.model_version };
    if (label.subject_id) entities.subject_id = label.subject_id;
    rows.push({ time: label.labelled_at, entities, label: label.label, text: label.text, requestId: label.request_id });
  }
  return rows;
}

/** The logged deltas of the entities the spine names, per entity, in the order they were applied. */
async function deltasOf(deps: ExportDeps, view: MaterializedView, entities: ReadonlySet<string>): Promise<Map<string, Delta[]>> {
  const byEntity = new Map<string, Delta[]>();
  for await (const entry of readStream(deps.redis, deps.keys.offlineLog(view.name, view.storageVersion))) {
    if (!entities.has(entry.e)) continue;
    const list = byEntity.get(entry.e) ?? [];
    list.push(JSON.parse(entry.d) as Delta);
    byEntity.set(entry.e, list);
  }
  return byEntity;
}

function foldAt(deltas: readonly Delta[], asOf: number): Record<string, string> {
  const fields = new Map<string, string>();
  for (const delta of deltas) if (delta.t <= asOf) applyDelta(fields, delta);
  return Object.fromEntries(fields);
}

function exportId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `export-${stamp}-${randomBytes(3).toString('hex')}`;
}

export async function exportSnapshot(request: ExportRequest, deps: ExportDeps): Promise<ExportResponse> {
  const views = await Promise.all(request.feature_views.map((v) => deps.catalog.resolve(v.name, v.version)));
  if (new Set(views.map((v) => v.name)).size !== views.length) throw new PlatformError('VALIDATION_ERROR', 'feature_views: a view is listed twice');
  const spine = await buildSpine(request.spine, deps.labels);
  const deltas = await Promise.all(
    views.map((view) => deltasOf(deps, view, new Set(spine.map((row) => row.entities[view.definition.entity_key]).filter((e) => e !== undefined)))),
  );
  const withoutFeatures: Record<string, number> = Object.fromEntries(views.map((v) => [v.name, 0]));
  const lines = spine.map((row) => {
    const snapshot: SnapshotRow = { event_timestamp: new Date(row.time).toISOString(), entities: row.entities, features: {} };
    if (row.label !== undefined) snapshot.label = row.label;
    if (row.text !== undefined) snapshot.text = row.text;
    if (row.requestId !== undefined) snapshot.request_id = row.requestId;
    views.forEach((view, i) => {
      const entity = row.entities[view.definition.entity_key];
      const values = entity === undefined ? undefined : valuesAt(view, foldAt(deltas[i].get(entity) ?? [], row.time), row.time);
      snapshot.features[view.name] = values?.features ?? null;
      if (!values?.features) withoutFeatures[view.name] += 1;
    });
    return JSON.stringify(snapshot);
  });

  const now = deps.clock();
  const id = exportId(now);
  const manifest: SnapshotManifest = {
    export_id: id,
    created_at: new Date(now).toISOString(),
    format: 'jsonl',
    rows_file: SNAPSHOT_ROWS_FILE,
    rows: lines.length,
    point_in_time: true,
    feature_views: views.map((v) => ({ name: v.name, version: v.version, storage_version: v.storageVersion, entity_key: v.definition.entity_key, features: v.features.map((f) => f.name) })),
    spine: 'rows' in request.spine ? 'rows' : 'feedback',
    rows_without_features: withoutFeatures,
    ...(request.model_name ? { model_name: request.model_name } : {}),
    ...(request.model_version ? { model_version: request.model_version } : {}),
  };
  const directory = path.resolve(deps.exportDir, id);
  const staging = `${directory}.partial`;
  fs.mkdirSync(staging, { recursive: true });
  fs.writeFileSync(path.join(staging, SNAPSHOT_ROWS_FILE), lines.length ? `${lines.join('\n')}\n` : '');
  fs.writeFileSync(path.join(staging, SNAPSHOT_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(staging, directory);

  await Promise.all(
    views.flatMap((v) => [
      deps.registry.addLineage(v.name, v.storageVersion, 'exports', [id]),
      deps.registry.addLineage(v.name, v.storageVersion, 'trained', request.model_version ? [request.model_version] : []),
    ]),
  );
  return { export_id: id, directory, manifest };
}
