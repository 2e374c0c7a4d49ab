/**
 * Writes a small DistilBERT-shaped classifier with seeded random weights into the model store and
 * points `production` at it, so the serving path runs end to end before any training. Its
 * predictions carry no meaning; `config.json` says so. The vocabulary is BERT's uncased one
 * (VOCAB_FILE), so the tokenizer and the graph agree on ids.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { randomDistilBertWeights, writeDistilBertOnnx, type DistilBertDims } from '@mlops/onnx-writer';
import { DEFAULT_MODEL_NAME } from '@mlops/schemas';

export const workspaceRoot = path.resolve(__dirname, '..', '..');

export function defaultVocabFile(): string {
  return path.resolve(workspaceRoot, process.env.VOCAB_FILE ?? '../shared/models/bert-base-uncased/vocab.txt');
}

export const SEED_DIMS: Omit<DistilBertDims, 'vocabSize'> = { maxPositions: 128, dim: 64, layers: 2, heads: 2, hiddenDim: 256, numLabels: 2 };

export function readVocab(vocabFile: string): string[] {
  if (!fs.existsSync(vocabFile)) {
    throw new Error(`vocabulary not found at ${vocabFile}; set VOCAB_FILE to a BERT vocab.txt`);
  }
  return fs.readFileSync(vocabFile, 'utf8').split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}

/** Registers a seeded random model version; returns its version id. */
export function seedRandomModel(options: { modelStoreDir: string; vocabFile?: string; modelName?: string; seed?: number; setProduction?: boolean }): string {
  const vocabFile = options.vocabFile ?? defaultVocabFile();
  const vocab = readVocab(vocabFile);
  const dims: DistilBertDims = { ...SEED_DIMS, vocabSize: vocab.length };
  const seed = options.seed ?? 42;
  const model = writeDistilBertOnnx(dims, randomDistilBertWeights(dims, seed), {
    metadata: { labels: 'NEGATIVE,POSITIVE', architecture: 'DistilBertForSequenceClassification', weights: `seeded-random:${seed}` },
  });
  const store = new ModelStore(options.modelStoreDir);
  const modelName = options.modelName ?? DEFAULT_MODEL_NAME;
  const version = store.registerVersion(modelName, {
    model,
    vocab: vocabFile,
    config: {
      architectures: ['DistilBertForSequenceClassification'],
      model_type: 'distilbert',
      id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' },
      label2id: { NEGATIVE: 0, POSITIVE: 1 },
      max_position_embeddings: dims.maxPositions,
      max_length: dims.maxPositions,
      vocab_size: dims.vocabSize,
      dim: dims.dim,
      n_layers: dims.layers,
      n_heads: dims.heads,
      hidden_dim: dims.hiddenDim,
      task: 'sentiment-analysis',
      note: `seeded random weights (seed ${seed}): predictions carry no meaning; train a model with \`mlops train\``,
    },
    documents: { 'lineage.json': { source: 'tools/models/seed-model.ts', seed, dims } },
  });
  if (options.setProduction ?? true) store.setAlias(modelName, 'production', version);
  return version;
}

if (require.main === module) {
  const modelStoreDir = path.resolve(workspaceRoot, process.env.MODEL_STORE_DIR ?? 'model-store');
  const version = seedRandomModel({ modelStoreDir });
  console.log(`registered ${DEFAULT_MODEL_NAME}/${version} (seeded random weights) in ${modelStoreDir}; production -> ${version}`);
}
