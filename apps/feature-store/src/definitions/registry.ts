/**
 * Feature view versions and lineage, kept in Redis so every replica sees the same history.
 *
 * Registering a definition that differs from the view's latest one makes version latest + 1;
 * every version stays readable. A version whose change is only metadata (description, owner,
 * tags, which features are listed) keeps reading and writing the stored values of the version it
 * came from (`storage_version`); a change to the entity, sources or transformation starts fresh.
 */
import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { PlatformError, type FeatureViewDefinition, type FeatureViewVersion, type LineageResponse } from '@mlops/schemas';
import { LuaScript } from '../materialize/lua-scripts';
import type { LineageKind, StoreKeys } from '../store-keys';
import type { MaterializedView, ResolvedFeatureView } from './feature-view';

/** JSON with object keys sorted at every level, so equal definitions hash equally. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function fingerprints(definition: FeatureViewDefinition): { fingerprint: string; dataFingerprint: string } {
  const { entity_key, sources, transformation } = definition;
  return { fingerprint: sha256(canonicalJson(definition)), dataFingerprint: sha256(canonicalJson({ entity_key, sources, transformation })) };
}

/**
 * KEYS: the view's versions hash (`<v>` -> record JSON, `<v>:storage` -> storage version), the set of views.
 * ARGV: view name, fingerprint, data fingerprint, record JSON. Returns {version, storage version}.
 */
const REGISTER = new LuaScript(
  'register-view',
  `
local fields = redis.call('HGETALL', KEYS[1])
local latest, latestFingerprint, storage, storageFrom = 0, nil, nil, 0
for i = 1, #fields, 2 do
  local v = tonumber(fields[i])
  if v then
    local record = cjson.decode(fields[i + 1])
    if v > latest then latest = v; latestFingerprint = record.fingerprint end
    if record.data_fingerprint == ARGV[3] and v > storageFrom then
      storageFrom = v
      storage = tonumber(redis.call('HGET', KEYS[1], fields[i] .. ':storage'))
    end
  end
end
if latestFingerprint == ARGV[2] then
  return {latest, tonumber(redis.call('HGET', KEYS[1], latest .. ':storage'))}
end
local version = latest + 1
storage = storage or version
redis.call('HSET', KEYS[1], version, ARGV[4], version .. ':storage', storage)
redis.call('SADD', KEYS[2], ARGV[1])
return {version, storage}
`,
  2,
);

interface StoredRecord {
  fingerprint: string;
  data_fingerprint: string;
  created_at: string;
  definition: FeatureViewDefinition;
}

export class FeatureRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: StoreKeys,
    private readonly clock: () => number,
  ) {}

  async register(view: ResolvedFeatureView): Promise<MaterializedView> {
    const { fingerprint, dataFingerprint } = fingerprints(view.definition);
    const record: StoredRecord = { fingerprint, data_fingerprint: dataFingerprint, created_at: new Date(this.clock()).toISOString(), definition: view.definition };
    const [version, storageVersion] = (await REGISTER.run(this.redis, [this.keys.viewVersions(view.name), this.keys.views()], [
      view.name,
      fingerprint,
      dataFingerprint,
      JSON.stringify(record),
    ])) as [number, number];
    return { ...view, version, storageVersion };
  }

  async viewNames(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.views())).sort();
  }

  /** Every version of a view, oldest first; NOT_FOUND for a view never registered. */
  async versions(name: string): Promise<FeatureViewVersion[]> {
    const fields = await this.redis.hgetall(this.keys.viewVersions(name));
    const versions = Object.keys(fields)
      .filter((field) => /^\d+$/.test(field))
      .map((field) => {
        const record = JSON.parse(fields[field]) as StoredRecord;
        return {
          name,
          version: Number(field),
          storage_version: Number(fields[`${field}:storage`]),
          fingerprint: record.fingerprint,
          data_fingerprint: record.data_fingerprint,
          created_at: record.created_at,
          definition: record.definition,
        };
      })
      .sort((a, b) => a.version - b.version);
    if (versions.length === 0) throw new PlatformError('NOT_FOUND', `feature view '${name}' does not exist`);
    return versions;
  }

  /** One version, or the latest when `version` is undefined. */
  async version(name: string, version?: number): Promise<FeatureViewVersion> {
    const versions = await this.versions(name);
    const found = version === undefined ? versions.at(-1) : versions.find((v) => v.version === version);
    if (!found) throw new PlatformError('NOT_FOUND', `feature view '${name}' has no version ${version}; it has 1 to ${versions.length}`);
    return found;
  }

  async addLineage(view: string, storageVersion: number, kind: LineageKind, members: readonly string[]): Promise<void> {
    if (members.length > 0) await this.redis.sadd(this.keys.lineage(view, storageVersion, kind), ...members);
  }

  async lineage(name: string, version: number): Promise<LineageResponse> {
    const found = await this.version(name, version);
    const members = (kind: LineageKind) => this.redis.smembers(this.keys.lineage(name, found.storage_version, kind)).then((m) => m.sort());
    const [computed, served, trained, exports] = await Promise.all([members('computed'), members('served'), members('trained'), members('exports')]);
    return {
      feature_view: name,
      version: found.version,
      storage_version: found.storage_version,
      created_at: found.created_at,
      sources: found.definition.sources,
      transformation: found.definition.transformation.name,
      computed_from_model_versions: computed,
      served_to_model_versions: served,
      trained_model_versions: trained,
      exports,
    };
  }
}
