/**
 * Registers a trained model: a new immutable version holding model.onnx, vocab.txt, config.json,
 * metrics.json, validation-report.json and lineage.json, with status `registered` or, when a gate
 * failed, `rejected` with the reasons. A registered version takes the `candidate` alias, and
 * `production` too when promotion was asked for (or nothing is in production yet). Each step is
 * published on `models.events`, so inference hot-swaps without a restart.
 */
import type { ModelStore } from '@mlops/model-registry';
import { MESSAGE_SCHEMA_VERSION, aliasMovedEvent, type ModelEvent } from '@mlops/schemas';

export type PublishModelEvent = (event: ModelEvent) => Promise<void>;

export interface Registration {
  modelName: string;
  model: Uint8Array;
  vocab: string[];
  config: Record<string, unknown>;
  passed: boolean;
  reasons: string[];
  documents: Record<string, unknown>;
  /** Move `production` as well as `candidate` when every gate passed. */
  promote: boolean;
}

export interface RegistrationResult {
  version: string;
  status: 'registered' | 'rejected';
  aliasesMoved: { alias: string; previousVersion?: string }[];
}

export async function registerModel(store: ModelStore, registration: Registration, publish?: PublishModelEvent): Promise<RegistrationResult> {
  const { modelName } = registration;
  const status = registration.passed ? 'registered' : 'rejected';
  const version = store.registerVersion(modelName, {
    model: registration.model,
    vocab: registration.vocab,
    config: registration.config,
    status,
    ...(registration.passed ? {} : { reasons: registration.reasons }),
    documents: registration.documents,
  });
  const at = Date.now();
  await publish?.({
    schemaVersion: MESSAGE_SCHEMA_VERSION,
    type: registration.passed ? 'version-registered' : 'version-rejected',
    modelName,
    modelVersion: version,
    ...(registration.passed ? {} : { reason: registration.reasons.join('; ').slice(0, 1000) }),
    at,
  });
  const aliasesMoved: RegistrationResult['aliasesMoved'] = [];
  if (registration.passed) {
    const aliases = ['candidate', ...(registration.promote || !store.aliases(modelName).production ? ['production'] : [])];
    for (const alias of aliases) {
      const previousVersion = store.setAlias(modelName, alias, version);
      aliasesMoved.push({ alias, ...(previousVersion ? { previousVersion } : {}) });
      await publish?.(aliasMovedEvent({ modelName, alias, modelVersion: version, previousVersion, reason: 'trained and passed every quality gate' }));
    }
  }
  return { version, status, aliasesMoved };
}
