/**
 * The drift reference follows production, through the real broker: the store starts measuring
 * against the training data of production's version, and an `alias-moved` event on models.events
 * rebuilds it from the new version's data (or from SST-2, saying why, when that version records
 * none). The model store is a temporary folder with versions registered as the trainer does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { MESSAGE_SCHEMA_VERSION, modelEventKey, type DriftReportResponse, type ModelEvent } from '@mlops/schemas';
import { driftReference, type ReferenceSourceOptions } from './monitoring/reference-source';
import { FeatureStoreHarness, eventually, profiler } from '../testdata/harness';
import { MODEL_NAME, SpecModelStore } from '../testdata/model-store';

describe('drift reference from the production model, rebuilt when production moves', { timeout: 120_000 }, () => {
  const models = new SpecModelStore();
  let store: FeatureStoreHarness;
  let v1: string;
  let v2: string;
  let options: ReferenceSourceOptions;

  before(async () => {
    v1 = models.register(models.writeDataset('data/first.tsv', 300, { seed: 1 }), { production: true });
    v2 = models.register(models.writeDataset('data/second.tsv', 500, { seed: 2, words: 12 }));
    const sst2Dir = path.dirname(models.writeDataset('sst2/train.tsv', 200, { seed: 3 }));
    options = { store: models.store, modelName: MODEL_NAME, sst2Dir, sampleSize: 1000, topK: 20, profiler: profiler(), clock: Date.now };
    store = await FeatureStoreHarness.start({
      env: { DRIFT_MODEL_NAME: MODEL_NAME },
      reference: driftReference(options),
      rebuildReference: (modelVersion) => driftReference(options, modelVersion),
    });
  });

  after(async () => {
    await store?.stop();
    models.remove();
  });

  const reference = async () => (await store.get<DriftReportResponse>('/drift')).body.reference;
  const moveProduction = async (modelName: string, modelVersion: string) => {
    const event: ModelEvent = { schemaVersion: MESSAGE_SCHEMA_VERSION, type: 'alias-moved', modelName, alias: 'production', modelVersion, at: Date.now() };
    await store.producer.send(store.identity.topics.modelsEvents, { key: modelEventKey(event), value: event });
  };

  test("/drift names production's version and the hash of the data it was trained on", async () => {
    const ref = await reference();
    assert.equal(ref?.model_name, MODEL_NAME);
    assert.equal(ref?.model_version, v1);
    assert.match(ref?.data_hash ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.match(ref?.source ?? '', /first\.tsv/);
    assert.equal(ref?.fallback_reason, undefined);
  });

  test('another model moving its production alias changes nothing', async () => {
    await moveProduction('some-other-model', v2);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    assert.equal((await reference())?.model_version, v1);
  });

  test("production moving to a new version rebuilds the reference from that version's data", async () => {
    const before = await reference();
    await moveProduction(MODEL_NAME, v2);
    const after = await eventually(async () => {
      const ref = await reference();
      assert.equal(ref?.model_version, v2);
      return ref;
    });
    assert.notEqual(after?.id, before?.id);
    assert.notEqual(after?.data_hash, before?.data_hash);
    assert.match(after?.source ?? '', /second\.tsv/);
  });

  test('production moving to a version without lineage falls back to SST-2 and says why', async () => {
    const seeded = models.register(undefined);
    await moveProduction(MODEL_NAME, seeded);
    const ref = await eventually(async () => {
      const r = await reference();
      assert.ok(r?.fallback_reason, 'a fallback reason');
      return r;
    });
    assert.equal(ref?.model_version, undefined);
    assert.match(ref?.fallback_reason ?? '', new RegExp(`${MODEL_NAME}/${seeded} records no training data`));
    assert.match(ref?.source ?? '', /^sst2\/train\.tsv/);
  });
});
