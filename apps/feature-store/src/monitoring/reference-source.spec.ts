import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cleanExamples, loadDataset, splitDataset } from '@mlops/training';
import { TextProfiler } from '../text-profile';
import { MODEL_NAME, SpecModelStore } from '../../testdata/model-store';
import { driftReference, type ReferenceSourceOptions } from './reference-source';
import { trainingDataOf } from './training-data';

const profiler = TextProfiler.fromVocab(['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'the', 'is', 'film', 'good', 'dull']);

describe('the drift reference from the production model', () => {
  const models = new SpecModelStore();
  const sst2Dir = path.dirname(models.writeDataset('sst2/train.tsv', 150, { seed: 99 }));
  const options = (extra: Partial<ReferenceSourceOptions> = {}): ReferenceSourceOptions => ({
    store: models.store,
    modelName: MODEL_NAME,
    sst2Dir,
    sampleSize: 100_000,
    topK: 10,
    profiler,
    clock: () => Date.parse('2025-01-01T00:00:00Z'),
    ...extra,
  });
  after(() => models.remove());

  test("is the training split of the data production's lineage names, never its test or validation texts", () => {
    const file = models.writeDataset('data/reviews.tsv', 400);
    const version = models.register(file, { production: true, seed: 7 });
    const result = trainingDataOf(models.store, { modelName: MODEL_NAME, sst2Dir, sampleSize: 100_000 });
    assert.ok('data' in result, 'reason' in result ? result.reason : '');
    const splits = splitDataset(cleanExamples(loadDataset(file).examples), { seed: 7, validationFraction: 0.05, testFraction: 0.1 });
    assert.deepEqual(result.data.texts, splits.train.map((e) => e.text));
    const heldOut = new Set([...splits.test, ...splits.validation].map((e) => e.text));
    assert.ok(heldOut.size > 0 && result.data.texts.every((text) => !heldOut.has(text)));
    assert.equal(result.data.modelVersion, version);

    const reference = driftReference(options());
    assert.ok('profile' in reference);
    assert.deepEqual(reference.profile.model, { name: MODEL_NAME, version, dataHash: result.data.dataHash });
    assert.equal(reference.profile.texts, splits.train.length);
    assert.equal(reference.profile.fallbackReason, undefined);
    assert.match(reference.profile.source, new RegExp(`training split of ${MODEL_NAME}/${version} \\(reviews.tsv`));
  });

  test('samples at most referenceSampleSize texts, spread over the split', () => {
    const reference = driftReference(options({ sampleSize: 50 }));
    assert.ok('profile' in reference);
    assert.equal(reference.profile.texts, 50);
  });

  test('finds the data under SST2_DIR when the path the trainer saw is not mounted here', () => {
    const elsewhere = models.writeDataset('trainer-only/moved.tsv', 300, { seed: 5 });
    const version = models.register(elsewhere, { production: true });
    fs.renameSync(elsewhere, path.join(sst2Dir, 'moved.tsv'));
    const reference = driftReference(options());
    assert.ok('profile' in reference);
    assert.equal(reference.profile.model?.version, version);
  });

  test('falls back to SST-2, saying why, when production records no training data (a seeded model)', () => {
    const version = models.register(undefined, { production: true });
    const reference = driftReference(options());
    assert.ok('profile' in reference);
    assert.equal(reference.profile.model, undefined);
    assert.match(reference.profile.fallbackReason ?? '', new RegExp(`${MODEL_NAME}/${version} records no training data`));
    assert.match(reference.profile.source, /^sst2\/train.tsv: 150 of 150 sentences$/);
  });

  test('falls back when the data changed since the version was trained, naming the file', () => {
    const file = models.writeDataset('data/changing.tsv', 300, { seed: 3 });
    models.register(file, { production: true });
    fs.appendFileSync(file, 'a late addition to the file\t1\n');
    const reference = driftReference(options());
    assert.ok('profile' in reference);
    assert.match(reference.profile.fallbackReason ?? '', /is not readable here: .*changing\.tsv \(changed since: sha256:/);
  });

  test('a named version is used even before the store moves its alias (the models.events order)', () => {
    const file = models.writeDataset('data/next.tsv', 300, { seed: 4 });
    const version = models.register(file);
    const reference = driftReference(options(), version);
    assert.ok('profile' in reference);
    assert.equal(reference.profile.model?.version, version);
  });

  test('without production data and without SST-2, drift is off and the reason names both', () => {
    const empty = new SpecModelStore();
    try {
      const reference = driftReference(options({ store: empty.store, sst2Dir: path.join(empty.dir, 'none') }));
      assert.ok('reason' in reference);
      assert.match(reference.reason, /has no production version in the model store.*sst2Dir: .* does not exist/);
    } finally {
      empty.remove();
    }
  });

  test('a configured profile file wins over the model store', () => {
    const built = driftReference(options());
    assert.ok('profile' in built);
    const file = path.join(models.dir, 'profile.json');
    fs.writeFileSync(file, JSON.stringify({ ...built.profile, source: 'hand-made profile' }));
    const reference = driftReference(options({ profileFile: file }));
    assert.ok('profile' in reference);
    assert.equal(reference.profile.source, 'hand-made profile');
  });
});
