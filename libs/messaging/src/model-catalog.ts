/**
 * What is served and where aliases point, learned from `models.events`. The topic is compacted
 * state: every reader replays it from the beginning under a group of its own, so each process sees
 * the whole history and then every change as it happens.
 */
import type { Kafka } from 'kafkajs';
import { ModelEvent, TOPICS, type ModelVersionInfo } from '@mlops/schemas';
import type { Logger } from '@mlops/observability';
import type { MessageProducer } from './producer';
import { StateTopicReader } from './state-topic-reader';

interface ModelState {
  versions: Map<string, ModelVersionInfo>;
  aliases: Map<string, string>;
  /** Alias moves to a version nobody serves yet: applied once it is served (hot swap without a gap). */
  pendingAliases: Map<string, string>;
  /** Versions registered or rejected by the trainer, with their status. */
  statuses: Map<string, 'registered' | 'rejected' | 'retired'>;
}

export class ModelCatalog {
  private readonly models = new Map<string, ModelState>();
  private readonly reader: StateTopicReader<typeof ModelEvent>;
  private readonly listeners = new Set<(event: ModelEvent) => void>();

  constructor(options: { kafka: Kafka; producer: MessageProducer; logger: Logger; groupPrefix: string; onDeadLetter?: (topic: string) => void }) {
    this.reader = new StateTopicReader({
      ...options,
      topic: TOPICS.modelsEvents.name,
      schema: ModelEvent,
      groupPrefix: `${options.groupPrefix}-catalog`,
      apply: (event) => this.apply(event),
    });
  }

  get isHealthy(): boolean {
    return this.reader.isHealthy;
  }

  start(): Promise<void> {
    return this.reader.start();
  }

  stop(): Promise<void> {
    return this.reader.stop();
  }

  onEvent(listener: (event: ModelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies one event (exposed for tests and for a process's own events). */
  apply(event: ModelEvent): void {
    if (event.type === 'version-serving') {
      const state = this.state(event.info.modelName);
      state.versions.set(event.info.modelVersion, event.info);
      for (const [alias, version] of state.pendingAliases) {
        if (version !== event.info.modelVersion) continue;
        state.aliases.set(alias, version);
        state.pendingAliases.delete(alias);
      }
    } else if (event.type === 'alias-moved') {
      const state = this.state(event.modelName);
      // Until the new target is served, the alias keeps answering with the version it had.
      if (state.versions.has(event.modelVersion) || !state.aliases.has(event.alias)) {
        state.aliases.set(event.alias, event.modelVersion);
        state.pendingAliases.delete(event.alias);
      } else {
        state.pendingAliases.set(event.alias, event.modelVersion);
      }
    } else {
      const status = event.type === 'version-registered' ? 'registered' : event.type === 'version-rejected' ? 'rejected' : 'retired';
      const state = this.state(event.modelName);
      state.statuses.set(event.modelVersion, status);
      if (status === 'retired') state.versions.delete(event.modelVersion);
    }
    for (const listener of this.listeners) listener(event);
  }

  modelNames(): string[] {
    return [...this.models.keys()].sort();
  }

  /** The served version an alias points at, if any. */
  aliasTarget(modelName: string, alias: string): string | undefined {
    return this.models.get(modelName)?.aliases.get(alias);
  }

  aliases(modelName: string): Record<string, string> {
    return Object.fromEntries(this.models.get(modelName)?.aliases ?? []);
  }

  servedVersion(modelName: string, version: string): ModelVersionInfo | undefined {
    return this.models.get(modelName)?.versions.get(version);
  }

  servedVersions(modelName: string): ModelVersionInfo[] {
    return [...(this.models.get(modelName)?.versions.values() ?? [])];
  }

  get anyServing(): boolean {
    for (const state of this.models.values()) if (state.versions.size > 0) return true;
    return false;
  }

  private state(modelName: string): ModelState {
    let state = this.models.get(modelName);
    if (!state) {
      state = { versions: new Map(), aliases: new Map(), pendingAliases: new Map(), statuses: new Map() };
      this.models.set(modelName, state);
    }
    return state;
  }
}
