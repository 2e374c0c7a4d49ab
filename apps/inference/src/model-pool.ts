/**
 * The model versions this instance serves, each with its own dynamic batcher. Which versions:
 * every version an alias points at, plus the newest `extraLoadedVersions` registered ones (so a
 * pinned request for a recent version needs no load). `refresh()` reconciles with the store:
 * new versions are loaded and warmed before they take traffic; dropped ones finish their queue,
 * then are disposed (hot swap without errors).
 */
import type { ModelStore } from '@mlops/model-registry';
import type { Logger } from '@mlops/observability';
import type { ModelVersionInfo } from '@mlops/schemas';
import { DynamicBatcher, type BatcherOptions, type BatchObserver } from './dynamic-batcher';
import { LoadedModel } from '@mlops/onnx-runtime';

export interface ServedVersion {
  model: LoadedModel;
  batcher: DynamicBatcher;
}

export interface PoolChange {
  loaded: ModelVersionInfo[];
  unloaded: ModelVersionInfo[];
  aliases: { modelName: string; alias: string; modelVersion: string }[];
}

const key = (modelName: string, version: string) => `${modelName}:${version}`;

export class ModelPool {
  private readonly served = new Map<string, ServedVersion>();
  private refreshing: Promise<PoolChange> | null = null;
  private refreshAgain = false;
  private lastAliases = new Map<string, string>();

  constructor(
    private readonly store: ModelStore,
    private readonly options: BatcherOptions & { intraOpThreads: number; modelThread: 'worker' | 'caller'; sessions: number; soloThreads: number; extraLoadedVersions: number },
    private readonly logger: Logger,
    private readonly observer: (info: ModelVersionInfo) => BatchObserver = () => ({}),
  ) {}

  get(modelName: string, version: string): ServedVersion | undefined {
    return this.served.get(key(modelName, version));
  }

  infos(): ModelVersionInfo[] {
    return [...this.served.values()].map((s) => s.model.info);
  }

  get size(): number {
    return this.served.size;
  }

  /** Reconciles with the store; concurrent calls coalesce into one extra pass. */
  refresh(): Promise<PoolChange> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      const total: PoolChange = { loaded: [], unloaded: [], aliases: [] };
      do {
        this.refreshAgain = false;
        const change = await this.reconcile();
        total.loaded.push(...change.loaded);
        total.unloaded.push(...change.unloaded);
        total.aliases.push(...change.aliases);
      } while (this.refreshAgain);
      return total;
    })().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private wanted(): { versions: Set<string>; aliases: PoolChange['aliases'] } {
    const versions = new Set<string>();
    const aliases: PoolChange['aliases'] = [];
    for (const modelName of this.store.listModels()) {
      for (const [alias, modelVersion] of Object.entries(this.store.aliases(modelName))) {
        versions.add(key(modelName, modelVersion));
        aliases.push({ modelName, alias, modelVersion });
      }
      const registered = this.store.listVersions(modelName).filter((v) => {
        try {
          return this.store.readVersion(modelName, v).manifest.status === 'registered';
        } catch (error) {
          this.logger.warn({ err: error, modelName, modelVersion: v }, 'skipping an unreadable model version');
          return false;
        }
      });
      const extra = this.options.extraLoadedVersions;
      if (extra > 0) for (const v of registered.slice(-extra)) versions.add(key(modelName, v));
    }
    return { versions, aliases };
  }

  private async reconcile(): Promise<PoolChange> {
    const { versions, aliases } = this.wanted();
    const change: PoolChange = { loaded: [], unloaded: [], aliases: [] };
    for (const wantedKey of versions) {
      if (this.served.has(wantedKey)) continue;
      const [modelName, version] = wantedKey.split(':');
      try {
        const model = await LoadedModel.load(this.store.readVersion(modelName, version), {
          intraOpThreads: this.options.intraOpThreads,
          thread: this.options.modelThread,
          sessions: this.options.sessions,
          soloThreads: this.options.soloThreads,
        });
        const batcher = new DynamicBatcher(model, { ...this.options, maxConcurrentBatches: model.parallelism }, this.observer(model.info));
        this.served.set(wantedKey, { model, batcher });
        change.loaded.push(model.info);
        // How batches of mixed lengths will be split (length-buckets.ts): worth seeing when tuning.
        const runOverheadTokens = Number.isFinite(model.runOverheadTokens) ? Math.round(model.runOverheadTokens) : 'never split';
        this.logger.info({ modelName, modelVersion: version, sizeBytes: model.info.modelSizeBytes, runOverheadTokens, soloSession: model.hasSoloSession, soloCheck: model.soloCheck }, 'model version loaded');
      } catch (error) {
        this.logger.error({ err: error, modelName, modelVersion: version }, 'model version failed to load; it is not served');
      }
    }
    for (const [servedKey, served] of [...this.served]) {
      if (versions.has(servedKey)) continue;
      this.served.delete(servedKey);
      await served.batcher.drain();
      await served.model.dispose();
      change.unloaded.push(served.model.info);
      this.logger.info({ modelName: served.model.info.modelName, modelVersion: served.model.info.modelVersion }, 'model version unloaded');
    }
    for (const alias of aliases) {
      const aliasKey = `${alias.modelName}@${alias.alias}`;
      if (this.lastAliases.get(aliasKey) !== alias.modelVersion) change.aliases.push(alias);
      this.lastAliases.set(aliasKey, alias.modelVersion);
    }
    return change;
  }

  async drain(): Promise<void> {
    await Promise.all([...this.served.values()].map((s) => s.batcher.drain()));
  }

  async dispose(): Promise<void> {
    for (const served of this.served.values()) await served.model.dispose();
    this.served.clear();
  }
}
