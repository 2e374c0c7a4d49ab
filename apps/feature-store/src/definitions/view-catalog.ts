/**
 * Any registered version of any feature view, ready to read: the versions this instance
 * materializes, and older (or other instances') versions resolved from their stored definitions.
 */
import { ConfigError } from '@mlops/config';
import { PlatformError, type FeatureViewSummary } from '@mlops/schemas';
import { resolveFeatureView, type MaterializedView } from './feature-view';
import type { FeatureRegistry } from './registry';

export class ViewCatalog {
  private readonly resolved = new Map<string, MaterializedView>();
  private readonly materializedByName = new Map<string, MaterializedView>();

  constructor(private readonly registry: FeatureRegistry) {}

  /** The versions this instance materializes (known once they are registered, at start). */
  setMaterialized(views: readonly MaterializedView[]): void {
    this.materializedByName.clear();
    for (const view of views) {
      this.materializedByName.set(view.name, view);
      this.resolved.set(`${view.name}@${view.version}`, view);
    }
  }

  get materialized(): MaterializedView[] {
    return [...this.materializedByName.values()];
  }

  /** A version of a view (the latest when omitted); NOT_FOUND when there is none. */
  async resolve(name: string, version?: number): Promise<MaterializedView> {
    const cached = version === undefined ? undefined : this.resolved.get(`${name}@${version}`);
    if (cached) return cached;
    const stored = await this.registry.version(name, version);
    const key = `${name}@${stored.version}`;
    let view = this.resolved.get(key);
    if (!view) {
      try {
        view = { ...resolveFeatureView(stored.definition), version: stored.version, storageVersion: stored.storage_version };
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new PlatformError('NOT_FOUND', `version ${stored.version} of '${name}' cannot be read by this build: ${error.message}`);
      }
      this.resolved.set(key, view);
    }
    return view;
  }

  async summaries(): Promise<FeatureViewSummary[]> {
    const names = await this.registry.viewNames();
    return Promise.all(
      names.map(async (name) => {
        const latest = await this.registry.version(name);
        const summary: FeatureViewSummary = {
          name,
          entity_key: latest.definition.entity_key,
          latest_version: latest.version,
          owner: latest.definition.owner,
          description: latest.definition.description ?? '',
          features: latest.definition.features.map((f) => f.name),
        };
        const materialized = this.materializedByName.get(name);
        if (materialized) summary.materialized_version = materialized.version;
        return summary;
      }),
    );
  }
}
