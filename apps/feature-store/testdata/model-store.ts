/**
 * A model store in a temporary folder with versions as the trainer registers them: a lineage
 * naming the data (its content hash, path and split) and a validation report with the path it
 * loaded. The ONNX bytes are a placeholder: the feature store never opens them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '@mlops/model-registry';
import { contentHash, loadDataset } from '@mlops/training';
import { seededRandom } from '@mlops/statistics';

export const MODEL_NAME = 'sentiment-spec';

const CONFIG = { id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' }, max_length: 64, architectures: ['EmbeddingBag'] };
const POSITIVE = ['good', 'great', 'moving', 'funny', 'warm', 'clever', 'bright'];
const NEGATIVE = ['dull', 'flat', 'tired', 'bland', 'messy', 'slow', 'weak'];
const NOUNS = ['film', 'story', 'cast', 'script', 'ending', 'score', 'plot'];

export class SpecModelStore {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fs-model-store-'));
  readonly store = new ModelStore(path.join(this.dir, 'models'));

  /** A labelled TSV (`sentence\tlabel`) of `rows` distinct texts of `words` words each. */
  writeDataset(name: string, rows: number, options: { words?: number; seed?: number } = {}): string {
    const random = seededRandom(options.seed ?? 1);
    const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)];
    const lines = ['sentence\tlabel'];
    for (let i = 0; i < rows; i += 1) {
      const positive = random() < 0.5;
      const words = Array.from({ length: options.words ?? 6 }, () => pick(positive ? POSITIVE : NEGATIVE));
      lines.push(`the ${pick(NOUNS)} ${i} is ${words.join(' ')}\t${positive ? 1 : 0}`);
    }
    const file = path.join(this.dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  /** Registers a version trained on `datasetFile` (or with no lineage at all, like a seeded model). */
  register(datasetFile: string | undefined, options: { production?: boolean; seed?: number } = {}): string {
    const documents: Record<string, unknown> = {};
    if (datasetFile) {
      const dataset = loadDataset(datasetFile);
      const params = { dataset: datasetFile, seed: options.seed ?? 13, validationFraction: 0.05, testFraction: 0.1 };
      documents['lineage.json'] = { dataHash: contentHash(dataset.examples), dataset: path.basename(datasetFile), synthetic: false, params };
      documents['validation-report.json'] = { source: datasetFile, contentHash: contentHash(dataset.examples) };
    }
    const version = this.store.registerVersion(MODEL_NAME, { model: new Uint8Array([8, 1]), vocab: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'], config: CONFIG, documents });
    if (options.production) this.store.setAlias(MODEL_NAME, 'production', version);
    return version;
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
