import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { WordPieceTokenizer } from '@mlops/tokenizer';
import { resolveTrainingParams } from '../pipeline/params';
import type { PreparedData } from '../pipeline/pipeline';
import { chooseBackend } from '../tfjs/backend';
import { tinyTask } from '../../testdata/tiny-task';
import { localTrialEvaluator, truncateEncoded } from './run-trial';
import { successiveHalving, type TrialSpec } from './successive-halving';

const options = { trials: 9, eta: 3, minEpochs: 1, maxEpochs: 9, seed: 5, architecture: 'embedding-bag' as const };

/** A stand-in objective: loss is lowest near learningRate 0.01, and falls with epochs. */
async function fakeEvaluate(trials: TrialSpec[]) {
  return trials.map((t) => ({ ...t, validationLoss: Math.abs(Math.log(t.overrides.learningRate / 0.01)) + 1 / t.epochs, validationAccuracy: 0.5, durationMs: 1 }));
}

test('9 trials, eta 3: rungs of 9, 3 and 1 trials at 1, 3 and 9 epochs, and the best of the last rung wins', async () => {
  const report = await successiveHalving(options, fakeEvaluate);
  const rungs = [0, 1, 2].map((rung) => report.results.filter((r) => r.rung === rung));
  assert.deepEqual(rungs.map((r) => r.length), [9, 3, 1]);
  assert.deepEqual(rungs.map((r) => r[0].epochs), [1, 3, 9]);
  const closest = [...rungs[0]].sort((a, b) => Math.abs(Math.log(a.overrides.learningRate / 0.01)) - Math.abs(Math.log(b.overrides.learningRate / 0.01)))[0];
  assert.equal(report.best.trialId, closest.trialId, 'the configuration nearest the optimum survives');
  // Survivors are the best of their rung.
  const rung0Best = [...rungs[0]].sort((a, b) => a.validationLoss - b.validationLoss).slice(0, 3).map((r) => r.trialId).sort();
  assert.deepEqual(rungs[1].map((r) => r.trialId).sort(), rung0Best);
});

test('the same seed samples the same trials; another seed samples others', async () => {
  const a = await successiveHalving(options, fakeEvaluate);
  const b = await successiveHalving(options, fakeEvaluate);
  const c = await successiveHalving({ ...options, seed: 6 }, fakeEvaluate);
  assert.deepEqual(a.results.map((r) => r.overrides), b.results.map((r) => r.overrides));
  assert.notDeepEqual(a.results.map((r) => r.overrides), c.results.map((r) => r.overrides));
});

test('truncating encoded sequences keeps [SEP] last', () => {
  const cut = truncateEncoded({ ids: [Int32Array.of(101, 5, 6, 7, 102), Int32Array.of(101, 5, 102)], labels: Int32Array.of(0, 1) }, 4, 102);
  assert.deepEqual(cut.ids.map((ids) => [...ids]), [[101, 5, 6, 102], [101, 5, 102]]);
});

before(async () => {
  await chooseBackend();
});

test('local trials really train: a tiny search finds a configuration above 90% validation accuracy', async () => {
  const task = tinyTask();
  const data = { dataset: { labels: ['NEGATIVE', 'POSITIVE'] }, tokenizer: WordPieceTokenizer.fromVocab(task.vocab), train: task.train, validationSet: task.validation, test: task.test } as unknown as PreparedData;
  const base = resolveTrainingParams({ maxLength: 32, bigramBuckets: 101, dim: 8, batchSize: 16 });
  const seen: string[] = [];
  const report = await successiveHalving({ ...options, trials: 3, maxEpochs: 3, fixed: ['bigramBuckets', 'dim', 'hiddenDim'] }, localTrialEvaluator(data, base, (r) => seen.push(`${r.trialId}@${r.rung}`)));
  assert.deepEqual(seen, ['t0@0', 't1@0', 't2@0', `${report.best.trialId}@1`]);
  assert.ok(report.best.validationAccuracy > 0.9, `best validation accuracy ${report.best.validationAccuracy}`);
  assert.ok(report.results.every((r) => r.overrides.bigramBuckets === undefined && r.overrides.dim === undefined), 'fixed parameters are not searched');
});
