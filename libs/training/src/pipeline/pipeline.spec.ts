import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { LoadedModel } from '@mlops/onnx-runtime';
import type { ModelEvent } from '@mlops/schemas';
import { generateSynthetic, syntheticJsonl } from '../data/synthetic';
import { SILENT_PROGRESS } from '../train/progress';
import { resolveTrainingParams } from './params';
import { runTrainingPipeline, type PipelineEnvironment } from './pipeline';

function environment(): PipelineEnvironment & { dir: string; events: ModelEvent[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-'));
  const events: ModelEvent[] = [];
  return {
    dir,
    events,
    store: new ModelStore(path.join(dir, 'store')),
    defaultDataset: path.join(dir, 'none.tsv'),
    vocabFile: path.join(dir, 'none.txt'),
    checkpointDir: path.join(dir, 'checkpoints'),
    progress: SILENT_PROGRESS,
    codeCommit: 'abc123',
    publish: async (event) => void events.push(event),
  };
}

const fast = { vocabulary: 'learned', vocabSize: 300, epochs: 4, learningRate: 0.05, dim: 16, bigramBuckets: 1000, batchSize: 32 };

test('a run with a vocabulary learned from the training split registers a servable version with its lineage', async () => {
  const env = environment();
  const dataset = path.join(env.dir, 'reviews.jsonl');
  fs.writeFileSync(dataset, syntheticJsonl(generateSynthetic({ count: 2000, seed: 8 })));
  const outcome = await runTrainingPipeline({ modelName: 'm', params: resolveTrainingParams({ ...fast, dataset }), reason: 'manual', requestId: 'r1' }, env);
  assert.equal(outcome.status, 'registered', JSON.stringify(outcome.status !== 'invalid-data' && outcome.gates.reasons));
  if (outcome.status !== 'registered') return;
  assert.ok(outcome.metrics.test.accuracy > 0.9);
  const version = env.store.readVersion('m', outcome.version);
  const vocab = fs.readFileSync(version.vocabPath, 'utf8').trim().split('\n');
  assert.ok(vocab.length <= 300 && vocab.slice(0, 5).join() === '[PAD],[UNK],[CLS],[SEP],[MASK]', 'vocab.txt is the learned vocabulary');
  const lineage = env.store.readDocument('m', outcome.version, 'lineage.json') as Record<string, unknown>;
  assert.equal(lineage.codeCommit, 'abc123');
  assert.equal(lineage.requestId, 'r1');
  assert.equal(lineage.backend, outcome.backend);
  assert.equal(lineage.parentVersion, null);
  assert.equal((lineage.params as { vocabulary: string }).vocabulary, 'learned');
  // The served path (tokenizer from vocab.txt + onnxruntime) answers like the gates measured.
  const served = await LoadedModel.load(version, { intraOpThreads: 1 });
  const [positive, negative] = await served.predict(['the film was truly wonderful', 'the plot was utterly awful .']);
  await served.dispose();
  assert.deepEqual([positive.label, negative.label], ['POSITIVE', 'NEGATIVE']);
  assert.deepEqual(env.events.map((e) => e.type), ['version-registered', 'alias-moved', 'alias-moved']);
  assert.equal(fs.readdirSync(env.checkpointDir).length, 0, 'checkpoints are removed once the version is registered');
});

test('data that fails validation trains nothing and registers nothing', async () => {
  const env = environment();
  const dataset = path.join(env.dir, 'positive-only.csv');
  fs.writeFileSync(dataset, `text,label\n${Array.from({ length: 300 }, (_, i) => `great film number ${i},1`).join('\n')}\n`);
  const outcome = await runTrainingPipeline({ modelName: 'm', params: resolveTrainingParams({ ...fast, dataset }), reason: 'manual' }, env);
  assert.equal(outcome.status, 'invalid-data');
  assert.equal(outcome.validation.checks.find((c) => c.name === 'class balance')?.passed, false);
  assert.deepEqual(env.store.listVersions('m'), []);
  assert.deepEqual(env.events, []);
});
